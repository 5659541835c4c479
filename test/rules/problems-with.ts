// Loads the project's rule set with one rule file's text replaced, and returns the problems as `rules lint` prints
// them (file:line:column (pointer): expected …); none for a valid set.
import { loadRuleSets, readRuleSources } from "../../src/rules/load-rules.ts";
import { formatProblem, RuleError } from "../../src/rules/rule-problems.ts";
import { projectRoot } from "../../src/rules/schema-registry.ts";
import { loadSpec } from "../../src/spec/clause-items.ts";

const spec = loadSpec(projectRoot);
export const sources = readRuleSources(projectRoot);

export function problemsWith(file: string, text: string): string[] {
  try {
    loadRuleSets(
      sources.map((s) => (s.file === file ? { ...s, text } : s)),
      spec,
    );
    return [];
  } catch (err) {
    if (!(err instanceof RuleError)) throw err;
    return err.problems.map(formatProblem);
  }
}

/** The 1-based line of the first occurrence of `needle`. */
export const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split("\n").length;
