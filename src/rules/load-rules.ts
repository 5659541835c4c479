// Loads rules/: every file validated against rule-file.schema.json, then checked against spec/ and the
// facts schema. Problems come back all at once, each as file:line:column (JSON pointer): expected …
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Extension, Recipe, Rule, RuleFile, StateAssignment, Table } from "../../generated/types/index.ts";
import type { Spec } from "../spec/clause-items.ts";
import { JsonSyntaxError, jsonLocations, type Locations, locate } from "./json-locations.ts";
import { routings } from "./materialise.ts";
import { didYouMean, nearestName } from "./nearest-name.ts";
import { addDeclarations, emptyDeclarations } from "./rule-declarations.ts";
import { RuleError, type RuleProblem } from "./rule-problems.ts";
import { schemaFaults } from "./schema-faults.ts";
import { keysAtPath, schema, schemasAtPath, validator } from "./schema-registry.ts";

export type FactsKind = RuleFile["facts"];

export interface OrderedRule {
  rule: Rule;
  file: string;
}

/** The rules one node runs: all files of one facts kind, in evaluation order. */
export interface RuleSet {
  kind: FactsKind;
  /** The facts.schema.json definition the rules read (ScscfFacts, GmscFacts). */
  factsType: string;
  files: Array<{ file: string; doc: RuleFile }>;
  rules: OrderedRule[];
  tables: Record<string, Table>;
  extensions: Extension[];
}

export type RuleSets = Record<FactsKind, RuleSet>;

export interface RuleSource {
  file: string;
  text: string;
}

const rootDef: Record<FactsKind, string> = { scscf: "ScscfFacts", gmsc: "GmscFacts" };
const stateRoot: Record<FactsKind, string> = { scscf: "dialog", gmsc: "call" };
const policyKeys = Object.keys(
  (schema("facts").$defs as Record<string, { properties: Record<string, unknown> }>).Policy.properties,
);
// Where a planned message may go, per action (plan.schema.json: the towards of the plan each action becomes), and
// per node (facts.schema.json: the GMSC's legs, the S-CSCF's parties): a towards recipe that can give another value
// is a lint problem, not a plan the node cannot carry out.
const planOfAction: Record<string, string> = {
  "send-request": "SipRequestPlan",
  respond: "SipResponsePlan",
  "send-cancel": "SipCancelPlan",
  "send-bye": "SipByePlan",
  "send-ack": "SipAckPlan",
  "forward-request": "ForwardRequestPlan",
  "forward-response": "ForwardResponsePlan",
};
const towardsOfKind: Partial<Record<FactsKind, string>> = { gmsc: "Side" };

type SchemaNode = { $ref?: string; enum?: unknown[]; properties?: Record<string, SchemaNode> };
function planTowards(action: string, kind: FactsKind): string[] | undefined {
  const defs = schema("plan").$defs as Record<string, SchemaNode>;
  const local = (node: SchemaNode | undefined) => (node?.$ref ? defs[node.$ref.replace("#/$defs/", "")] : node);
  const plan = defs[planOfAction[action] ?? ""];
  const traced = local(plan?.properties?.towards);
  const own = (schema("facts").$defs as Record<string, SchemaNode>)[towardsOfKind[kind] ?? ""]?.enum;
  const values = local(traced?.properties?.value)?.enum ?? own;
  if (values === undefined) return undefined;
  return (values as string[]).filter((v) => own === undefined || own.includes(v));
}

/** Every value a recipe can give, when the recipe says (literal, an enum fact, table entries); else undefined. */
function possibleValues(recipe: Recipe, kind: FactsKind, tables: Record<string, Table>): unknown[] | undefined {
  if ("literal" in recipe) return [recipe.literal];
  if ("fact" in recipe) {
    const found = schemasAtPath(rootDef[kind], recipe.fact);
    if (found.length === 0 || found.some((s) => !Array.isArray(s.enum))) return undefined;
    return found.flatMap((s) => s.enum as unknown[]);
  }
  const more = (r: Recipe | undefined) => (r === undefined ? [] : possibleValues(r, kind, tables));
  if ("table" in recipe) {
    const rest = more(recipe.default);
    return rest === undefined ? undefined : [...Object.values(tables[recipe.table] ?? {}), ...rest];
  }
  if ("choose" in recipe) {
    const all = [...Object.values(recipe.cases), recipe.default].map(more);
    return all.some((v) => v === undefined) ? undefined : all.flat();
  }
  return undefined;
}

