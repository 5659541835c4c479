// Evaluates the closed recipe vocabulary of rule-file.schema.json against the facts. Pure: no clock, no
// randomness of its own (the random CSeq is a fact), no I/O.
import type { GmscFacts, ReasonValue, Recipe, ScscfFacts, Table } from "../../generated/types/index.ts";
import { contactBoundToGruu } from "./gruu.ts";

export type Facts = ScscfFacts | GmscFacts;
export type Tables = Record<string, Table>;
type Value = string | number | boolean | null | unknown[] | object;

/** Thrown when facts and rules cannot make a value the plan needs; names the recipe. */
export class RecipeError extends Error {}

export function factAt(facts: Facts, path: string): Value {
  let node: unknown = facts;
  for (const part of path.split(".")) {
    if (node === null || typeof node !== "object") return null;
    node = (node as Record<string, unknown>)[part];
  }
  return (node ?? null) as Value;
}

export function formatReason(r: ReasonValue): string {
  return r.text === undefined ? `${r.protocol} ;cause=${r.cause}` : `${r.protocol} ;cause=${r.cause} ;text="${r.text}"`;
}

export function evaluate(recipe: Recipe, facts: Facts, tables: Tables): Value {
  if ("fact" in recipe) return factAt(facts, recipe.fact);
  if ("literal" in recipe) return recipe.literal;
  if ("increment" in recipe) {
    const v = evaluate(recipe.increment, facts, tables);
    if (v === null) return null;
    if (typeof v !== "number") throw new RecipeError(`increment: expected a number, found ${JSON.stringify(v)}`);
    return v + 1;
  }
  if ("randomCSeqIfAbsent" in recipe) {
    const v = evaluate(recipe.randomCSeqIfAbsent, facts, tables);
    if (v !== null) return v;
    const drawn = (facts as ScscfFacts).random?.cseq;
    if (drawn === undefined) throw new RecipeError("randomCSeqIfAbsent: expected the fact random.cseq");
    return drawn;
  }
  if ("gruu" in recipe) {
    const uri = evaluate(recipe.gruu, facts, tables);
    if (typeof uri !== "string") return null;
    const bound = contactBoundToGruu(uri, (facts as ScscfFacts).bindings ?? []);
    if (bound !== undefined) return bound;
    const isGruu = /;gr(=|;|$|\?)/i.test(uri);
    return isGruu && facts.policy.gruuWithoutBinding === "skip-bye" ? null : uri;
  }
  if ("policy" in recipe) return (facts.policy as unknown as Record<string, Value>)[recipe.policy] ?? null;
  if ("table" in recipe) {
    const key = evaluate(recipe.key, facts, tables);
    const table = tables[recipe.table];
    const hit = table && key !== null ? table[String(key)] : undefined;
    if (hit !== undefined) return hit;
    return recipe.default ? evaluate(recipe.default, facts, tables) : null;
  }
  if ("concat" in recipe) {
    let out = "";
    for (const part of recipe.concat) {
      const v = evaluate(part, facts, tables);
      if (v === null) return null;
      out += String(v);
    }
    return out;
  }
  if ("join" in recipe) {
    const v = evaluate(recipe.join, facts, tables);
    return Array.isArray(v) ? v.join(recipe.separator) : v === null ? "" : String(v);
  }
  if ("reason" in recipe) {
    const v = evaluate(recipe.reason, facts, tables);
    return v !== null && typeof v === "object" ? formatReason(v as ReasonValue) : null;
  }
  const key = evaluate(recipe.choose, facts, tables);
  const chosen = key === null ? undefined : recipe.cases[String(key)];
  if (chosen) return evaluate(chosen, facts, tables);
  return recipe.default ? evaluate(recipe.default, facts, tables) : null;
}
