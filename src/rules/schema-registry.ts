// The project's JSON Schemas, loaded once into one ajv (draft 2020-12), plus a walker for fact paths.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";

export const projectRoot = resolve(import.meta.dirname, "../..");
const schemaNames = ["clause-item", "facts", "rule-file", "plan", "config"] as const;
export type SchemaName = (typeof schemaNames)[number];

type JsonSchema = { [key: string]: unknown };
const schemas = new Map<SchemaName, JsonSchema>();
for (const name of schemaNames) {
  schemas.set(name, JSON.parse(readFileSync(join(projectRoot, "schemas", `${name}.schema.json`), "utf8")));
}

const ajv = new Ajv2020({ allErrors: true, strict: false, useDefaults: true });
for (const [name, schema] of schemas) ajv.addSchema(schema, `${name}.schema.json`);

export function schema(name: SchemaName): JsonSchema {
  return schemas.get(name)!;
}

export function validator(name: SchemaName, def?: string): ValidateFunction {
  const ref = def ? `${name}.schema.json#/$defs/${def}` : `${name}.schema.json`;
  return ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
}

export type { ErrorObject };

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
export function schemasAtPath(rootDef: string, path: string): JsonSchema[] {
  let frontier: Array<[JsonSchema, SchemaName]> = [deref({ $ref: `#/$defs/${rootDef}` }, "facts")];
  for (const part of path.split(".")) {
    const next: Array<[JsonSchema, SchemaName]> = [];
    const visit = (node: JsonSchema, file: SchemaName) => {
      const [s, f] = deref(node, file);
      for (const branch of (s.oneOf ?? s.anyOf ?? []) as JsonSchema[]) visit(branch, f);
      const props = s.properties as Record<string, JsonSchema> | undefined;
      if (props && part in props) next.push(deref(props[part], f));
    };
    for (const [node, file] of frontier) visit(node, file);
    frontier = next;
    if (frontier.length === 0) return [];
  }
  return frontier.map(([s]) => s);
}