const nestedRecipeKeys = [
  "increment",
  "randomCSeqIfAbsent",
  "gruu",
  "key",
  "default",
  "join",
  "reason",
  "text",
  "choose",
];

/** The largest rule file read by default (limits.maxRuleFileBytes, `rules lint --max-file-bytes`): 1 MiB. */
export const DEFAULT_MAX_RULE_FILE_BYTES = 1024 * 1024;

/** The rule files of a folder, in name order; none is read while one is over `maxFileBytes`. */
export function ruleFiles(root: string, dir = "rules", maxFileBytes = DEFAULT_MAX_RULE_FILE_BYTES): string[] {
  const names = readdirSync(join(root, dir))
    .filter((f) => f.endsWith(".rules.json"))
    .sort();
  // Checked before anything is read or parsed: a huge file would hold the node's memory and thread.
  const problems: RuleProblem[] = [];
  for (const f of names) {
    const size = statSync(join(root, dir, f)).size;
    if (size > maxFileBytes)
      problems.push({
        file: `${dir}/${f}`,
        line: 1,
        column: 1,
        pointer: "",
        message: `expected a rule file of at most ${maxFileBytes} bytes (limits.maxRuleFileBytes), found ${size} bytes: not read`,
      });
  }
  if (problems.length > 0) throw new RuleError(problems);
  return names;
}

export function readRuleSources(root: string, dir = "rules", maxFileBytes = DEFAULT_MAX_RULE_FILE_BYTES): RuleSource[] {
  return ruleFiles(root, dir, maxFileBytes).map((f) => ({
    file: `${dir}/${f}`,
    text: readFileSync(join(root, dir, f), "utf8"),
  }));
}

