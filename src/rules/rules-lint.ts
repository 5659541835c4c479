// `cleardown rules lint [--dir rules] [--max-file-bytes N]`: every problem of the rule files as
// file:line:column (pointer): expected … — a file over the size limit (default 1 MiB, as a node) is not parsed.

import { loadSpec, SpecError } from "../spec/clause-items.ts";
import { loadRuleSets, readRuleSources } from "./load-rules.ts";
import { formatProblem, RuleError } from "./rule-problems.ts";

export function rulesLint(root: string, dir = "rules", maxFileBytes?: number): { exitCode: number; output: string } {
  try {
    const sets = loadRuleSets(readRuleSources(root, dir, maxFileBytes), loadSpec(root));
    const counts = Object.values(sets).map((s) => `${s.kind}: ${s.files.length} files, ${s.rules.length} rules`);
    return { exitCode: 0, output: `rules are valid (${counts.join("; ")})` };
  } catch (err) {
    if (err instanceof RuleError) return { exitCode: 1, output: err.problems.map(formatProblem).join("\n") };
    if (err instanceof SpecError) return { exitCode: 1, output: err.message };
    throw err;
  }
}
