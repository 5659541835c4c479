// A rule-file problem as an editor needs it: file:line:column (JSON pointer): expected …
import type { ErrorObject } from "./schema-registry.ts";

export interface RuleProblem {
  file: string;
  line: number;
  column: number;
  pointer: string;
  message: string;
}

export class RuleError extends Error {
  constructor(readonly problems: RuleProblem[]) {
    super(problems.map(formatProblem).join("\n"));
  }
}

export function formatProblem(p: RuleProblem): string {
  return `${p.file}:${p.line}:${p.column} (${p.pointer || "/"}): ${p.message}`.replace(
    unprintable,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

// A problem stays one readable line whatever the rule file holds: a key or value quoted in it cannot break the
// line, move the cursor (terminal escapes) or reorder the text (bidi controls).
const unprintable =
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * ajv reports every branch of a oneOf; an editor wants the one sentence that matters: the errors at the
 * deepest place, and for a recipe or action of the wrong shape, the shapes that would fit.
 */
export function summariseSchemaErrors(errors: ErrorObject[]): Array<{ pointer: string; message: string }> {
  const depth = (e: ErrorObject) => e.instancePath.split("/").length;
  const deepest = Math.max(...errors.map(depth));
  const atDeepest = errors.filter((e) => depth(e) === deepest && e.keyword !== "oneOf" && e.keyword !== "if");
  const byPath = new Map<string, ErrorObject[]>();
  for (const e of atDeepest) byPath.set(e.instancePath, [...(byPath.get(e.instancePath) ?? []), e]);
  const out: Array<{ pointer: string; message: string }> = [];
  for (const [pointer, list] of byPath) {
    const required = [...new Set(list.filter((e) => e.keyword === "required").map((e) => e.params.missingProperty))];
    const consts = [
      ...new Set(list.filter((e) => e.keyword === "const").map((e) => JSON.stringify(e.params.allowedValue))),
    ];
    const extra = [
      ...new Set(list.filter((e) => e.keyword === "additionalProperties").map((e) => e.params.additionalProperty)),
    ];
    if (consts.length > 1) out.push({ pointer, message: `expected one of ${consts.join(", ")}` });
    else if (required.length > 1 && list.some((e) => e.keyword === "required" && e.schemaPath.includes("oneOf"))) {
      out.push({ pointer, message: `expected an object with one of the properties ${required.join(", ")}` });
    } else {
      for (const e of list) {
        if (e.keyword === "additionalProperties" && extra.length > 0) {
          out.push({ pointer, message: `expected no property "${e.params.additionalProperty}" here` });
        } else if (e.keyword === "enum") {
          out.push({
            pointer,
            message: `expected one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`,
          });
        } else if (e.keyword === "pattern" && e.schemaPath.endsWith("/$defs/Text/pattern")) {
          out.push({ pointer, message: oneLineText });
        } else out.push({ pointer, message: `expected a value that ${e.message}` });
      }
    }
  }
  return dedupe(out);
}

const oneLineText =
  "expected text on one line: no line break (CR, LF, U+0085, U+2028, U+2029), control or bidirectional-control " +
  "character, or lone surrogate";

function dedupe(list: Array<{ pointer: string; message: string }>) {
  const seen = new Set<string>();
  return list.filter((p) => {
    const key = `${p.pointer}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
