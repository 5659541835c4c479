// Compiles a rule set into plain synchronous code: one `if` per rule, conditions inlined, fired actions as
// constants. The same compile writes the committed TypeScript (generated/runtime/<kind>.ts) and the function a
// hot reload builds in-process (src/rules/live-rules.ts); only the type annotations differ. Every piece of rule
// text reaches the output through the code builder (codegen.ts): values as escaped literals, names checked,
// comments one line each.
import { createHash } from "node:crypto";
import type { Condition, FactCondition, FiredAction, Policy, Rule, Table } from "../../generated/types/index.ts";
import { _, type Code, comment, join, Name, nil, property, Scope, spaces, value } from "./codegen.ts";

/** What the compiler reads of a rule set (src/rules/load-rules.ts loads one; the generator imports nothing of
 * src/rules, which runs this compile on a hot reload). */
export interface RuleSet {
  kind: string;
  /** The facts.schema.json definition the rules read, e.g. ScscfFacts. */
  factsType: string;
  /** Each file with its recorded deviations, whose switches give the policy's defaults. */
  files: ReadonlyArray<{
    file: string;
    doc: { deviations?: ReadonlyArray<{ switch: { policy: string; chosen: string } }> };
  }>;
  /** In evaluation order. */
  rules: ReadonlyArray<{ rule: Rule; file: string }>;
  tables: Record<string, Table>;
}

export interface RuleSource {
  file: string;
  text: string;
}

/** The digest a rule set is known by: its files' names and texts, so a node can tell versions apart. */
export function ruleSetDigest(set: RuleSet, sources: readonly RuleSource[]): string {
  const hash = createHash("sha256");
  for (const s of sources.filter((s) => set.files.some((f) => f.file === s.file))) hash.update(s.file).update(s.text);
  return hash.digest("hex").slice(0, 16);
}

type Target = "ts" | "js";

/** A condition as a tree, so a long one can be laid out over several lines. */
type Group = { op: "&&" | "||"; parts: Test[] };
type Test = { code: Code } | Group | { not: Test };

// json-rules-engine's operators other than equal/notEqual, each as the helper function it compiles to, typed
// for the committed module and plain for the hot reload.
const helpers: Record<string, Record<Target, Code>> = {
  in: {
    ts: _`function isIn(x: unknown, list: unknown): boolean {
  return (list as unknown[]).indexOf(x) > -1;
}`,
    js: _`function isIn(x, list) {
  return list.indexOf(x) > -1;
}`,
  },
  notIn: {
    ts: _`function notIn(x: unknown, list: unknown): boolean {
  return (list as unknown[]).indexOf(x) === -1;
}`,
    js: _`function notIn(x, list) {
  return list.indexOf(x) === -1;
}`,
  },
  contains: {
    ts: _`function contains(x: unknown, item: unknown): boolean {
  return Array.isArray(x) && x.indexOf(item) > -1;
}`,
    js: _`function contains(x, item) {
  return Array.isArray(x) && x.indexOf(item) > -1;
}`,
  },
  doesNotContain: {
    ts: _`function doesNotContain(x: unknown, item: unknown): boolean {
  return Array.isArray(x) && x.indexOf(item) === -1;
}`,
    js: _`function doesNotContain(x, item) {
  return Array.isArray(x) && x.indexOf(item) === -1;
}`,
  },
  lessThan: {
    ts: _`function lessThan(x: unknown, limit: unknown): boolean {
  return isNumeric(x) && (x as number) < (limit as number);
}`,
    js: _`function lessThan(x, limit) {
  return isNumeric(x) && x < limit;
}`,
  },
  lessThanInclusive: {
    ts: _`function lessThanInclusive(x: unknown, limit: unknown): boolean {
  return isNumeric(x) && (x as number) <= (limit as number);
}`,
    js: _`function lessThanInclusive(x, limit) {
  return isNumeric(x) && x <= limit;
}`,
  },
  greaterThan: {
    ts: _`function greaterThan(x: unknown, limit: unknown): boolean {
  return isNumeric(x) && (x as number) > (limit as number);
}`,
    js: _`function greaterThan(x, limit) {
  return isNumeric(x) && x > limit;
}`,
  },
  greaterThanInclusive: {
    ts: _`function greaterThanInclusive(x: unknown, limit: unknown): boolean {
  return isNumeric(x) && (x as number) >= (limit as number);
}`,
    js: _`function greaterThanInclusive(x, limit) {
  return isNumeric(x) && x >= limit;
}`,
  },
};
const numeric = new Set(["lessThan", "lessThanInclusive", "greaterThan", "greaterThanInclusive"]);
const isNumericHelper: Record<Target, Code> = {
  ts: _`// json-rules-engine's numeric check (parseFloat, then compare with NaN), skipping the string for numbers.
function isNumeric(x: unknown): boolean {
  return typeof x === "number" ? x === x : Number.parseFloat(x as string).toString() !== "NaN";
}`,
  js: _`function isNumeric(x) {
  return typeof x === "number" ? x === x : Number.parseFloat(x).toString() !== "NaN";
}`,
};
// Every variant's fields, optional: a fact path reads undefined where the fact's variant lacks the field, as
// json-rules-engine's JSONPath does, and the facts stay typed by facts.schema.json.
const fieldsType = _`/** Every field some variant of T has, optional: a rule's path reads undefined where its variant has none. */
type Fields<T> = [NonNullable<T>] extends [readonly unknown[]]
  ? T
  : [NonNullable<T>] extends [object]
    ? { readonly [K in KeysOf<NonNullable<T>>]?: Fields<ValueOf<NonNullable<T>, K>> } | Extract<T, null | undefined>
    : T;
type KeysOf<T> = T extends unknown ? keyof T : never;
type ValueOf<T, K extends PropertyKey> = T extends unknown ? (K extends keyof T ? T[K] : never) : never;`;

