// A rule-file problem as an editor needs it: file:line:column (JSON pointer): expected …
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
