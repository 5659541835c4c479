// Why a JSON value does not fit its schema, in the words an editor needs: one fault per mistake, at the deepest
// place that explains it, in plain words (`expected an integer 0–999, found "abc"`, `unknown key "priorty"; did
// you mean "priority"?`, `missing key "method"`). ajv says whether a value fits; this walks the schema beside the
// value to say why. Where ajv would report every branch of a oneOf, the branch the value was meant for is chosen
// (its discriminating const matches, else it knows most of the value's keys, else it explains the value with the
// fewest faults) and only its faults count; an object of another shape altogether is one fault.
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { didYouMean, nearestName } from "./nearest-name.ts";
import { type SchemaName, schema, schemaNames } from "./schema-registry.ts";

export interface SchemaFault {
  pointer: string;
  message: string;
}

type Node = { [key: string]: unknown };
/** A place in the project's schemas: file and JSON pointer ("rule-file", "/$defs/Action/oneOf/0"). */
interface Place {
  file: SchemaName;
  pointer: string;
}

const base = "https://cleardown.dev/schemas/";

// A second ajv, only for explaining: it must not fill defaults into the value it explains (the node's ajv does),
// and it is built on the first fault, never on a path that validates.
let explainer: Ajv2020 | undefined;
const validators = new Map<string, ValidateFunction>();

function fits(place: Place, data: unknown): boolean {
  const ref = `${base}${place.file}.schema.json#${place.pointer}`;
  let v = validators.get(ref);
  if (!v) {
    if (!explainer) {
      explainer = new Ajv2020({ allErrors: false, strict: false });
      for (const name of schemaNames) explainer.addSchema(schema(name));
    }
    v = explainer.compile({ $ref: ref });
    validators.set(ref, v);
  }
  return v(data);
}