/** What a compile produces: declarations before `decide`, its body, and the names both forms return. */
interface Compiled {
  declarations: Code[];
  body: Code;
  tables: Name;
  switches: Name;
  decide: Name;
}

const width = 120;

class RuleSetCompiler {
  // Names the module itself uses; a name taken from a rule never shadows them.
  private readonly scope = new Scope([
    "facts",
    "fired",
    "tables",
    "switches",
    "decide",
    "ruleSetDigest",
    "isNumeric",
    "Fields",
    "KeysOf",
    "ValueOf",
    "FiredAction",
    "Table",
    "Policy",
    ...Object.keys(helpers).map((op) => (op === "in" ? "isIn" : op)),
  ]);
  private readonly factLocals = new Map<string, Name>();
  private readonly accessLocals = new Map<string, Name>();
  // Each fact's read, then the reads of its paths, in the order the rules first use them.
  private readonly reads = new Map<string, Code[]>();
  private readonly usedOperators = new Set<string>();

  constructor(
    private readonly set: RuleSet,
    private readonly target: Target,
  ) {}

  private type(code: Code): Code {
    return this.target === "ts" ? code : nil;
  }

  /** The local holding a fact: read once per decision, and only if a rule reads it. */
  private fact(name: string): Name {
    let local = this.factLocals.get(name);
    if (!local) {
      local = this.scope.name(name);
      this.factLocals.set(name, local);
      const factsType = new Name(this.set.factsType);
      this.reads.set(name, [
        _`  const ${local}${this.type(_`: Fields<${factsType}[${name}]>`)} = facts${property(name)};`,
      ]);
    }
    return local;
  }

  /** The local holding a fact path (`dialogState` for dialog $.state): each distinct path read once. */
  private access(c: FactCondition): Code {
    const fact = this.fact(c.fact);
    const segments = c.path
      ? c.path
          .replace(/^\$\.?/, "")
          .split(".")
          .filter(Boolean)
      : [];
    if (segments.length === 0) return fact;
    const key = JSON.stringify([c.fact, segments]);
    let local = this.accessLocals.get(key);
    if (!local) {
      local = this.scope.name(c.fact, ...segments);
      this.accessLocals.set(key, local);
      this.reads.get(c.fact)?.push(
        _`  const ${local} = ${fact}${join(
          segments.map((s) => property(s, true)),
          "",
        )};`,
      );
    }
    return local;
  }

