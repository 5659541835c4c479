// The traceability matrix: for every clause item, the rules that implement it, the tests that verify it, and
// whether those links are suspect (the item's text changed since they were reviewed).
import type { ClauseItem, Deviation, Extension, Rule } from "../../generated/types/index.ts";
import type { RuleSets } from "../rules/load-rules.ts";
import type { Spec } from "../spec/clause-items.ts";
import type { Approvals } from "./approvals.ts";
import { cites, type TestVerdict } from "./test-results.ts";

export interface RuleLink {
  id: string;
  file: string;
  rule: Rule;
}

export interface TestLink {
  name: string;
  file: string;
  status: TestVerdict["status"];
}

/**
 * One verdict per item, the most pressing first: a missing rule or a failing test, then a suspect link (its clause
 * text changed since it was approved), then what the tests say — "tests-not-run" when there are no test results
 * at all (neutral: nothing is known to be wrong, `npm test` tells), "no-test" when the results name no test for it.
 */
export type ItemStatus =
  | "covered"
  | "no-rule"
  | "no-test"
  | "failing"
  | "suspect"
  | "tests-not-run"
  | "not-quoted"
  | "informative";

/** The command that runs the tests and writes the results the audit reads. */
export const testCommand = "npm test";

export interface ItemRow {
  id: string;
  clause: string;
  text: string;
  hash: string;
  normative: boolean;
  quoted: boolean;
  rules: RuleLink[];
  tests: TestLink[];
  /** Set when the item's text differs from the text its links were approved against. */
  suspect?: { approvedText: string | null; approvedHash: string | null };
  status: ItemStatus;
}

export interface Matrix {
  items: ItemRow[];
  extensions: Array<Extension & { rules: RuleLink[]; tests: TestLink[] }>;
  deviations: Array<Deviation & { file: string; inForce: ReadingInForce }>;
  testsKnown: boolean;
  summary: {
    normativeItems: number;
    withRule: number;
    withPassingTest: number;
    covered: number;
    uncovered: number;
    /** Items with a rule whose tests have not run (no test results were found). */
    testsNotRun: number;
    suspect: number;
    failingTests: number;
    extensions: number;
    deviations: number;
  };
}

export function traceIdsOf(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const n of node) traceIdsOf(n, out);
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "trace" && Array.isArray(v)) for (const id of v) out.add(id);
      else traceIdsOf(v, out);
    }
  }
  return out;
}

function clauseOf(item: ClauseItem): string {
  return item.id.split("/")[0];
}

function statusOf(
  item: ClauseItem,
  row: Pick<ItemRow, "rules" | "tests" | "suspect">,
  testsKnown: boolean,
): ItemStatus {
  if (!item.quoted) return "not-quoted";
  if (!item.normative) return "informative";
  if (row.rules.length === 0) return "no-rule";
  if (row.tests.some((t) => t.status === "failed")) return "failing";
  if (row.suspect) return "suspect";
  if (!testsKnown) return "tests-not-run";
  if (row.tests.length === 0) return "no-test";
  return "covered";
}

/** How a status reads to a person: the badge in report.html and the status column of `cleardown audit`. */
const statusWords: Record<ItemStatus, string> = {
  covered: "covered",
  "no-rule": "no rule",
  "no-test": "no test",
  failing: "failing",
  suspect: "suspect",
  "tests-not-run": "tests not run",
  "not-quoted": "not quoted",
  informative: "informative",
};

/**
 * The badges of an item row: its status, and "suspect" beside it when a more pressing status (a missing rule, a
 * failing test) hides that its clause text changed. The CLI table and report.html both show exactly these.
 */
export function itemBadges(row: Pick<ItemRow, "status" | "suspect">): string[] {
  const badges = [statusWords[row.status]];
  if (row.suspect && row.status !== "suspect") badges.push(statusWords.suspect);
  return badges;
}

/** The audit's verdict in one line: the CLI's summary, the demo's closing line and the report's heading. */
export function auditVerdict(matrix: Matrix): string {
  const s = matrix.summary;
  const parts: string[] = [];
  if (!matrix.testsKnown)
    parts.push(
      `tests not run (\`${testCommand}\` runs them): ${s.withRule}/${s.normativeItems} normative items have a rule, none counted covered yet`,
    );
  else parts.push(`${s.covered}/${s.normativeItems} normative items covered by a rule and a passing test`);
  if (s.failingTests > 0) parts.push(`${s.failingTests} failing test(s)`);
  if (matrix.testsKnown && s.withRule < s.normativeItems) parts.push(`${s.normativeItems - s.withRule} with no rule`);
  parts.push(
    s.suspect > 0
      ? `${s.suspect} suspect (clause text changed since approved: \`npm run audit\` lists, \`npm run audit -- approve ID\` approves)`
      : "0 suspect",
  );
  parts.push(`${s.extensions} extensions`, `${s.deviations} deviation(s)`);
  return parts.join("; ");
}

/** The reading of a deviation a node actually runs: its switch's value and where that value comes from. */
export interface ReadingInForce {
  policy: string;
  value: string;
  /** literal: the seed's words; chosen: the deviation's chosen reading. */
  reading: "literal" | "chosen";
  /** The rule file whose switch.chosen it is, or the node config that overrides it. */
  from: string;
}

/** Policy values a node config sets (its `policy`), and the file they come from. */
export interface PolicyOverrides {
  file: string;
  policy: Record<string, unknown>;
}

