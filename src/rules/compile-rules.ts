// Compiles a rule set into plain synchronous code: one `if` per rule, conditions inlined, actions as
// constants. Values are embedded with JSON.stringify and ids only in line comments, so nothing in a rule
// file can become code. The same body serves the committed TypeScript (generated/runtime) and the in-process
// compile a hot reload makes.
import type { Condition, FactCondition, RuleFile } from "../../generated/types/index.ts";
import type { RuleSet } from "./load-rules.ts";

const factNames = ["event", "dialog", "bindings", "policy", "random", "call"] as const;

function access(c: FactCondition): string {
  const fact = `f_${c.fact}`;
  if (!c.path) return fact;
  // The schema limits paths to identifiers ($.a.b), so they are written as property accesses.
  const props = c.path
    .slice(2)
    .split(".")
    .map((p) => `?.${p}`)
    .join("");
  // json-rules-engine applies a path only to an object fact value; otherwise it compares the value itself.
  return `(o_${c.fact} ? ${fact}${props} : ${fact})`;
}

function operator(c: FactCondition, x: string): string {
  const v = JSON.stringify(c.value);
  switch (c.operator) {
    case "equal":
      return `${x} === ${v}`;
    case "notEqual":
      return `${x} !== ${v}`;
    case "in":
      return `${v}.indexOf(${x}) > -1`;
    case "notIn":
      return `${v}.indexOf(${x}) === -1`;
    case "contains":
      return `(Array.isArray(${x}) && ${x}.indexOf(${v}) > -1)`;
    case "doesNotContain":
      return `(Array.isArray(${x}) && ${x}.indexOf(${v}) === -1)`;
    case "lessThan":
      return `(isNumeric(${x}) && ${x} < ${v})`;
    case "lessThanInclusive":
      return `(isNumeric(${x}) && ${x} <= ${v})`;
    case "greaterThan":
      return `(isNumeric(${x}) && ${x} > ${v})`;
    case "greaterThanInclusive":
      return `(isNumeric(${x}) && ${x} >= ${v})`;
  }
}

class ConditionWriter {
  readonly lets: string[] = [];
  private readonly seen = new Map<string, string>();

  /** Each distinct fact access is read once per decision, into a local. */
  private local(c: FactCondition): string {
    const expr = access(c);
    let name = this.seen.get(expr);
    if (!name) {
      name = `v${this.seen.size}`;
      this.seen.set(expr, name);
      this.lets.push(`  const ${name} = ${expr};`);
    }
    return name;
  }

  write(c: Condition): string {
    if ("all" in c) return `(${c.all.map((x) => this.write(x)).join(" && ")})`;
    if ("any" in c) return `(${c.any.map((x) => this.write(x)).join(" || ")})`;
    if ("not" in c) return `!${this.write(c.not)}`;
    return operator(c, this.local(c));
  }
}

/** The deviation switches of the rule set: each recorded deviation's policy key and the reading its file chose. */
export function switchesOf(set: RuleSet): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { doc } of set.files) for (const d of doc.deviations ?? []) out[d.switch.policy] = d.switch.chosen;
  return out;
}

export interface CompiledBody {
  /** Constants (fired actions, tables), as JavaScript. */
  constants: string;
  /** Statements of `decide(facts)`, as JavaScript; they return the fired actions. */
  body: string;
}

export function compileBody(set: RuleSet): CompiledBody {
  const writer = new ConditionWriter();
  const branches: string[] = [];
  const constants: string[] = [];
  set.rules.forEach(({ rule, file }, n) => {
    const fired = rule.actions.map((action, index) => ({ rule: rule.id, index, action }));
    constants.push(`// ${rule.id} (${file})\nconst R${n} = ${JSON.stringify(fired, null, 2)};`);
    const test = writer.write(rule.conditions);
    branches.push(
      `  // rule ${rule.id} — ${file}\n` +
        `  // implements ${rule.trace.join(", ")}\n` +
        (rule.description ? `  // ${JSON.stringify(rule.description)}\n` : "") +
        `  if (${test}) out.push(${fired.map((_, i) => `R${n}[${i}]`).join(", ")});`,
    );
  });
  const reads = factNames
    .map((f) => `  const f_${f} = facts.${f};\n  const o_${f} = f_${f} !== null && typeof f_${f} === "object";`)
    .join("\n");
  return {
    constants: `${constants.join("\n")}\nconst tables = ${JSON.stringify(set.tables)};\nconst switches = ${JSON.stringify(switchesOf(set))};\nfunction isNumeric(x) {\n  // json-rules-engine's numeric check (parseFloat, then compare with NaN), skipping the string for numbers.\n  return typeof x === "number" ? x === x : Number.parseFloat(x).toString() !== "NaN";\n}`,
    body: `${reads}\n${writer.lets.join("\n")}\n  const out = [];\n${branches.join("\n")}\n  return out;`,
  };
}

/** A decide function built in-process (hot reload): the same code as generated/runtime, without types. */
export function buildDecider(set: RuleSet): {
  decide: (facts: unknown) => unknown[];
  tables: RuleSet["tables"];
  switches: Record<string, string>;
} {
  const { constants, body } = compileBody(set);
  const make = new Function(`"use strict";\n${constants}\nreturn { tables, switches, decide(facts) {\n${body}\n} };`);
  return make();
}

const factsType: Record<RuleFile["facts"], string> = { scscf: "ScscfFacts", gmsc: "GmscFacts" };

/** The committed module generated/runtime/<kind>.ts. */
export function runtimeModule(set: RuleSet, digest: string): string {
  const { constants, body } = compileBody(set);
  const typed = constants
    .replace(/^const (R\d+) = /gm, "const $1: FiredAction[] = ")
    .replace("const tables = ", "export const tables: Record<string, Table> = ")
    // The reading each recorded deviation's file chose: the default of its policy switch (config overrides it).
    .replace("const switches = ", "export const switches: Partial<Policy> = ")
    .replace("function isNumeric(x) {", "function isNumeric(x: unknown): boolean {")
    .replace("Number.parseFloat(x)", "Number.parseFloat(x as string)");
  return [
    `// Generated by \`npm run generate\` from ${set.files.map((f) => f.file).join(", ")} — do not edit.`,
    "// The compiled form of the rules: one branch per rule, in evaluation order (priority, then file order).",
    "// Each branch names its rule and the clause items it implements. json-rules-engine runs the same files",
    "// as the reference (src/rules/reference-evaluator.ts); test/rules/differential.test.ts keeps them equal.",
    `import type { FiredAction, ${factsType[set.kind]}, Policy, Table } from "../types/index.ts";`,
    "",
    `export const ruleSetDigest = ${JSON.stringify(digest)};`,
    "",
    typed,
    "",
    `export function decide(facts: ${factsType[set.kind]}): FiredAction[] {`,
    body
      .replace(/^ {2}const f_(\w+) = facts\.(\w+);$/gm, "  const f_$1 = (facts as unknown as Record<string, any>).$2;")
      .replace("const out = [];", "const out: FiredAction[] = [];"),
    "}",
    "",
  ].join("\n");
}
