// Tries to break the rule compiler (issue 17 item 2), shared by the vitest test (test/rules/codegen-hostile.test.ts)
// and the fuzz benchmark (test/bench/fuzz.bench.ts). A case is the project's rule files with some string fields
// (values and keys: ids, descriptions, trace ids, table keys and values, header names and values, literals)
// replaced by hostile strings. Through lint: `rules lint` rejects it with file:line:col problems, or it compiles
// and then (a) both compiled forms parse, (b) evaluating them defines nothing on globalThis, (c) they agree with
// json-rules-engine on generated facts. Without lint: the same checks on a loaded rule set whose strings were
// replaced behind the schema's back, since the compiler must be safe without the schema's limits.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { transformSync } from "esbuild";
import fc from "fast-check";
import { buildDecider, type RuleSet, ruleSetDigest, runtimeModule } from "../../src/generate/runtime.ts";
import { loadRuleSets, type RuleSource, readRuleSources } from "../../src/rules/load-rules.ts";
import { referenceEvaluator } from "../../src/rules/reference-evaluator.ts";
import { rulesLint } from "../../src/rules/rules-lint.ts";
import { projectRoot } from "../../src/rules/schema-registry.ts";
import { loadSpec, type Spec } from "../../src/spec/clause-items.ts";
import { gmscFacts, scscfFacts } from "../rules/arbitraries.ts";

const pieces = [
  "\r",
  "\n",
  "\r\n",
  "\u2028",
  "\u2029",
  "\u0085",
  "'",
  '"',
  "`",
  "${",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder text is the attack
  "${globalThis.X=1}",
  "*/",
  "/*",
  "//",
  "</script>",
  "<!--",
  "\u0000",
  "\u001b[2J",
  "\ud800",
  "\udfff",
  "\\",
  "\\u2028",
  "\u202e",
  "__proto__",
  "constructor",
  "globalThis.X=1;//",
  "\u2028globalThis.X=1;//",
  "');globalThis.X=1;//",
  '"];globalThis.X=1;//',
  "x",
  "24.229:5.4.5.1.2/1",
];

/** Strings built from the pieces attackers and word processors use, now and then very long. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 4 }).map((p) => p.join("")) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom(...pieces).map((p) => p.repeat(Math.ceil(20_000 / p.length))) },
);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** Where a string sits in a JSON document: the path to it, and whether it is an object's key or a value. */
interface Slot {
  path: Array<string | number>;
  key: boolean;
}

function slots(node: Json, path: Array<string | number> = [], out: Slot[] = []): Slot[] {
  if (typeof node === "string") out.push({ path, key: false });
  else if (Array.isArray(node)) for (const [i, v] of node.entries()) slots(v, [...path, i], out);
  else if (node && typeof node === "object")
    for (const [k, v] of Object.entries(node)) {
      out.push({ path: [...path, k], key: true });
      slots(v, [...path, k], out);
    }
  return out;
}

/** A copy of `doc` with the string at `slot` replaced (a key renamed in place, order kept). */
function replaced(doc: Json, slot: Slot, text: string): Json {
  const copy = structuredClone(doc);
  const parentPath = slot.path.slice(0, -1);
  let parent = copy as Record<string | number, Json>;
  for (const p of parentPath) parent = parent[p] as Record<string | number, Json>;
  const last = slot.path[slot.path.length - 1];
  if (!slot.key) {
    parent[last] = text;
    return copy;
  }
  if (Object.hasOwn(parent, text)) return copy;
  const entries = Object.entries(parent).map(([k, v]): [string, Json] => [k === last ? text : k, v]);
  for (const k of Object.keys(parent)) delete parent[k];
  for (const [k, v] of entries)
    Object.defineProperty(parent, k, { value: v, enumerable: true, writable: true, configurable: true });
  return copy;
}

const spec: Spec = loadSpec(projectRoot);
const sources: RuleSource[] = readRuleSources(projectRoot);
const parsed = sources.map((s) => ({ file: s.file, doc: JSON.parse(s.text) as Json }));
const slotsByFile = parsed.map((p) => slots(p.doc));

export interface HostileCase {
  /** which rule file, which of its string slots, and the text each gets */
  file: number;
  changes: Array<{ slot: number; text: string }>;
}

// Prose and values lint lets through more of the hostile strings than ids do: two cases in three change only those,
// so both outcomes (rejected, compiled) are reached often.
const lenient = new Set([
  "description",
  "title",
  "text",
  "seedText",
  "chosenReading",
  "reason",
  "literal",
  "separator",
  "value",
]);
const lenientSlots = slotsByFile.map((list) =>
  list.flatMap((s, i) => (!s.key && (lenient.has(String(s.path.at(-1))) || s.path[0] === "tables") ? [i] : [])),
);

/** Hostile strings without CR, LF, NUL or other C0 controls: what a rule file's values may hold (U+2028 and U+2029
 * included), so lint lets many through and the compile has to hold. */
