// Evaluates the closed recipe vocabulary of rule-file.schema.json against the facts. Pure: no clock, no
// randomness of its own (the random CSeq is a fact), no I/O.
import type { GmscFacts, ReasonValue, Recipe, ScscfFacts, Table } from "../../generated/types/index.ts";
import { contactBoundToGruu, gruuKind } from "./gruu.ts";

export type Facts = ScscfFacts | GmscFacts;
export type Tables = Record<string, Table>;
type Value = string | number | boolean | null | unknown[] | object;

/** Thrown when facts and rules cannot make a value the plan needs; names the recipe. */
export class RecipeError extends Error {}

export function formatReason(r: ReasonValue): string {
  return r.text === undefined ? `${r.protocol} ;cause=${r.cause}` : `${r.protocol} ;cause=${r.cause} ;text="${r.text}"`;
}

type Compiled = (facts: Facts, tables: Tables) => Value;
const compiled = new WeakMap<Recipe, Compiled>();

/**
 * Evaluates a recipe. Each recipe tree is turned into one closure once and reused (plans are made often): a
 * recipe's parts are compiled into it, so evaluating looks up only the outermost recipe.
 */
export function evaluate(recipe: Recipe, facts: Facts, tables: Tables): Value {
  return compiledOf(recipe)(facts, tables);
}

function compiledOf(recipe: Recipe): Compiled {
  let fn = compiled.get(recipe);
  if (fn === undefined) {
    fn = compile(recipe);
    compiled.set(recipe, fn);
  }
  return fn;
}

function compile(recipe: Recipe): Compiled {
  if ("fact" in recipe) {
    const parts = recipe.fact.split(".");
    return (facts) => {
      let node: unknown = facts;
      for (const part of parts) {
        if (node === null || typeof node !== "object") return null;
        node = (node as Record<string, unknown>)[part];
      }
      return (node ?? null) as Value;
    };
  }
  if ("literal" in recipe) {
    const value = recipe.literal;
    return () => value;
  }
  if ("increment" in recipe) {
    const inner = compiledOf(recipe.increment);
    const max = recipe.max ?? Number.MAX_SAFE_INTEGER;
    return (facts, tables) => {
      const v = inner(facts, tables);
      if (v === null) return null;
      if (typeof v !== "number") throw new RecipeError(`increment: expected a number, found ${JSON.stringify(v)}`);
      // Beyond the range the rule gives (e.g. a CSeq below 2^31), nothing usable: the rule says what then.
      return v + 1 > max ? null : v + 1;
    };
  }
  if ("randomCSeqIfAbsent" in recipe) {
    const inner = compiledOf(recipe.randomCSeqIfAbsent);
    return (facts, tables) => {
      const v = inner(facts, tables);
      if (v !== null) return v;
      const drawn = (facts as ScscfFacts).random?.cseq;
      if (drawn === undefined) throw new RecipeError("randomCSeqIfAbsent: expected the fact random.cseq");
      return drawn;
    };
  }
  if ("gruu" in recipe) {
    const inner = compiledOf(recipe.gruu);
    return (facts, tables) => {
      const uri = inner(facts, tables);
      if (typeof uri !== "string") return null;
      if (gruuKind(uri) === "none") return uri;
      const bound = contactBoundToGruu(uri, (facts as ScscfFacts).bindings ?? []);
      if (bound !== undefined) return bound;
      return facts.policy.gruuWithoutBinding === "skip-bye" ? null : uri;
    };
  }
  if ("policy" in recipe) {
    const key = recipe.policy;
    return (facts) => (facts.policy as unknown as Record<string, Value>)[key] ?? null;
  }
  if ("table" in recipe) {
    const name = recipe.table;
    const key = compiledOf(recipe.key);
    const fallback = recipe.default && compiledOf(recipe.default);
    return (facts, tables) => {
      const k = key(facts, tables);
      const table = tables[name];
      // Own keys only: a key such as "toString" is no entry of a table read from JSON.
      const hit = table && k !== null && Object.hasOwn(table, String(k)) ? table[String(k)] : undefined;
      if (hit !== undefined) return hit;
      return fallback ? fallback(facts, tables) : null;
    };
  }
  if ("tableKeys" in recipe) {
    const names = recipe.tableKeys;
    // The keys depend on the tables alone (one object per rule version): listed once per version, then shared.
    const listed = new WeakMap<Tables, string[]>();
    return (_facts, tables) => {
      let keys = listed.get(tables);
      if (keys === undefined) {
        keys = [...new Set(names.flatMap((name) => Object.keys(tables[name] ?? {})))];
        listed.set(tables, keys);
      }
      return keys;
    };
  }
  if ("concat" in recipe) {
    const parts = recipe.concat.map(compiledOf);
    return (facts, tables) => {
      let out = "";
      for (const part of parts) {
        const v = part(facts, tables);
        if (v === null) return null;
        out += String(v);
      }
      return out;
    };
  }
  if ("firstOf" in recipe) {
    const parts = recipe.firstOf.map(compiledOf);
    return (facts, tables) => {
      for (const part of parts) {
        const v = part(facts, tables);
        if (v !== null) return v;
      }
      return null;
    };
  }
  if ("list" in recipe) {
    const parts = recipe.list.map(compiledOf);
    return (facts, tables) => {
      const out: unknown[] = [];
      for (const part of parts) {
        const v = part(facts, tables);
        if (Array.isArray(v)) out.push(...v);
        else if (v !== null) out.push(v);
      }
      return out;
    };
  }
  if ("join" in recipe) {
    const inner = compiledOf(recipe.join);
    const { separator } = recipe;
    return (facts, tables) => {
      const v = inner(facts, tables);
      return Array.isArray(v) ? v.join(separator) : v === null ? "" : String(v);
    };
  }
  if ("reason" in recipe) {
    const inner = compiledOf(recipe.reason);
    const text = recipe.text && compiledOf(recipe.text);
    return (facts, tables) => {
      const v = inner(facts, tables);
      if (v === null || typeof v !== "object") return null;
      const override = text ? text(facts, tables) : null;
      return formatReason(override === null ? (v as ReasonValue) : { ...(v as ReasonValue), text: String(override) });
    };
  }
  const choose = compiledOf(recipe.choose);
  const cases = new Map(Object.entries(recipe.cases).map(([k, c]) => [k, compiledOf(c)]));
  const fallback = recipe.default && compiledOf(recipe.default);
  return (facts, tables) => {
    const key = choose(facts, tables);
    const chosen = key === null ? undefined : cases.get(String(key));
    if (chosen) return chosen(facts, tables);
    return fallback ? fallback(facts, tables) : null;
  };
}
