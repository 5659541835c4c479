// `cleardown audit [--check] [--results FILE]` and `cleardown audit approve ITEM-ID… | --all`.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readConfigFile } from "../config/node-config.ts";
import { loadRuleSets, readRuleSources } from "../rules/load-rules.ts";
import { loadSpec } from "../spec/clause-items.ts";
import { approve, readApprovals, writeApprovals } from "./approvals.ts";
import { reportHtml, type ScenarioLadder } from "./report-html.ts";
import { readTestResults } from "./test-results.ts";
import { buildMatrix, coverageTable, gaps, type Matrix, traceIdsOf } from "./traceability.ts";

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

export interface AuditOptions {
  check: boolean;
  results?: string;
  out?: string;
  /**
   * The ladders of the demo scenarios to embed in report.html. The live demo passes them and they are kept in
   * the output folder (demo-ladders.json), so a later `cleardown audit` embeds the last demo's ladders too.
   */
  ladders?: ScenarioLadder[];
  /** A node config whose policy overrides the rule files' deviation switches: the report shows that reading. */
  config?: string;
}

export const laddersFile = "demo-ladders.json";

function demoLadders(out: string, given: ScenarioLadder[] | undefined): ScenarioLadder[] {
  const file = join(out, laddersFile);
  if (given !== undefined) {
    writeFileSync(file, stableJson(given));
    return given;
  }
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as ScenarioLadder[]) : [];
}

export function audit(root: string, opts: AuditOptions): { exitCode: number; output: string; matrix: Matrix } {
  const spec = loadSpec(root);
  const sets = loadRuleSets(readRuleSources(root), spec);
  const tests = readTestResults(opts.results ?? join(root, "test-results/vitest.json"));
  const overrides = opts.config ? { file: opts.config, policy: readConfigFile(opts.config).policy ?? {} } : undefined;
  const matrix = buildMatrix(spec, sets, tests, readApprovals(root), overrides);
  const out = opts.out ?? join(root, "audit");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "report.json"), stableJson(matrix));
  writeFileSync(join(out, "report.html"), reportHtml(matrix, spec.documents, demoLadders(out, opts.ladders)));
  const lines = [coverageTable(matrix), `wrote ${join(out, "report.json")} and report.html`];
  const problems = gaps(matrix, tests);
  if (opts.check && problems.length > 0) {
    return {
      exitCode: 1,
      output: [...lines, "", "audit --check failed:", ...problems.map((p) => `  ${p}`)].join("\n"),
      matrix,
    };
  }
  return { exitCode: 0, output: lines.join("\n"), matrix };
}

/** Approves the current text of the named items (or, with --all, of every item a rule traces). */
export function auditApprove(root: string, ids: string[], all: boolean): { exitCode: number; output: string } {
  const spec = loadSpec(root);
  let targets = ids;
  if (all) {
    const sets = loadRuleSets(readRuleSources(root), spec);
    const traced = new Set<string>();
    for (const set of Object.values(sets)) for (const { rule } of set.rules) traceIdsOf(rule, traced);
    targets = [...traced].filter((id) => spec.items.get(id)?.quoted);
  }
  const { approvals, unknown } = approve(readApprovals(root), spec.items, targets);
  if (unknown.length > 0)
    return { exitCode: 1, output: `unknown clause item ids (nothing written): ${unknown.join(", ")}` };
  writeApprovals(root, approvals);
  return { exitCode: 0, output: `approved ${targets.length} item(s): ${targets.join(", ")}` };
}