/** Validates and orders rule files; throws RuleError listing every problem found. */
export function loadRuleSets(sources: RuleSource[], spec: Spec): RuleSets {
  const problems: RuleProblem[] = [];
  const parsed: Array<{ file: string; doc: RuleFile; locations: Locations }> = [];
  const validate = validator("rule-file");
  const declared = emptyDeclarations();
  // kinds with a file that does not fit the schema: its tables may be the ones other files look up in vain
  const unfitKinds = new Set<unknown>();
  for (const { file, text } of sources) {
    let locations: Locations;
    let doc: unknown;
    try {
      locations = jsonLocations(text);
      doc = JSON.parse(text);
    } catch (err) {
      const at = err instanceof JsonSyntaxError ? err : { line: 1, column: 1, message: String(err) };
      problems.push({ file, line: at.line, column: at.column, pointer: "", message: `not JSON: ${at.message}` });
      declared.someFileUnreadable = true;
      continue;
    }
    addDeclarations(declared, file, doc, locations);
    if (!validate(doc)) {
      // explained on the text as written: validating filled defaults into doc
      unfitKinds.add((doc as { facts?: unknown } | null)?.facts);
      for (const { pointer, message } of schemaFaults("rule-file", JSON.parse(text))) {
        problems.push({ file, ...locate(locations, pointer), pointer, message });
      }
      continue;
    }
    parsed.push({ file, doc: doc as RuleFile, locations });
  }

  const { extensionIds } = declared;
  // table lookups that found no table, by kind and name: reported after every file is read (see below)
  const missingTables = new Map<string, Array<{ report: () => void }>>();
  const lookedUp = new Set<string>();
  const ruleIds = new Map<string, string>();
  const tableOwners = new Map<string, string>();
  const clauses = new Set(spec.items.keys());
  const clauseDocs = new Set([...spec.documents].map((d) => d.clause).filter(Boolean) as string[]);

  for (const { file, doc, locations } of parsed) {
    const report = (pointer: string, message: string) =>
      problems.push({ file, ...locate(locations, pointer), pointer, message });
    const kind = doc.facts;
    if (doc.clause.startsWith("x-")) {
      if (!(doc.extensions ?? []).some((x) => x.id === doc.clause)) {
        report("/clause", `expected the extension id ${doc.clause} to be declared in this file's "extensions"`);
      }
    } else if (![...clauseDocs].some((c) => c === doc.clause || c.startsWith(`${doc.clause}.`))) {
      report("/clause", `expected a clause of spec/ (known: ${[...clauseDocs].sort().join(", ")})`);
    }
    for (const name of Object.keys(doc.tables ?? {})) {
      const owner = tableOwners.get(`${kind}:${name}`);
      if (owner) report(`/tables/${name}`, `expected a table name not already used (${owner} defines "${name}")`);
      else tableOwners.set(`${kind}:${name}`, file);
    }
    doc.deviations?.forEach((dev, i) => {
      if (!clauses.has(dev.item))
        report(`/deviations/${i}/item`, `expected a clause item id of spec/, found "${dev.item}"`);
      checkPolicy(dev.switch.policy, `/deviations/${i}/switch/policy`, report, [dev.switch.chosen, dev.switch.literal]);
    });
    walk(doc, "", (node, pointer, key) => {
      if ((key === "trace" || key === "follows") && Array.isArray(node)) {
        node.forEach((id, i) => {
          // an x- id may be declared in a file that is not JSON: that file's fault, not this one's
          if (typeof id !== "string" || clauses.has(id) || extensionIds.has(id)) return;
          if (!(declared.someFileUnreadable && id.startsWith("x-"))) {
            report(`${pointer}/${i}`, `expected a clause item id of spec/ or a declared extension id, found "${id}"`);
          }
        });
      }
    });
    doc.rules.forEach((rule, r) => {
      const at = `/rules/${r}`;
      const prior = ruleIds.get(rule.id);
      if (prior) report(`${at}/id`, `expected a unique rule id; "${rule.id}" is also defined in ${prior}`);
      else ruleIds.set(rule.id, file);
      walk(rule.conditions, `${at}/conditions`, (node, pointer) => {
        const c = node as { fact?: string; path?: string; operator?: string };
        if (typeof c.fact !== "string" || typeof c.operator !== "string") return;
        const path = c.path ? `${c.fact}${c.path.slice(1)}` : c.fact;
        if (schemasAtPath(rootDef[kind], path).length === 0) {
          report(
            c.path ? `${pointer}/path` : `${pointer}/fact`,
            `expected a fact path of ${rootDef[kind]}, found "${path}"${nearFactPath(rootDef[kind], path)}`,
          );
        }
      });
      rule.actions.forEach((action, a) => {
        walkRecipes(action, `${at}/actions/${a}`, (recipe, pointer) => checkRecipe(recipe, pointer, kind, report));
        if (action.type === "send-request" && "literal" in action.routing.recipe) {
          const value = action.routing.recipe.literal;
          if (!(routings as readonly unknown[]).includes(value))
            report(
              `${at}/actions/${a}/routing/recipe/literal`,
              `expected a routing (${routings.join(", ")}), found ${JSON.stringify(value)}${didYouMean(String(value), routings)}`,
            );
        }
        if ("towards" in action) {
          const allowed = planTowards(action.type, kind);
          const tables = Object.assign({}, ...parsed.filter((p) => p.doc.facts === kind).map((p) => p.doc.tables));
          const can = allowed && possibleValues(action.towards.recipe, kind, tables);
          const bad = can?.filter((v) => !allowed?.includes(v as string));
          if (allowed && bad && bad.length > 0)
            report(
              `${at}/actions/${a}/towards/recipe${"literal" in action.towards.recipe ? "/literal" : ""}`,
              `expected a towards of ${allowed.join(" or ")} (plan.schema.json, ${kind}), the recipe can give ${bad.map((v) => JSON.stringify(v)).join(", ")}`,
            );
        }
        const sets: Array<[StateAssignment[] | undefined, string]> =
          action.type === "update-state"
            ? [[action.set, "set"]]
            : action.type === "send-request"
              ? [
                  [action.onSent, "onSent"],
                  [action.ifNoRequestUri?.set, "ifNoRequestUri/set"],
                ]
              : [];
        for (const [set, where] of sets)
          for (const [i, s] of (set ?? []).entries())
            checkAssignment(s, `${at}/actions/${a}/${where}/${i}`, kind, report);
        // termination.FIELD: a field of each of the call's terminations (the facts schema's list items)
        if (action.type === "release-termination")
          for (const [i, s] of (action.onSent ?? []).entries())
            checkAssignment(
              { ...s, path: s.path.replace(/^termination\./, "call.terminations.") },
              `${at}/actions/${a}/onSent/${i}`,
              kind,
              report,
              s.path,
            );
      });
    });
  }
  reportMissingTables();
  if (problems.length > 0) throw new RuleError(problems);

  const sets = {} as RuleSets;
  for (const kind of ["scscf", "gmsc"] as const) {
    const files = parsed.filter((p) => p.doc.facts === kind);
    const ordered = files.flatMap((p, f) => p.doc.rules.map((rule, r) => ({ rule, file: p.file, f, r })));
    ordered.sort((x, y) => (y.rule.priority ?? 1) - (x.rule.priority ?? 1) || x.f - y.f || x.r - y.r);
    sets[kind] = {
      kind,
      factsType: rootDef[kind],
      files: files.map(({ file, doc }) => ({ file, doc })),
      rules: ordered.map(({ rule, file }) => ({ rule, file })),
      tables: Object.assign({}, ...files.map((p) => p.doc.tables ?? {})),
      extensions: files.flatMap((p) => p.doc.extensions ?? []),
    };
  }
  return sets;

  function checkPolicy(key: string, pointer: string, report: (p: string, m: string) => void, values: string[] = []) {
    if (!policyKeys.includes(key)) {
      report(pointer, `expected a policy key (${policyKeys.join(", ")}), found "${key}"`);
      return;
    }
    const allowed = schemasAtPath("ScscfFacts", `policy.${key}`)[0]?.enum as string[] | undefined;
    for (const v of values) {
      if (allowed && !allowed.includes(v))
        report(pointer, `expected a value of policy "${key}" (${allowed.join(", ")}), found "${v}"`);
    }
  }

  /** A state path the facts schema knows, and a literal value it allows there (its enum: "sent", "failed", …). */
  function checkAssignment(
    s: StateAssignment,
    at: string,
    kind: FactsKind,
    report: (p: string, m: string) => void,
    written = s.path,
  ) {
    if (!s.path.startsWith(`${stateRoot[kind]}.`)) {
      report(`${at}/path`, `expected a path under "${stateRoot[kind]}."`);
      return;
    }
    const targets = schemasAtPath(rootDef[kind], s.path, written !== s.path);
    if (targets.length === 0) {
      report(
        `${at}/path`,
        `expected a state path of ${rootDef[kind]}, found "${written}"${nearFactPath(rootDef[kind], s.path)}`,
      );
      return;
    }
    if (!("literal" in s.recipe)) return;
    const value = s.recipe.literal;
    // the JSON type the facts schema gives the field (a boolean field takes true or false, not "no")
    const types = targets.flatMap((t) => (t.type === undefined ? ["any"] : ([] as unknown[]).concat(t.type)));
    const got = value === null ? "null" : Number.isInteger(value) ? "integer" : typeof value;
    if (!types.some((t) => t === "any" || t === got || (t === "number" && got === "integer"))) {
      report(`${at}/recipe/literal`, `expected a ${types.join(" or ")} for ${written}, found ${JSON.stringify(value)}`);
      return;
    }
    const enums = targets.map((t) => t.enum as unknown[] | undefined).filter((e) => e !== undefined);
    if (enums.length > 0 && !enums.some((e) => e.includes(value)))
      report(
        `${at}/recipe/literal`,
        `expected a value of ${written} (${[...new Set(enums.flat())].join(", ")}), found ${JSON.stringify(value)}`,
      );
  }

  function checkRecipe(recipe: Recipe, pointer: string, kind: FactsKind, report: (p: string, m: string) => void) {
    if ("fact" in recipe && schemasAtPath(rootDef[kind], recipe.fact).length === 0) {
      report(
        `${pointer}/fact`,
        `expected a fact path of ${rootDef[kind]}, found "${recipe.fact}"${nearFactPath(rootDef[kind], recipe.fact)}`,
      );
    }
    if ("policy" in recipe) checkPolicy(recipe.policy, `${pointer}/policy`, report);
    for (const name of "tableKeys" in recipe ? recipe.tableKeys : []) {
      lookedUp.add(`${kind}:${name}`);
      if (!declared.tables[kind].has(name) && !declared.someFileUnreadable && !unfitKinds.has(kind))
        report(
          `${pointer}/tableKeys`,
          `expected a table defined in a ${kind} rule file, found "${name}"${didYouMean(name, declared.tables[kind].keys())}`,
        );
    }
    if ("table" in recipe) {
      const name = recipe.table;
      lookedUp.add(`${kind}:${name}`);
      if (!declared.tables[kind].has(name) && !declared.someFileUnreadable) {
        const list = missingTables.get(`${kind}:${name}`) ?? [];
        missingTables.set(`${kind}:${name}`, list);
        const near = didYouMean(name, declared.tables[kind].keys());
        list.push({
          report: () =>
            report(`${pointer}/table`, `expected a table defined in a ${kind} rule file, found "${name}"${near}`),
        });
      }
    }
  }

  // A table name looked up but defined nowhere, near the name of a table no rule looks up: the definition is the
  // one misspelt, one fault at the definition, not one per lookup in every file. Otherwise each lookup is a fault.
  function reportMissingTables() {
    for (const [key, lookups] of missingTables) {
      const [kind, name] = key.split(/:(.*)/s) as [FactsKind, string];
      const unused = [...declared.tables[kind].keys()].filter((t) => !lookedUp.has(`${kind}:${t}`));
      const meant = nearestName(name, unused);
      const definition = meant === undefined ? undefined : declared.tables[kind].get(meant);
      if (!definition) {
        // a file of this kind that does not fit the schema is the one at fault (its tables), not the lookups
        if (!unfitKinds.has(kind)) for (const l of lookups) l.report();
        continue;
      }
      const pointer = `/tables/${definition.name.replace(/~/g, "~0").replace(/\//g, "~1")}`;
      // the schema's "missing key" for a table the clause requires is this same mistake: reported once, here
      const missing = `/tables/${name.replace(/~/g, "~0").replace(/\//g, "~1")}`;
      for (let i = problems.length - 1; i >= 0; i--)
        if (
          problems[i].file === definition.file &&
          problems[i].pointer === missing &&
          problems[i].message.startsWith("missing key")
        )
          problems.splice(i, 1);
      problems.push({
        file: definition.file,
        ...locate(definition.locations, pointer),
        pointer,
        message: `unknown table name "${definition.name}" (no rule looks it up); did you mean "${name}"? (${lookups.length} lookup${lookups.length === 1 ? " uses" : "s use"} that name)`,
      });
    }
  }
}

