// `cleardown rules lint [--dir rules]`: every problem of the rule files as file:line:column (pointer): expected …
import { loadRuleSets, readRuleSources } from "../rules/load-rules.ts";
import { formatProblem, RuleError } from "../rules/rule-problems.ts";
import { loadSpec, SpecError } from "../spec/clause-items.ts";

export function rulesLint(root: string, dir = "rules"): { exitCode: number; output: string } {
  try {
    const sets = loadRuleSets(readRuleSources(root, dir), loadSpec(root));
    const counts = Object.values(sets).map((s) => `${s.kind}: ${s.files.length} files, ${s.rules.length} rules`);
    return { exitCode: 0, output: `rules are valid (${counts.join("; ")})` };
  } catch (err) {
    if (err instanceof RuleError) return { exitCode: 1, output: err.problems.map(formatProblem).join("\n") };
    if (err instanceof SpecError) return { exitCode: 1, output: err.message };
    throw err;
  }
}
