// An admin request body checked against its definition in schemas/admin.schema.json: a body that does not fit
// is a 400 naming the place (JSON pointer) and what was expected. No body counts as an empty object.
import type { ErrorObject } from "ajv";
import { summariseSchemaErrors } from "../rules/rule-problems.ts";
import { schema, validator } from "../rules/schema-registry.ts";
import { HttpError } from "./admin-server.ts";

/** The description of the schema a keyword belongs to ("#/$defs/ReasonText/pattern" → ReasonText's). */
function describedBy(e: ErrorObject): string | undefined {
  let node: unknown = schema("admin");
  for (const part of e.schemaPath.replace(/^#\//, "").split("/").slice(0, -1))
    node = (node as Record<string, unknown> | undefined)?.[part];
  const d = (node as { description?: unknown } | undefined)?.description;
  return typeof d === "string" ? d : undefined;
}

export function requestBody<T>(body: unknown, def: string): T {
  const value = body === undefined ? {} : body;
  const validate = validator("admin", def);
  if (validate(value)) return value as T;
  const errors = validate.errors ?? [];
  // A string of the wrong form is explained by its schema's words, not by a regular expression.
  const worded = errors.find((e) => ["pattern", "maxLength", "minLength"].includes(e.keyword) && describedBy(e));
  if (worded) throw new HttpError(400, `request body: ${worded.instancePath}: expected ${describedBy(worded)}`);
  const problems = summariseSchemaErrors(errors).map((p) => `${p.pointer || "/"}: ${p.message}`);
  throw new HttpError(400, `request body: ${problems.join("; ")}`);
}