/** `; did you mean "dialog.calledContact"?` for a fact path with one misspelt step, else "". */
function nearFactPath(root: string, path: string): string {
  const parts = path.split(".");
  // the first step that leads nowhere is the misspelt one
  let n = 0;
  while (n < parts.length - 1 && schemasAtPath(root, parts.slice(0, n + 1).join(".")).length > 0) n++;
  const near = nearestName(parts[n], keysAtPath(root, parts.slice(0, n).join(".")));
  if (near === undefined) return "";
  const fixed = [...parts.slice(0, n), near, ...parts.slice(n + 1)].join(".");
  return schemasAtPath(root, fixed).length > 0 ? `; did you mean "${fixed}"?` : "";
}

function walk(
  node: unknown,
  pointer: string,
  visit: (node: unknown, pointer: string, key: string) => void,
  key = "",
): void {
  visit(node, pointer, key);
  if (Array.isArray(node)) {
    for (const [i, v] of node.entries()) walk(v, `${pointer}/${i}`, visit, String(i));
  } else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node))
      walk(v, `${pointer}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`, visit, k);
  }
}

/** Calls back for every recipe (and nested recipe) inside an action. */
export function walkRecipes(action: unknown, pointer: string, visit: (recipe: Recipe, pointer: string) => void): void {
  const recipe = (r: Recipe, p: string): void => {
    visit(r, p);
    const rec = r as Record<string, unknown>;
    for (const k of nestedRecipeKeys) if (rec[k] && typeof rec[k] === "object") recipe(rec[k] as Recipe, `${p}/${k}`);
    for (const list of ["concat", "firstOf", "list"])
      if (Array.isArray(rec[list]))
        for (const [i, c] of (rec[list] as Recipe[]).entries()) recipe(c, `${p}/${list}/${i}`);
    if (rec.cases && typeof rec.cases === "object") {
      for (const [k, c] of Object.entries(rec.cases as Record<string, Recipe>)) recipe(c, `${p}/cases/${k}`);
    }
  };
  walk(action, pointer, (node, p, key) => {
    if (
      (key === "recipe" || key === "message" || key === "why") &&
      node &&
      typeof node === "object" &&
      !Array.isArray(node)
    )
      recipe(node as Recipe, p);
  });
}