const printableHostile = hostileString.filter((t) => !/[\u0000-\u001f]/.test(t));

export const hostileCase: fc.Arbitrary<HostileCase> = fc.integer({ min: 0, max: parsed.length - 1 }).chain((file) => {
  const anywhere = fc.record({ slot: fc.nat({ max: slotsByFile[file].length - 1 }), text: hostileString });
  const inLenient =
    lenientSlots[file].length > 0
      ? fc.record({ slot: fc.constantFrom(...lenientSlots[file]), text: printableHostile })
      : anywhere;
  return fc.record({
    file: fc.constant(file),
    changes: fc.oneof(
      { weight: 1, arbitrary: fc.array(anywhere, { minLength: 1, maxLength: 3 }) },
      { weight: 2, arbitrary: fc.array(inLenient, { minLength: 1, maxLength: 3 }) },
    ),
  });
});

function mutatedDoc(c: HostileCase): Json {
  let doc = parsed[c.file].doc;
  // A renamed key moves the slots below it: re-read them after each change.
  for (const { slot, text } of c.changes) {
    const all = slots(doc);
    doc = replaced(doc, all[slot % all.length], text);
  }
  return doc;
}

/** A place on disk for the cases: spec/ once, rules/ rewritten per case. */
export function caseRoot(): { root: string; close(): void } {
  const root = mkdtempSync(join(tmpdir(), "cleardown-codegen-"));
  cpSync(join(projectRoot, "spec"), join(root, "spec"), { recursive: true });
  mkdirSync(join(root, "rules"));
  return { root, close: () => rmSync(root, { recursive: true, force: true }) };
}

export type Outcome = { verdict: "rejected" | "compiled" } | { verdict: "failed"; why: string };

const problemLine =
  /^(rules\/[^:\s]+\.rules\.json):(\d+):(\d+) \((\/[^\n]*)\): (expected|not JSON|missing key|unknown key|unknown table name)[^\n]*$/;

/** One case through `rules lint`, then (if accepted) through both compiled forms. */
export async function checkThroughLint(c: HostileCase, root: string): Promise<Outcome> {
  const texts = sources.map((s, i) => ({
    file: s.file,
    text: i === c.file ? `${JSON.stringify(mutatedDoc(c), null, 2)}\n` : s.text,
  }));
  for (const t of texts) writeFileSync(join(root, t.file), t.text);
  let lint: { exitCode: number; output: string };
  try {
    lint = rulesLint(root);
  } catch (err) {
    return { verdict: "failed", why: `rules lint threw instead of naming a place: ${(err as Error).stack}` };
  }
  if (lint.exitCode !== 0) {
    const lines = lint.output.split("\n");
    for (const line of lines) {
      const m = problemLine.exec(line);
      if (!m)
        return {
          verdict: "failed",
          why: `lint problem not as file:line:col (pointer): expected …: ${JSON.stringify(line)}`,
        };
      const text = texts.find((t) => t.file === m[1])?.text;
      if (text === undefined) return { verdict: "failed", why: `lint names a file it did not read: ${line}` };
      if (Number(m[2]) < 1 || Number(m[2]) > text.split("\n").length || Number(m[3]) < 1)
        return { verdict: "failed", why: `lint names a place outside the file: ${line}` };
    }
    return { verdict: "rejected" };
  }
  const sets = loadRuleSets(readRuleSources(root), spec);
  // The rule set the changed file belongs to (json-rules-engine is the slow part; the other set is unchanged).
  for (const set of Object.values(sets).filter((s) => s.files.some((f) => f.file === sources[c.file].file))) {
    const why = await checkCompiled(set, readRuleSources(root));
    if (why) return { verdict: "failed", why };
  }
  return { verdict: "compiled" };
}

/** Every string value of a loaded rule set, and the keys of its tables, except the fact names, paths and
 * operators that say what to read (json-rules-engine and the compiler must read the same thing to be compared);
 * other keys are the rule set's structure, which the schema guarantees. */
const structural = new Set(["fact", "path", "operator"]);

export interface BypassCase {
  kind: "scscf" | "gmsc";
  changes: Array<{ slot: number; text: string }>;
  /** the file name the first rule is said to come from */
  file: string;
}

export const bypassCase: fc.Arbitrary<BypassCase> = fc.record({
  kind: fc.constantFrom("scscf" as const, "gmsc" as const),
  changes: fc.array(fc.record({ slot: fc.nat(), text: hostileString }), { minLength: 1, maxLength: 6 }),
  file: hostileString,
});

const loaded = loadRuleSets(sources, spec);

