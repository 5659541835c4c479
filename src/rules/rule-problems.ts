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
  return `${p.file}:${p.line}:${p.column} (${p.pointer || "/"}): ${p.message}`;
}
