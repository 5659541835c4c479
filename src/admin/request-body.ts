// An admin request body checked against its definition in schemas/admin.schema.json: a body that does not fit
// is a 400 naming the place (JSON pointer) and what was expected. No body counts as an empty object.
import { summariseSchemaErrors } from "../rules/rule-problems.ts";
import { validator } from "../rules/schema-registry.ts";
import { HttpError } from "./admin-server.ts";

export function requestBody<T>(body: unknown, def: string): T {
  const value = body === undefined ? {} : body;
  const validate = validator("admin", def);
  if (validate(value)) return value as T;
  const problems = summariseSchemaErrors(validate.errors ?? []).map((p) => `${p.pointer || "/"}: ${p.message}`);
  throw new HttpError(400, `request body: ${problems.join("; ")}`);
}