  private test(c: Condition): Test {
    if ("all" in c) return c.all.length === 0 ? { code: _`true` } : { op: "&&", parts: c.all.map((x) => this.test(x)) };
    if ("any" in c) return c.any.length === 0 ? { code: _`true` } : { op: "||", parts: c.any.map((x) => this.test(x)) };
    if ("not" in c) return { not: this.test(c.not) };
    const x = this.access(c);
    const v = c.value;
    switch (c.operator) {
      case "equal":
        return { code: _`${x} === ${v}` };
      case "notEqual":
        return { code: _`${x} !== ${v}` };
    }
    if (!Object.hasOwn(helpers, c.operator)) throw new Error(`codegen: unknown operator ${JSON.stringify(c.operator)}`);
    this.usedOperators.add(c.operator);
    const helper = new Name(c.operator === "in" ? "isIn" : c.operator);
    return { code: _`${helper}(${x}, ${v})` };
  }

  compile(): Compiled {
    const declarations: Code[] = [];
    const branches: Code[] = [];
    const nameWords = actionNameWords(this.set.rules.map((r) => r.rule.id));
    for (const { rule, file } of this.set.rules) {
      const fired: FiredAction[] = rule.actions.map((action, index) => ({ rule: rule.id, index, action }));
      const actions = this.scope.name(...nameWords.get(rule.id)!);
      const about = [
        comment(`Rule ${rule.id} (${file})`, "  "),
        comment(`Implements ${rule.trace.join(", ")}`, "  "),
        ...(rule.description ? [comment(rule.description, "  ")] : []),
      ];
      declarations.push(
        _`${comment(`The actions rule ${rule.id} fires (${file}).`)}
const ${actions}${this.type(_`: FiredAction[]`)} = ${value(fired, "")};`,
      );
      const test = layoutIf(this.test(rule.conditions));
      // Pushed one by one, not spread: as readable, and the plainest code for the JIT.
      const elements = fired.map((_f, i) => _`${actions}[${i}]`);
      const oneLine = join(elements, ", ");
      const push =
        String(oneLine).length + 16 <= width
          ? oneLine
          : _`
${spaces(6)}${join(elements, ",\n      ")},
    `;
      branches.push(_`
${join(about, "\n")}
  if (${test}) {
    fired.push(${push});
  }`);
    }
    const tables = new Name("tables");
    const switches = new Name("switches");
    const decide = new Name("decide");
    declarations.push(
      _`${comment("The rule files' tables, for the recipes that look values up (src/rules/materialise.ts).")}
const ${tables}${this.type(_`: Record<string, Table>`)} = ${value(this.set.tables, "")};`,
      _`${comment("The reading each recorded deviation's file chose: its policy switch's default (a node's config overrides it).")}
const ${switches}${this.type(_`: Partial<Policy>`)} = ${value(switchesOf(this.set), "")};`,
    );
    const used = Object.keys(helpers).filter((op) => this.usedOperators.has(op));
    if (used.some((op) => numeric.has(op))) declarations.push(isNumericHelper[this.target]);
    for (const op of used) declarations.push(helpers[op][this.target]);
    const body = _`${join([...this.reads.values()].flat(), "\n")}
  const fired${this.type(_`: FiredAction[]`)} = [];
${join(branches, "\n")}
  return fired;`;
    return { declarations, body, tables, switches, decide };
  }
}

/**
 * The words of the constant holding a rule's actions, from its id: item and slug (`b1Cancel200Ok`,
 * `item1ByeToCalled`, `on2xxCrossingCancelAckAndBye`), with the clause in front where two rules of different
 * clauses would share a name (`clause732Item1ReleaseTermination`).
 */
function actionNameWords(ids: readonly string[]): Map<string, string[]> {
  const parts = ids.map((id) => {
    const [head, slug = ""] = id.split("#");
    const item = head.slice(head.lastIndexOf("/") + 1);
    const clause = head.includes("/") ? head.slice(head.indexOf(":") + 1, head.lastIndexOf("/")) : "";
    const lead = /^[0-9][0-9.]*$/.test(item) ? "item" : /^[0-9]/.test(item) ? "on" : "";
    return { id, short: [lead, item, slug], clause };
  });
  const key = (words: string[]) =>
    words
      .join(" ")
      .replace(/[^A-Za-z0-9]+/g, "")
      .toLowerCase();
  const count = new Map<string, number>();
  for (const p of parts) count.set(key(p.short), (count.get(key(p.short)) ?? 0) + 1);
  return new Map(
    parts.map((p) => [p.id, count.get(key(p.short))! > 1 && p.clause ? ["clause", p.clause, ...p.short] : p.short]),
  );
}

