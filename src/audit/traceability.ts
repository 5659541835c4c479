// The traceability matrix: for every clause item, the rules that implement it and the tests that verify it.
import type { Deviation, Extension } from "../../generated/types/index.ts";
import type { RuleSets } from "../rules/load-rules.ts";
import type { Spec } from "../spec/clause-items.ts";
import { cites, type TestVerdict } from "./test-results.ts";

export interface ItemRow {
  id: string;
  normative: boolean;
  quoted: boolean;
  rules: string[];
  tests: Array<{ name: string; status: TestVerdict["status"] }>;
  status: "covered" | "no-rule" | "no-test" | "failing" | "not-quoted" | "informative";
}

export interface Matrix {
  items: ItemRow[];
  extensions: Array<Extension & { rules: string[]; tests: ItemRow["tests"] }>;
  deviations: Deviation[];
  testsKnown: boolean;
}

function traceIdsOf(node: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(node)) for (const n of node) traceIdsOf(n, out);
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "trace" && Array.isArray(v)) for (const id of v) out.add(id);
      else traceIdsOf(v, out);
    }
  }
  return out;
}

export function buildMatrix(spec: Spec, sets: RuleSets, tests: TestVerdict[] | undefined): Matrix {
  const rulesByItem = new Map<string, Set<string>>();
  for (const set of Object.values(sets)) {
    for (const { rule } of set.rules) {
      for (const id of traceIdsOf(rule, new Set()))
        rulesByItem.set(id, (rulesByItem.get(id) ?? new Set()).add(rule.id));
    }
  }
  const testsFor = (id: string) =>
    (tests ?? []).filter((t) => cites(t.name, id)).map(({ name, status }) => ({ name, status }));
  const items: ItemRow[] = [...spec.items.values()].map((item) => {
    const rules = [...(rulesByItem.get(item.id) ?? [])].sort();
    const verified = testsFor(item.id);
    let status: ItemRow["status"];
    if (!item.quoted) status = "not-quoted";
    else if (!item.normative) status = "informative";
    else if (rules.length === 0) status = "no-rule";
    else if (verified.length === 0) status = "no-test";
    else if (verified.some((t) => t.status === "failed")) status = "failing";
    else status = "covered";
    return { id: item.id, normative: item.normative, quoted: item.quoted, rules, tests: verified, status };
  });
  const extensions = Object.values(sets)
    .flatMap((s) => s.extensions)
    .map((x) => ({ ...x, rules: [...(rulesByItem.get(x.id) ?? [])].sort(), tests: testsFor(x.id) }));
  const deviations = Object.values(sets).flatMap((s) => s.files.flatMap((f) => f.doc.deviations ?? []));
  return { items, extensions, deviations, testsKnown: tests !== undefined };
}

/** What `audit --check` fails on, one line each. */
export function gaps(matrix: Matrix): string[] {
  const out: string[] = [];
  if (!matrix.testsKnown)
    out.push("no test results: run `npm test` (it writes test-results/vitest.json) before `audit --check`");
  for (const row of matrix.items) {
    if (row.status === "no-rule") out.push(`${row.id}: normative item with no rule tracing it`);
    if (row.status === "no-test" && matrix.testsKnown) out.push(`${row.id}: normative item with no test naming it`);
    if (row.status === "failing") out.push(`${row.id}: a test verifying it fails`);
  }
  for (const x of matrix.extensions) {
    if (x.rules.length === 0) out.push(`${x.id}: extension with no rule`);
    if (matrix.testsKnown && x.tests.length === 0) out.push(`${x.id}: extension with no test naming it`);
    if (x.tests.some((t) => t.status === "failed")) out.push(`${x.id}: a test verifying it fails`);
  }
  return out;
}

export function coverageTable(matrix: Matrix): string {
  const rows = matrix.items
    .filter((r) => r.quoted)
    .map((r) => [
      r.id,
      String(r.rules.length),
      `${r.tests.filter((t) => t.status === "passed").length}/${r.tests.length}`,
      r.status,
    ]);
  rows.push(
    ...matrix.extensions.map((x) => [
      x.id,
      String(x.rules.length),
      `${x.tests.filter((t) => t.status === "passed").length}/${x.tests.length}`,
      "extension",
    ]),
  );
  const head = ["clause item", "rules", "tests passed", "status"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  const normative = matrix.items.filter((r) => r.normative && r.quoted);
  const summary = `${normative.filter((r) => r.status === "covered").length}/${normative.length} normative items covered by a rule and a passing test; ${matrix.extensions.length} extensions; ${matrix.deviations.length} deviation(s)`;
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line), "", summary].join("\n");
}