/** One case behind the schema's back: a loaded rule set with strings (keys too) replaced, compiled. */
export async function checkWithoutLint(c: BypassCase): Promise<Outcome> {
  const base = loaded[c.kind];
  let doc = structuredClone({ rules: base.rules, tables: base.tables }) as unknown as Json;
  for (const { slot, text } of c.changes) {
    const all = slots(doc).filter((s) =>
      s.key ? s.path[0] === "tables" && s.path.length > 1 : !structural.has(String(s.path[s.path.length - 1])),
    );
    if (all.length === 0) break;
    doc = replaced(doc, all[slot % all.length], text);
  }
  const { rules, tables } = doc as unknown as Pick<RuleSet, "rules" | "tables">;
  const renamed = rules.map((r, i) => ({ ...r, file: i === 0 ? c.file : r.file }));
  const set = { ...base, rules: renamed, tables, files: [...base.files, { file: c.file, doc: base.files[0].doc }] };
  const why = await checkCompiled(set as typeof base, sources);
  return why ? { verdict: "failed", why } : { verdict: "compiled" };
}

/** A few fact sets per kind that together fire every rule of the project's rules (and a few that fire none), so
 * (c) compares every branch the compile wrote. */
function coveringFacts(kind: "scscf" | "gmsc"): unknown[] {
  const pool = fc.sample((kind === "scscf" ? scscfFacts : gmscFacts) as fc.Arbitrary<unknown>, {
    numRuns: 2000,
    seed: 17,
  });
  const decider = buildDecider(loaded[kind]);
  const seen = new Set<string>();
  const chosen = pool.filter((facts) => {
    const fresh = decider.decide(facts).filter((f) => !seen.has(f.rule));
    for (const f of fresh) seen.add(f.rule);
    return fresh.length > 0;
  });
  return [...chosen, ...pool.slice(0, 4)];
}

const factSamples = { scscf: coveringFacts("scscf"), gmsc: coveringFacts("gmsc") };

/** (a) both forms parse, (b) evaluating and running them defines nothing on globalThis, (c) both agree with
 * json-rules-engine on generated facts and carry the rule files' tables. Returns what failed, if anything. */
export async function checkCompiled(
  set: ReturnType<typeof loadRuleSets>["scscf"],
  from: RuleSource[],
): Promise<string | undefined> {
  const before = Reflect.ownKeys(globalThis);
  let ts: string;
  let forms: Array<[string, { decide(f: unknown): unknown; tables: unknown }]>;
  try {
    ts = runtimeModule(set, ruleSetDigest(set, from));
    const js = transformSync(ts, { loader: "ts", format: "cjs" }).code;
    const module = { exports: {} as Record<string, unknown> };
    new Function("module", "exports", "require", js)(module, module.exports, () => {
      throw new Error("the generated module requires something at run time");
    });
    forms = [
      ["generated module", module.exports as never],
      ["hot reload", buildDecider(set) as never],
    ];
  } catch (err) {
    return `(a) does not compile or parse: ${(err as Error).stack?.slice(0, 900)}`;
  }
  if (/[\u2028\u2029\u0085\u202a-\u202e\u2066-\u2069]/.test(ts))
    return "(a) the module holds a raw line or bidi separator";
  const reference = referenceEvaluator(set);
  for (const facts of factSamples[set.kind]) {
    const expected = await reference.decide(facts as never);
    for (const [name, form] of forms) {
      const actual = form.decide(facts);
      if (!isDeepStrictEqual(actual, expected))
        return `(c) ${name} and json-rules-engine disagree on ${JSON.stringify(facts)}`;
    }
  }
  for (const [name, form] of forms)
    if (!isDeepStrictEqual(form.tables, set.tables)) return `(c) ${name} tables differ from the rule files'`;
  const after = Reflect.ownKeys(globalThis);
  const added = after.filter((k) => !before.includes(k));
  if (added.length > 0) return `(b) defined on globalThis: ${added.map(String).join(", ")}`;
  return undefined;
}

export interface GeneratorStats {
  cases: number;
  rejected: number;
  compiled: number;
  failed: number;
  /** the first few failures, described */
  failures: string[];
}

/** `count` cases, half through lint and half behind its back, for the fuzz benchmark. Reproducible from the seed. */
export async function fuzzGenerator(count: number, seed = 1): Promise<GeneratorStats> {
  const stats: GeneratorStats = { cases: 0, rejected: 0, compiled: 0, failed: 0, failures: [] };
  const place = caseRoot();
  const record = (o: Outcome, c: unknown) => {
    stats.cases++;
    if (o.verdict === "failed") {
      stats.failed++;
      if (stats.failures.length < 5) stats.failures.push(`${o.why}\n  case: ${JSON.stringify(c).slice(0, 2000)}`);
    } else stats[o.verdict]++;
  };
  try {
    for (const c of fc.sample(hostileCase, { numRuns: Math.ceil(count / 2), seed }))
      record(await checkThroughLint(c, place.root), c);
    for (const c of fc.sample(bypassCase, { numRuns: Math.floor(count / 2), seed }))
      record(await checkWithoutLint(c), c);
  } finally {
    place.close();
  }
  return stats;
}
