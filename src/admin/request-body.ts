// An admin request body checked against its definition in schemas/admin.schema.json: a body that does not fit
// is a 400 naming the place (JSON pointer) and what was expected, in the schema's own words where it has them.
// No body counts as an empty object.
import { schemaFaults } from "../rules/schema-faults.ts";
import { validator } from "../rules/schema-registry.ts";
import { HttpError } from "./admin-server.ts";

export function requestBody<T>(body: unknown, def: string): T {
  const value = body === undefined ? {} : body;
  // explained as sent: validating fills defaults into value
  const asSent = structuredClone(value);
  if (validator("admin", def)(value)) return value as T;
  const problems = schemaFaults("admin", asSent, def).map((p) => `${p.pointer || "/"}: ${p.message}`);
  throw new HttpError(400, `request body: ${problems.join("; ")}`);
}
