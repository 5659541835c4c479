// How long the traceability audit takes for the project's clauses, as `cleardown audit` runs it: spec/ and rules/
// loaded and checked, the test verdicts read, the matrix built, report.json and report.html written. Issue 5's
// target is under one second for the whole audit. Figures for bench-results.json, never assertions.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { audit } from "../../src/audit/audit-run.ts";
import { projectRoot } from "../../src/rules/schema-registry.ts";
import type { BenchFigure } from "./rules.bench.ts";

export async function benchAudit(): Promise<BenchFigure[]> {
  const out = mkdtempSync(join(tmpdir(), "cleardown-audit-bench-"));
  const latest = join(projectRoot, "test-results/vitest.json");
  const results = existsSync(latest) ? latest : join(projectRoot, "test/fixtures/audit/vitest-sample.json");
  const run = () => {
    const t0 = performance.now();
    audit(projectRoot, { check: false, results, out, ladders: [] });
    return performance.now() - t0;
  };
  try {
    const first = run();
    const rest = Array.from({ length: 9 }, run).sort((a, b) => a - b);
    return [
      { name: "audit.whole-run.first.ms", value: Math.round(first), unit: "ms" },
      { name: "audit.whole-run.median.ms", value: Math.round(rest[4] * 10) / 10, unit: "ms" },
    ];
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
