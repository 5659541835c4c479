// Issue 18 item 3, as a property: one mistake in one rule file — a key deleted, a key misspelt, a value of the
// wrong kind — that makes the file not fit rule-file.schema.json is reported exactly once, in that file, in
// words (never ajv's "must be …"), whatever the file and the place.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadRuleSets, readRuleSources } from "../../src/rules/load-rules.ts";
import { RuleError } from "../../src/rules/rule-problems.ts";
import { projectRoot, validator } from "../../src/rules/schema-registry.ts";
import { loadSpec } from "../../src/spec/clause-items.ts";

const spec = loadSpec(projectRoot);
const sources = readRuleSources(projectRoot);
const fitsSchema = validator("rule-file");

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function places(v: Json, path: string[] = [], out: string[][] = []): string[][] {
  if (path.length > 0) out.push(path);
  if (v !== null && typeof v === "object")
    for (const k of Object.keys(v)) places((v as Record<string, Json>)[k], [...path, k], out);
  return out;
}

const mutations = ["delete", "misspell key", "string", "number", "object"] as const;

function mutate(doc: Json, path: string[], how: (typeof mutations)[number]): void {
  const parent = path.slice(0, -1).reduce((o, k) => (o as Record<string, Json>)[k], doc) as Record<string, Json>;
  const key = path[path.length - 1];
  if (how === "delete") {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else if (how === "misspell key" && !Array.isArray(parent)) {
    parent[`${key.slice(0, -1)}${key.at(-1) === "e" ? "a" : "e"}`] = parent[key];
    delete parent[key];
  } else if (how === "string") parent[key] = "abc";
  else if (how === "number") parent[key] = 12345;
  else parent[key] = { bogus: true };
}

describe("a rule file that does not fit the schema: one mistake, one problem, in that file", () => {
  it("holds for random single mutations of every project rule file", () => {
    let checked = 0;
    fc.assert(
      fc.property(fc.nat(sources.length - 1), fc.nat(), fc.constantFrom(...mutations), (fileIndex, placeIndex, how) => {
        const source = sources[fileIndex];
        const doc = JSON.parse(source.text) as Json;
        const all = places(doc);
        const path = all[placeIndex % all.length];
        mutate(doc, path, how);
        if (fitsSchema(structuredClone(doc))) return; // still fits: other checks' business
        checked++;
        const text = JSON.stringify(doc, null, 2);
        let problems: RuleError["problems"] = [];
        try {
          loadRuleSets(
            sources.map((s) => (s === source ? { ...s, text } : s)),
            spec,
          );
        } catch (err) {
          if (!(err instanceof RuleError)) throw err;
          problems = err.problems;
        }
        expect(problems, `${how} /${path.join("/")} in ${source.file}`).toHaveLength(1);
        expect(problems[0].file).toBe(source.file);
        expect(problems[0].message).not.toMatch(/\bmust (be|have|match|NOT|equal)\b/);
      }),
      { numRuns: 80, seed: 18 },
    );
    expect(checked).toBeGreaterThan(30);
  });
});
