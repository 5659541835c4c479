// `cleardown audit [--check] [--results FILE]`: the traceability matrix from spec/, rules/ and test results.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readTestResults } from "../audit/test-results.ts";
import { buildMatrix, coverageTable, gaps } from "../audit/traceability.ts";
import { loadRuleSets, readRuleSources } from "../rules/load-rules.ts";
import { loadSpec } from "../spec/clause-items.ts";

/** JSON with sorted keys: the report is byte-identical for the same inputs. */
export function stableJson(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v && typeof v === "object"
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
              .map(([k, x]) => [k, sort(x)]),
          )
        : v;
  return `${JSON.stringify(sort(value), null, 2)}\n`;
}

export function audit(root: string, opts: { check: boolean; results?: string }): { exitCode: number; output: string } {
  const spec = loadSpec(root);
  const sets = loadRuleSets(readRuleSources(root), spec);
  const tests = readTestResults(opts.results ?? join(root, "test-results/vitest.json"));
  const matrix = buildMatrix(spec, sets, tests);
  mkdirSync(join(root, "audit"), { recursive: true });
  writeFileSync(join(root, "audit/report.json"), stableJson(matrix));
  const lines = [coverageTable(matrix), "wrote audit/report.json"];
  const problems = gaps(matrix);
  if (opts.check && problems.length > 0)
    return {
      exitCode: 1,
      output: [...lines, "", "audit --check failed:", ...problems.map((p) => `  ${p}`)].join("\n"),
    };
  return { exitCode: 0, output: lines.join("\n") };
}
