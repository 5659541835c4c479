// A node's configuration: the JSON file (schemas/config.schema.json, validated with ajv, errors as
// file:line:column (pointer): expected …), then command-line flags over it, then the embedded defaults.
import { readFileSync } from "node:fs";
import type { NodeConfig, Policy } from "../../generated/types/index.ts";
import { JsonSyntaxError, jsonLocations, locate } from "../rules/json-locations.ts";
import { formatProblem, type RuleProblem } from "../rules/rule-problems.ts";
import { schemaFaults } from "../rules/schema-faults.ts";
import { validator } from "../rules/schema-registry.ts";

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
    this.name = "ConfigError";
  }
}

export const defaultPolicy: Policy = {
  item4RequestUri: "calling-user-contact",
  gruuWithoutBinding: "use-stored-contact",
  gmscOption: "b",
  furtherHeaders: [],
};

/** Validates a configuration object; `file` and `text` let errors name their line and column. */
export function validateConfig(config: unknown, file = "<config>", text?: string): NodeConfig {
  const validate = validator("config");
  // ajv fills defaults in place: validate a copy so the caller's object stays as given.
  const copy = structuredClone(config);
  if (validate(copy)) return copy as NodeConfig;
  const locations = text === undefined ? new Map() : jsonLocations(text);
  const problems: RuleProblem[] = schemaFaults("config", config).map(({ pointer, message }) => ({
    file,
    ...locate(locations, pointer),
    pointer,
    message,
  }));
  throw new ConfigError(problems.map(formatProblem));
}

export function readConfigFile(file: string): NodeConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError([`${file}: cannot read the configuration: ${(err as Error).message}`]);
  }
  let doc: unknown;
  try {
    jsonLocations(text);
    doc = JSON.parse(text);
  } catch (err) {
    const at = err instanceof JsonSyntaxError ? `${err.line}:${err.column}` : "1:1";
    throw new ConfigError([`${file}:${at} (/): not JSON: ${(err as Error).message}`]);
  }
  return validateConfig(doc, file, text);
}

/** Flags win over the file: arrays replace, objects merge one level deep. */
export function mergeConfig(base: NodeConfig, over: NodeConfig): NodeConfig {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const b = out[k];
    out[k] =
      v && typeof v === "object" && !Array.isArray(v) && b && typeof b === "object" && !Array.isArray(b)
        ? { ...(b as object), ...(v as object) }
        : v;
  }
  return out as NodeConfig;
}

/**
 * The policy in force: the schema's defaults, then the deviation switches the rule files in force chose
 * (deviations[].switch.chosen: one home for a reading), then what the node's config overrides.
 */
export function policyOf(config: NodeConfig, switches: Partial<Policy> = {}): Policy {
  return { ...defaultPolicy, ...switches, ...(config.policy ?? {}) };
}