const escapeKey = (key: string) => key.replace(/~/g, "~0").replace(/\//g, "~1");

function nodeAt(place: Place): Node {
  let node: unknown = schema(place.file);
  for (const part of place.pointer.split("/").slice(1))
    node = (node as Node)[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  return node as Node;
}

/** Follows $ref until a schema with content: the place and the node there. */
function resolve(place: Place): [Place, Node] {
  let at = place;
  let node = nodeAt(at);
  while (typeof node.$ref === "string") {
    const [target, fragment = ""] = node.$ref.split("#");
    at = { file: target ? (target.replace(".schema.json", "") as SchemaName) : at.file, pointer: fragment };
    node = nodeAt(at);
  }
  return [at, node];
}

const child = (place: Place, ...parts: Array<string | number>): Place => ({
  file: place.file,
  pointer: `${place.pointer}/${parts.map((p) => escapeKey(String(p))).join("/")}`,
});

function jsonType(data: unknown): string {
  if (data === null) return "null";
  if (Array.isArray(data)) return "array";
  if (Number.isInteger(data)) return "integer";
  return typeof data;
}

function typeFits(type: unknown, data: unknown): boolean {
  const actual = jsonType(data);
  const types = Array.isArray(type) ? type : [type];
  return types.some((t) => t === actual || (t === "number" && actual === "integer"));
}

/** The value as an editor would recognise it: a string quoted (cut if long), an object or array by kind. */
function shown(data: unknown): string {
  if (Array.isArray(data)) return data.length === 0 ? "an empty array" : "an array";
  if (data !== null && typeof data === "object") return "an object";
  const text = JSON.stringify(data) ?? String(data);
  return text.length > 60 ? `${text.slice(0, 57)}…"` : text;
}

function range(node: Node): string {
  const min = node.minimum as number | undefined;
  const max = node.maximum as number | undefined;
  const above = node.exclusiveMinimum as number | undefined;
  if (min !== undefined && max !== undefined) return ` ${min}–${max}`;
  if (min !== undefined) return ` ≥ ${min}`;
  if (above !== undefined) return ` > ${above}`;
  if (max !== undefined) return ` ≤ ${max}`;
  return "";
}

const typeWord: Record<string, string> = {
  integer: "an integer",
  number: "a number",
  string: "a string",
  boolean: "true or false",
  null: "null",
  object: "an object",
  array: "an array",
};

function typeWords(node: Node): string {
  const types = (Array.isArray(node.type) ? node.type : [node.type]) as string[];
  const words = types.map((t) => (t === "integer" || t === "number" ? `${typeWord[t]}${range(node)}` : typeWord[t]));
  return words.length === 1 ? words[0] : `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}

/** The schema's own words for what it wants, as the object of "expected" ("Clause item id + # + slug."). */
function described(node: Node): string | undefined {
  const d = typeof node.description === "string" ? node.description : undefined;
  if (!d) return undefined;
  const trimmed = d.replace(/\.\s*$/, "");
  // "The clause id …", "A Reason text …" → "the clause id …", "a Reason text …"; "SIP, Q.850 …" stays as written
  return /^([A-Z][a-z]+|A)\b/.test(trimmed) ? trimmed[0].toLowerCase() + trimmed.slice(1) : trimmed;
}

const quoted = (values: unknown[]) => values.map((v) => JSON.stringify(v)).join(", ");
const oneOfKeys = (keys: string[]) =>
  keys.length === 1 ? `the key ${quoted(keys)}` : `one of the keys ${quoted(keys)}`;

/** Keys an object schema (or any branch of a union of them) knows. */
function knownKeys(place: Place): string[] {
  const [at, node] = resolve(place);
  const own = Object.keys((node.properties as Node | undefined) ?? {});
  const union = (node.oneOf ?? node.anyOf) as unknown[] | undefined;
  if (!union) return own;
  return [...new Set([...own, ...union.flatMap((_, i) => knownKeys(child(at, node.oneOf ? "oneOf" : "anyOf", i)))])];
}

/** The key that names each object branch of a union (its first required key: "fact", "table", "join", …). */
function namingKeys(place: Place): string[] {
  const [at, node] = resolve(place);
  const union = (node.oneOf ?? node.anyOf) as unknown[] | undefined;
  if (union) return union.flatMap((_, i) => namingKeys(child(at, node.oneOf ? "oneOf" : "anyOf", i)));
  const required = node.required as string[] | undefined;
  return required && required.length > 0 ? [required[0]] : Object.keys((node.properties as Node | undefined) ?? {});
}

/** What a branch takes, in words ("an object", "a string"), through nested unions. */
function kindsOf(place: Place): string[] {
  const [at, node] = resolve(place);
  const union = (node.oneOf ?? node.anyOf) as unknown[] | undefined;
  if (node.type !== undefined) return [typeWords(node)];
  if ("const" in node) return [JSON.stringify(node.const)];
  if (union) return union.flatMap((_, i) => kindsOf(child(at, node.oneOf ? "oneOf" : "anyOf", i)));
  return ["a value"];
}

/** Whether a branch can take a value of this JSON type at all. */
function takesTypeOf(place: Place, data: unknown): boolean {
  const [at, node] = resolve(place);
  const union = (node.oneOf ?? node.anyOf) as unknown[] | undefined;
  if (union) return union.some((_, i) => takesTypeOf(child(at, node.oneOf ? "oneOf" : "anyOf", i), data));
  if (node.type !== undefined) return typeFits(node.type, data);
  if ("const" in node) return jsonType(node.const) === jsonType(data);
  return true;
}

/** The const a branch puts on a key (its discriminator: an action's "type"), if any. */
function constOf(place: Place, key: string): { found: true; value: unknown } | { found: false } {
  const [, node] = resolve(place);
  const prop = (node.properties as Record<string, Node> | undefined)?.[key];
  if (prop && "const" in prop) return { found: true, value: prop.const };
  if (prop && Array.isArray(prop.enum) && prop.enum.length === 1) return { found: true, value: prop.enum[0] };
  return { found: false };
}

function collect(place: Place, data: unknown, pointer: string): SchemaFault[] {
  const out: SchemaFault[] = [];
  explain(place, data, pointer, out);
  return out;
}

function explainUnion(at: Place, node: Node, data: unknown, pointer: string, out: SchemaFault[]): void {
  const keyword = node.oneOf ? "oneOf" : "anyOf";
  const branches = (node[keyword] as unknown[]).map((_, i) => child(at, keyword, i));
  let candidates = branches.filter((b) => takesTypeOf(b, data));
  if (candidates.length === 0) {
    const kinds = [...new Set(branches.flatMap(kindsOf))];
    out.push({ pointer, message: `expected ${kinds.join(" or ")}, found ${shown(data)}` });
    return;
  }
  if (data !== null && typeof data === "object" && !Array.isArray(data)) {
    const value = data as Record<string, unknown>;
    // Branches that only require one key or another (the object's keys are the node's own): none present, or
    // (oneOf) more than one.
    if (candidates.every((b) => knownKeys(b).length === 0)) {
      const naming = quoted([...new Set(candidates.flatMap((b) => namingKeys(b)))]);
      const fitting = candidates.filter((b) => fits(b, data)).length;
      out.push({
        pointer,
        message:
          fitting === 0
            ? `expected one of the keys ${naming}`
            : `expected only one of the keys ${naming}, found ${fitting === 2 ? "both" : fitting}`,
      });
      return;
    }
    // A discriminator: a key on which the branches put different consts ("type": "send-request", …).
    for (const key of Object.keys(value)) {
      const consts = candidates.map((b) => constOf(b, key));
      if (!consts.some((c) => c.found)) continue;
      const matching = candidates.filter((_, i) => {
        const c = consts[i];
        return !c.found || JSON.stringify(c.value) === JSON.stringify(value[key]);
      });
      if (matching.length === 0) {
        const allowed = consts.flatMap((c) => (c.found ? [c.value] : []));
        const near = typeof value[key] === "string" ? didYouMean(value[key] as string, allowed.map(String)) : "";
        out.push({
          pointer: `${pointer}/${escapeKey(key)}`,
          message: `expected one of ${quoted(allowed)}, found ${shown(value[key])}${near}`,
        });
        return;
      }
      candidates = matching;
    }
    // No key of the value is known to any branch: the value's keys are the fault, not one branch's.
    const keys = Object.keys(value);
    const known = candidates.map((b) => new Set(knownKeys(b)));
    if (!known.some((k) => keys.some((key) => k.has(key)))) {
      const all = [...new Set(candidates.flatMap((b) => knownKeys(b)))];
      const naming = [...new Set(candidates.flatMap((b) => namingKeys(b)))];
      if (keys.length === 0) {
        out.push({ pointer, message: `expected an object with ${oneOfKeys(naming)}` });
        return;
      }
      for (const key of keys) {
        const near = didYouMean(key, all);
        out.push({
          pointer: `${pointer}/${escapeKey(key)}`,
          message: `unknown key ${JSON.stringify(key)}${near || `; expected ${oneOfKeys(naming)}`}`,
        });
      }
      return;
    }
  }
  // The branch meant knows most of the value's keys, and of those explains it with the fewest faults (ties: the
  // earlier branch).
  if (data !== null && typeof data === "object" && !Array.isArray(data)) {
    const keys = Object.keys(data);
    const score = (b: Place) => {
      const known = new Set(knownKeys(b));
      return keys.filter((k) => known.has(k)).length;
    };
    const most = Math.max(...candidates.map(score));
    candidates = candidates.filter((b) => score(b) === most);
  }
  let best: SchemaFault[] | undefined;
  for (const b of candidates) {
    const faults = collect(b, data, pointer);
    if (best === undefined || faults.length < best.length) best = faults;
  }
  out.push(...best!);
}

/** The allowed keys the unknown ones are near to (misspellings). */
function meant(unknown: string[], allowed: string[]): Set<string> {
  return new Set(unknown.map((k) => nearestName(k, allowed)).filter((k) => k !== undefined));
}

function explainObject(at: Place, node: Node, value: Record<string, unknown>, pointer: string, out: SchemaFault[]) {
  const props = (node.properties as Record<string, Node> | undefined) ?? {};
  const required = ((node.required as string[] | undefined) ?? []).filter((k) => !(k in value));
  const unknown = node.additionalProperties === false ? Object.keys(value).filter((k) => !(k in props)) : [];
  const allowed = Object.keys(props).filter((k) => !(k in value));
  // an object of another shape altogether (no key it should have, several it lacks): one fault, not one per key
  const keys = Object.keys(value);
  if (required.length + unknown.length > 2 && !keys.some((k) => k in props) && meant(unknown, allowed).size === 0) {
    const found = keys.length === 0 ? "an empty object" : `one with only ${quoted(keys)}`;
    out.push({ pointer, message: `expected an object with the keys ${quoted(required)}, found ${found}` });
    return;
  }
  // a misspelt required key is one fault (the unknown key, with the suggestion), not two
  const misspelt = meant(unknown, allowed);
  for (const key of required) {
    if (!misspelt.has(key)) out.push({ pointer: `${pointer}/${escapeKey(key)}`, message: `missing key "${key}"` });
  }
  for (const key of unknown) {
    const near = didYouMean(key, allowed);
    out.push({
      pointer: `${pointer}/${escapeKey(key)}`,
      message: `unknown key ${JSON.stringify(key)}${near || `; expected ${oneOfKeys(Object.keys(props))}`}`,
    });
  }
  for (const [key, v] of Object.entries(value)) {
    const place = key in props ? child(at, "properties", key) : undefined;
    const extra =
      place === undefined && typeof node.additionalProperties === "object"
        ? child(at, "additionalProperties")
        : undefined;
    const target = place ?? extra;
    if (target) explain(target, v, `${pointer}/${escapeKey(key)}`, out);
  }
}

function explain(place: Place, data: unknown, pointer: string, out: SchemaFault[]): void {
  if (fits(place, data)) return;
  const before = out.length;
  const [at, node] = resolve(place);
  const union = node.oneOf !== undefined || node.anyOf !== undefined;
  // a union beside keywords of its own (an object's properties, its branches only requiring one key or another):
  // the node's own keywords first; the union only when they fit
  if (!union || ownAssertions.some((k) => k in node)) explainOwn(at, node, data, pointer, out);
  if (union && out.length === before) explainUnion(at, node, data, pointer, out);
  // a condition (the S-CSCF clause's file must keep its cause table): the branch the value takes explains it
  if (out.length === before && node.if !== undefined) {
    const branch = fits(child(at, "if"), data) ? "then" : "else";
    if (node[branch] !== undefined) explain(child(at, branch), data, pointer, out);
  }
  if (out.length === before && Array.isArray(node.allOf))
    for (const [i] of node.allOf.entries()) explain(child(at, "allOf", i), data, pointer, out);
  // a keyword this walk does not know: say so rather than nothing
  if (out.length === before) out.push({ pointer, message: `expected a value that fits ${describeSchema(node)}` });
}

const ownAssertions = ["type", "const", "enum", "properties", "required", "additionalProperties", "items", "pattern"];

function explainOwn(at: Place, node: Node, data: unknown, pointer: string, out: SchemaFault[]): void {
  if (node.type !== undefined && !typeFits(node.type, data)) {
    out.push({ pointer, message: `expected ${typeWords(node)}, found ${shown(data)}` });
  } else if ("const" in node && JSON.stringify(node.const) !== JSON.stringify(data)) {
    out.push({ pointer, message: `expected ${JSON.stringify(node.const)}, found ${shown(data)}` });
  } else if (Array.isArray(node.enum) && !node.enum.some((v) => JSON.stringify(v) === JSON.stringify(data))) {
    const near = typeof data === "string" ? didYouMean(data, node.enum.map(String)) : "";
    out.push({ pointer, message: `expected one of ${quoted(node.enum)}, found ${shown(data)}${near}` });
  } else if (typeof data === "string") {
    explainString(node, data, pointer, out);
  } else if (typeof data === "number") {
    out.push({ pointer, message: `expected ${typeWords({ ...node, type: node.type ?? "number" })}, found ${data}` });
  } else if (Array.isArray(data)) {
    const min = node.minItems as number | undefined;
    const max = node.maxItems as number | undefined;
    if (min !== undefined && data.length < min)
      out.push({ pointer, message: `expected at least ${min} item${min === 1 ? "" : "s"}, found ${data.length}` });
    else if (max !== undefined && data.length > max)
      out.push({ pointer, message: `expected at most ${max} item${max === 1 ? "" : "s"}, found ${data.length}` });
    else if (node.items) {
      for (const [i, item] of data.entries()) explain(child(at, "items"), item, `${pointer}/${i}`, out);
    }
  } else if (data !== null && typeof data === "object") {
    explainObject(at, node, data as Record<string, unknown>, pointer, out);
  }
}

function explainString(node: Node, data: string, pointer: string, out: SchemaFault[]): void {
  const words = described(node);
  const min = node.minLength as number | undefined;
  const max = node.maxLength as number | undefined;
  const length = [...data].length;
  let wanted: string | undefined;
  if (min !== undefined && length < min) wanted = `at least ${min} character${min === 1 ? "" : "s"}`;
  else if (max !== undefined && length > max) wanted = `at most ${max} character${max === 1 ? "" : "s"}`;
  if (wanted) {
    out.push({ pointer, message: `expected a string of ${wanted}${words ? ` (${words})` : ""}, found ${shown(data)}` });
    return;
  }
  // a pattern is explained by the schema's own words where it has them, a regular expression only where not
  if (typeof node.pattern === "string" && !new RegExp(node.pattern, "u").test(data)) {
    const what = words ? `a string (${words})` : `a string matching ${node.pattern}`;
    out.push({ pointer, message: `expected ${what}, found ${shown(data)}` });
  }
}

function describeSchema(node: Node): string {
  return typeof node.title === "string" ? node.title : (described(node) ?? "the schema");
}

/**
 * Every fault of `data` against a schema of the project (a definition of it when `def` is given), each once, at
 * its JSON pointer; empty when it fits.
 */
export function schemaFaults(name: SchemaName, data: unknown, def?: string): SchemaFault[] {
  return collect({ file: name, pointer: def ? `/$defs/${def}` : "" }, data, "");
}
