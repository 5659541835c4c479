// What the audit says when it knows less than everything: no test results is "tests not run" (neutral, with the
// command that runs them), a changed clause text is "suspect" on the item itself, and one verdict line says which.
import { describe, expect, it } from "vitest";
import type { Approvals } from "../../src/audit/approvals.ts";
import { readApprovals } from "../../src/audit/approvals.ts";
import type { TestVerdict } from "../../src/audit/test-results.ts";
import { auditVerdict, buildMatrix, coverageTable, gaps, itemBadges } from "../../src/audit/traceability.ts";
import { loadRuleSets, readRuleSources } from "../../src/rules/load-rules.ts";
import { projectRoot } from "../../src/rules/schema-registry.ts";
import { loadSpec } from "../../src/spec/clause-items.ts";

const spec = loadSpec(projectRoot);
const sets = loadRuleSets(readRuleSources(projectRoot), spec);
const approvals = readApprovals(projectRoot);
const normative = [...spec.items.values()].filter((i) => i.normative && i.quoted);
const EDITED = "24.229:5.4.5.1.2/1.e";

/** One passing test naming each normative item and extension: what a full, green `npm test` reports. */
function allPassing(): TestVerdict[] {
  const ids = [...normative.map((i) => i.id), ...Object.values(sets).flatMap((s) => s.extensions.map((x) => x.id))];
  return ids.map((id) => ({ name: `${id} verified`, file: "t.test.ts", status: "passed" }));
}

/** The approvals as if item 1.e had been approved with other words: its links are suspect. */
function editedApprovals(): Approvals {
  return { ...approvals, [EDITED]: { hash: "0000000000000000", text: "older words" } };
}

describe("the audit without test results", () => {
  const matrix = buildMatrix(spec, sets, undefined, approvals);

  it("gives every normative item with a rule the neutral status tests-not-run, none red", () => {
    const statuses = new Set(matrix.items.filter((r) => r.normative && r.quoted).map((r) => r.status));
    expect([...statuses]).toEqual(["tests-not-run"]);
    expect(matrix.summary).toMatchObject({ covered: 0, uncovered: 0, testsNotRun: normative.length });
    expect(itemBadges(matrix.items.find((r) => r.id === EDITED)!)).toEqual(["tests not run"]);
  });

  it("says so in its verdict and its table, with the command that runs the tests", () => {
    expect(auditVerdict(matrix)).toBe(
      `tests not run (\`npm test\` runs them): ${normative.length}/${normative.length} normative items have a rule, none counted covered yet; 0 suspect; 14 extensions; 1 deviation(s)`,
    );
    const table = coverageTable(matrix).split("\n");
    expect(table.find((l) => l.startsWith(`${EDITED} `))).toMatch(/^\S+ +2 +not run +tests not run$/);
    expect(table.at(-1)).toBe(auditVerdict(matrix));
    expect(gaps(matrix, undefined)).toEqual([
      "no test results: run `npm test` (it writes test-results/vitest.json) before `audit --check`",
    ]);
  });
});

describe("the audit with test results", () => {
  it("counts an item covered by a rule and a passing test, and says how many", () => {
    const matrix = buildMatrix(spec, sets, allPassing(), approvals);
    expect(matrix.items.filter((r) => r.normative && r.quoted).every((r) => r.status === "covered")).toBe(true);
    expect(auditVerdict(matrix)).toMatch(
      new RegExp(
        `^${normative.length}/${normative.length} normative items covered by a rule and a passing test; 0 suspect;`,
      ),
    );
  });

  it("shows an item no test names as no-test, and an item whose test failed as failing", () => {
    const tests = allPassing().filter((t) => !t.name.startsWith(`${EDITED} `));
    const missing = buildMatrix(spec, sets, tests, approvals);
    expect(missing.items.find((r) => r.id === EDITED)?.status).toBe("no-test");
    const failed = [...tests, { name: `${EDITED} verified`, file: "t.test.ts", status: "failed" as const }];
    const failing = buildMatrix(spec, sets, failed, approvals);
    expect(failing.items.find((r) => r.id === EDITED)?.status).toBe("failing");
    expect(auditVerdict(failing)).toContain("; 1 failing test(s);");
  });
});

describe("a suspect item (its clause text changed since it was approved)", () => {
  it("is suspect on its own row and badge whether or not the tests ran, and the verdict counts it", () => {
    for (const tests of [undefined, allPassing()]) {
      const matrix = buildMatrix(spec, sets, tests, editedApprovals());
      const row = matrix.items.find((r) => r.id === EDITED)!;
      expect(row.status).toBe("suspect");
      expect(itemBadges(row)).toEqual(["suspect"]);
      expect(matrix.summary.suspect).toBe(1);
      expect(matrix.items.filter((r) => r.status === "suspect").map((r) => r.id)).toEqual([EDITED]);
      expect(auditVerdict(matrix)).toContain("; 1 suspect (clause text changed since approved:");
    }
  });

  it("does not hide from audit --check that no test names it", () => {
    const tests = allPassing().filter((t) => !t.name.startsWith(`${EDITED} `));
    const matrix = buildMatrix(spec, sets, tests, editedApprovals());
    expect(matrix.items.find((r) => r.id === EDITED)?.status).toBe("suspect");
    expect(gaps(matrix, tests)).toEqual([
      `${EDITED}: normative item with no test naming it`,
      `${EDITED}: suspect link: its text changed since its rules and tests were approved (cleardown audit approve ${EDITED})`,
    ]);
  });

  it("keeps a suspect badge beside a more pressing status (a failing test)", () => {
    const tests = [
      ...allPassing().filter((t) => !t.name.startsWith(`${EDITED} `)),
      { name: `${EDITED} verified`, file: "t.test.ts", status: "failed" as const },
    ];
    const row = buildMatrix(spec, sets, tests, editedApprovals()).items.find((r) => r.id === EDITED)!;
    expect(row.status).toBe("failing");
    expect(itemBadges(row)).toEqual(["failing", "suspect"]);
  });
});