/** `a && b && c` on one line when it fits, else one operand per line. */
function layoutIf(t: Test): Code {
  const flat = inline(t);
  if (String(flat).length + 8 <= width) return flat;
  return _`
${spaces(4)}${layout(t, "    ")}
  `;
}

function inline(t: Test): Code {
  if ("code" in t) return t.code;
  if ("not" in t) return _`!(${inline(t.not)})`;
  return join(
    flatten(t).map((p) => ("op" in p ? _`(${inline(p)})` : inline(p))),
    ` ${t.op} `,
  );
}

/** Nested groups of the same operator read as one list. */
function flatten(t: Group): Test[] {
  return t.parts.flatMap((p) => ("op" in p && p.op === t.op ? flatten(p) : [p]));
}

function layout(t: Test, indent: string): Code {
  const flat = inline(t);
  if (indent.length + String(flat).length <= width || "code" in t) return flat;
  if ("not" in t)
    return _`!(
${indentCode(indent)}  ${layout(t.not, `${indent}  `)}
${indentCode(indent)})`;
  const parts = flatten(t).map((p) => {
    if (!("op" in p)) return layout(p, indent);
    const inner = `${indent}  `;
    const one = inline(p);
    if (indent.length + String(one).length + 2 <= width) return _`(${one})`;
    return _`(
${indentCode(inner)}${layout(p, inner)}
${indentCode(indent)})`;
  });
  return join(parts, ` ${t.op}\n${indent}`);
}

function indentCode(indent: string): Code {
  return spaces(indent.length);
}

function compile(set: RuleSet, target: Target): Compiled {
  return new RuleSetCompiler(set, target).compile();
}

/** The committed module generated/runtime/<kind>.ts. */
export function runtimeModule(set: RuleSet, digest: string): string {
  const { declarations, body, decide } = compile(set, "ts");
  const factsType = new Name(set.factsType);
  const files = set.files.map((f) => f.file).join(", ");
  return `${_`${comment(`Generated by \`npm run generate\` from ${files}; do not edit.`)}
// The compiled form of the rules: one branch per rule, in evaluation order (priority, then file order), each
// preceded by its rule id, file, clause items and description. json-rules-engine runs the same files as the
// reference (src/rules/reference-evaluator.ts); test/rules/differential.test.ts keeps them equal.
import type { FiredAction, ${factsType}, Policy, Table } from "../types/index.ts";

export const ruleSetDigest = ${digest};

${fieldsType}

${join(declarations, "\n\n")}

export { switches, tables };

export function ${decide}(facts: ${factsType}): FiredAction[] {
${body}
}`}\n`;
}

/** generated/runtime/index.ts: the compiled rule sets by facts kind. */
export function runtimeIndex(kinds: readonly string[]): string {
  const names = [...kinds].sort().map((k) => new Name(k));
  return `${_`// Generated by \`npm run generate\`; do not edit. The compiled rule sets by facts kind; src/rules/live-rules.ts
// runs them and compiles their reloads.
${join(
  names.map((n) => _`import * as ${n} from ${`./${n}.ts`};`),
  "\n",
)}

export const runtimes = { ${join(names, ", ")} };`}\n`;
}

export interface Decider {
  decide(facts: unknown): FiredAction[];
  tables: Record<string, Table>;
  switches: Partial<Policy>;
}

/** The deviation switches of the rule set: each recorded deviation's policy key and the reading its file chose. */
export function switchesOf(set: RuleSet): Partial<Policy> {
  const out: Record<string, string> = {};
  for (const { doc } of set.files) for (const d of doc.deviations ?? []) out[d.switch.policy] = d.switch.chosen;
  return out as Partial<Policy>;
}

/** A decide function built in-process (hot reload): the same compile as generated/runtime, without types. */
export function buildDecider(set: RuleSet): Decider {
  const { declarations, body, tables, switches, decide } = compile(set, "js");
  const text = _`"use strict";
${join(declarations, "\n\n")}

function ${decide}(facts) {
${body}
}

return { ${tables}, ${switches}, ${decide} };`;
  return new Function(String(text))() as Decider;
}