export function buildMatrix(
  spec: Spec,
  sets: RuleSets,
  tests: TestVerdict[] | undefined,
  approvals: Approvals,
  overrides?: PolicyOverrides,
): Matrix {
  const rulesByItem = new Map<string, RuleLink[]>();
  for (const set of Object.values(sets)) {
    for (const { rule, file } of set.rules) {
      for (const id of traceIdsOf(rule))
        rulesByItem.set(id, [...(rulesByItem.get(id) ?? []), { id: rule.id, file, rule }]);
    }
  }
  const testsFor = (id: string): TestLink[] =>
    (tests ?? []).filter((t) => cites(t.name, id)).map(({ name, file, status }) => ({ name, file, status }));
  const items = [...spec.items.values()].map((item): ItemRow => {
    const rules = (rulesByItem.get(item.id) ?? []).sort((a, b) => (a.id < b.id ? -1 : 1));
    const verified = testsFor(item.id);
    const approved = approvals[item.id];
    const linked = rules.length > 0 || verified.length > 0;
    const suspect =
      item.quoted && linked && approved?.hash !== item.hash
        ? { approvedText: approved?.text ?? null, approvedHash: approved?.hash ?? null }
        : undefined;
    const row = { rules, tests: verified, suspect };
    return {
      id: item.id,
      clause: clauseOf(item),
      text: item.text,
      hash: item.hash,
      normative: item.normative,
      quoted: item.quoted,
      ...row,
      status: statusOf(item, row, tests !== undefined),
    };
  });
  const extensions = Object.values(sets)
    .flatMap((s) => s.extensions)
    .map((x) => ({ ...x, rules: rulesByItem.get(x.id) ?? [], tests: testsFor(x.id) }));
  const deviations = Object.values(sets).flatMap((s) =>
    s.files.flatMap((f) =>
      (f.doc.deviations ?? []).map((d) => {
        const over = overrides?.policy[d.switch.policy];
        const value = typeof over === "string" ? over : d.switch.chosen;
        const from = typeof over === "string" ? overrides!.file : f.file;
        const inForce: ReadingInForce = {
          policy: d.switch.policy,
          value,
          reading: value === d.switch.literal ? "literal" : "chosen",
          from,
        };
        return { ...d, file: f.file, inForce };
      }),
    ),
  );
  const normative = items.filter((r) => r.normative && r.quoted);
  const summary = {
    normativeItems: normative.length,
    withRule: normative.filter((r) => r.rules.length > 0).length,
    withPassingTest: normative.filter((r) => r.tests.some((t) => t.status === "passed")).length,
    covered: normative.filter((r) => r.status === "covered").length,
    uncovered: normative.filter((r) => r.status === "no-rule" || r.status === "no-test").length,
    testsNotRun: normative.filter((r) => r.status === "tests-not-run").length,
    suspect: items.filter((r) => r.suspect).length,
    failingTests: new Set((tests ?? []).filter((t) => t.status === "failed").map((t) => t.name)).size,
    extensions: extensions.length,
    deviations: deviations.length,
  };
  return { items, extensions, deviations, testsKnown: tests !== undefined, summary };
}

/** What `audit --check` fails on, one line each. */
export function gaps(matrix: Matrix, tests: TestVerdict[] | undefined): string[] {
  const out: string[] = [];
  if (!matrix.testsKnown)
    out.push("no test results: run `npm test` (it writes test-results/vitest.json) before `audit --check`");
  for (const row of matrix.items) {
    if (row.status === "no-rule") out.push(`${row.id}: normative item with no rule tracing it`);
    // From the facts, not the status: a suspect item's status must not hide that no test names it.
    if (row.normative && row.quoted && row.rules.length > 0 && row.tests.length === 0 && matrix.testsKnown)
      out.push(`${row.id}: normative item with no test naming it`);
    if (row.suspect)
      out.push(
        `${row.id}: suspect link: its text changed since its rules and tests were approved (cleardown audit approve ${row.id})`,
      );
  }
  for (const x of matrix.extensions) {
    if (x.rules.length === 0) out.push(`${x.id}: extension with no rule`);
    if (matrix.testsKnown && x.tests.length === 0) out.push(`${x.id}: extension with no test naming it`);
  }
  for (const t of tests ?? []) if (t.status === "failed") out.push(`failing test: ${t.name}`);
  return out;
}

export function coverageTable(matrix: Matrix): string {
  const passed = (tests: TestLink[]) => `${tests.filter((t) => t.status === "passed").length}/${tests.length}`;
  const rows = matrix.items
    .filter((r) => r.quoted)
    .map((r) => [
      r.id,
      String(r.rules.length),
      matrix.testsKnown ? passed(r.tests) : "not run",
      itemBadges(r).join(", "),
    ]);
  rows.push(
    ...matrix.extensions.map((x) => [
      x.id,
      String(x.rules.length),
      matrix.testsKnown ? passed(x.tests) : "not run",
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
  const readings = matrix.deviations.map((d) => `deviation ${d.item}: ${readingText(d.inForce)}`);
  return [
    line(head),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
    "",
    ...readings,
    auditVerdict(matrix),
  ].join("\n");
}

/** "policy item4RequestUri = calling-user-contact in force: the chosen reading (from rules/…)". */
export function readingText(r: ReadingInForce): string {
  const reading = r.reading === "literal" ? "the seed's literal reading" : "the chosen reading";
  return `policy ${r.policy} = ${r.value} in force: ${reading} (from ${r.from})`;
}
