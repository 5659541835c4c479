// The project's JSON Schemas, loaded once into one ajv (draft 2020-12), plus a walker for fact paths.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
// Imported, not read from disk: the deployed bundle (npm run build) carries the schemas it was built with.
import admin from "../../schemas/admin.schema.json" with { type: "json" };
import clauseItem from "../../schemas/clause-item.schema.json" with { type: "json" };
import config from "../../schemas/config.schema.json" with { type: "json" };
import facts from "../../schemas/facts.schema.json" with { type: "json" };
import plan from "../../schemas/plan.schema.json" with { type: "json" };
import ruleFile from "../../schemas/rule-file.schema.json" with { type: "json" };
import store from "../../schemas/store.schema.json" with { type: "json" };

/** Where spec/ and rules/ live: CLEARDOWN_HOME, else beside the bundle (dist/), else the checkout. */
export const projectRoot =
  process.env.CLEARDOWN_HOME ??
  (existsSync(resolve(import.meta.dirname, "spec")) ? import.meta.dirname : resolve(import.meta.dirname, "../.."));

type JsonSchema = { [key: string]: unknown };
const schemas = new Map<SchemaName, JsonSchema>([
  ["clause-item", clauseItem],
  ["facts", facts],
  ["rule-file", ruleFile],
  ["plan", plan],
  ["config", config],
  ["store", store],
  ["admin", admin],
] as Array<[SchemaName, JsonSchema]>);
export type SchemaName = "clause-item" | "facts" | "rule-file" | "plan" | "config" | "store" | "admin";
export const schemaNames: SchemaName[] = [...schemas.keys()];

const ajv = new Ajv2020({ allErrors: true, strict: false, useDefaults: true });
for (const [name, schema] of schemas) ajv.addSchema(schema, `${name}.schema.json`);

export function schema(name: SchemaName): JsonSchema {
  return schemas.get(name)!;
}

export function validator(name: SchemaName, def?: string): ValidateFunction {
  const ref = def ? `${name}.schema.json#/$defs/${def}` : `${name}.schema.json`;
  return ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
}

/** Follows a $ref inside our schemas ("#/$defs/X" or "file.schema.json#/$defs/X"). */
function deref(node: JsonSchema, file: SchemaName): [JsonSchema, SchemaName] {
  let current = node;
  let currentFile = file;
  while (typeof current.$ref === "string") {
    const [target, fragment] = (current.$ref as string).split("#");
    if (target) currentFile = target.replace(".schema.json", "") as SchemaName;
    let found: unknown = schemas.get(currentFile);
    for (const part of (fragment ?? "").split("/").filter(Boolean)) found = (found as JsonSchema)[part];
    current = found as JsonSchema;
  }
  return [current, currentFile];
}

/** The schemas a dotted path can reach from a root definition of facts.schema.json; empty when unknown. */
export function schemasAtPath(rootDef: string, path: string, throughLists = false): JsonSchema[] {
  let frontier: Array<[JsonSchema, SchemaName]> = [deref({ $ref: `#/$defs/${rootDef}` }, "facts")];
  for (const part of path.split(".")) {
    const next: Array<[JsonSchema, SchemaName]> = [];
    const visit = (node: JsonSchema, file: SchemaName) => {
      const [s, f] = deref(node, file);
      for (const branch of (s.oneOf ?? s.anyOf ?? []) as JsonSchema[]) visit(branch, f);
      const props = s.properties as Record<string, JsonSchema> | undefined;
      if (props && part in props) next.push(deref(props[part], f));
      // with throughLists, a list's field is its items' field (call.terminations.seized: each termination's)
      if (throughLists && s.type === "array" && s.items && typeof s.items === "object") visit(s.items as JsonSchema, f);
    };
    for (const [node, file] of frontier) visit(node, file);
    frontier = next;
    if (frontier.length === 0) return [];
  }
  return frontier.map(([s]) => s);
}

/** The property names the value at a dotted path may have, through unions ("" is the root definition). */
export function keysAtPath(rootDef: string, path: string): string[] {
  const keys = new Set<string>();
  const visit = (node: JsonSchema, file: SchemaName) => {
    const [s, f] = deref(node, file);
    for (const branch of (s.oneOf ?? s.anyOf ?? []) as JsonSchema[]) visit(branch, f);
    for (const k of Object.keys((s.properties as JsonSchema | undefined) ?? {})) keys.add(k);
  };
  const at = path === "" ? [deref({ $ref: `#/$defs/${rootDef}` }, "facts")[0]] : schemasAtPath(rootDef, path);
  for (const node of at) visit(node, "facts");
  return [...keys];
}
