// Reads, validates and orders the rule files of one node kind — everything a reload does before compiling —
// as a pure step whose result is plain data, so it can run on a thread of its own (rules-check-thread.ts) and
// leave the node's thread to answer while a large file is parsed and validated.
import { ruleSetDigest } from "../generate/runtime.ts";
import { loadSpec } from "../spec/clause-items.ts";
import { type FactsKind, loadRuleSets, type RuleSet, readRuleSources } from "./load-rules.ts";
import { formatProblem, RuleError } from "./rule-problems.ts";

export interface RuleCheckRequest {
  kind: FactsKind;
  root: string;
  rulesDir: string;
  maxFileBytes: number;
}

export type RuleCheck = { ok: true; set: RuleSet; digest: string } | { ok: false; errors: string[] };

export function checkRules({ kind, root, rulesDir, maxFileBytes }: RuleCheckRequest): RuleCheck {
  try {
    const sources = readRuleSources(root, rulesDir, maxFileBytes);
    const set = loadRuleSets(sources, loadSpec(root))[kind];
    return { ok: true, set, digest: ruleSetDigest(set, sources) };
  } catch (err) {
    if (err instanceof RuleError) return { ok: false, errors: err.problems.map(formatProblem) };
    return { ok: false, errors: [String((err as Error).message)] };
  }
}
