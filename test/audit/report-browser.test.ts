// The HTML traceability report in a real browser: Debian's Chromium driven by playwright-core.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { audit } from "../../src/audit/audit-run.ts";
import { itemBadges, type Matrix } from "../../src/audit/traceability.ts";
import { projectRoot } from "../../src/rules/schema-registry.ts";
import type { TraceEntry } from "../../src/trace/call-trace.ts";
import { svgLadder, textLadder } from "../../src/trace/ladder.ts";
import { launchChromium } from "../support/chromium.ts";

let browser: Browser;
let work: string;
const artefacts = join(projectRoot, "test-results");

/** A copy of spec/ and rules/ whose item 24.229:5.4.5.1.2/1.e has new words: its links turn suspect. */
function editedProject(): string {
  const root = mkdtempSync(join(tmpdir(), "cleardown-audit-"));
  cpSync(join(projectRoot, "spec"), join(root, "spec"), { recursive: true });
  cpSync(join(projectRoot, "rules"), join(root, "rules"), { recursive: true });
  const file = join(root, "spec/24.229-5.4.5.1.2.clause");
  const text = readFileSync(file, "utf8");
  writeFileSync(
    file,
    text.replace(
      "from the calling to the called user, incremented by one;",
      "from the calling to the called user, incremented by one or more;",
    ),
  );
  return root;
}

/** Runs in the page (this project's tsconfig has no DOM library, hence the cast of the page's global). */
const borderColour = (e: unknown) =>
  (globalThis as unknown as { getComputedStyle(e: unknown): { borderLeftColor: string } }).getComputedStyle(e)
    .borderLeftColor;

/** The CLI table's rows (id, rules, tests, status) and verdict line are what the page shows for the same report. */
async function expectPageAgreesWithTable(page: Page, output: string, matrix: Matrix): Promise<void> {
  const table = output.split("\n");
  const rows = new Map(
    table
      .slice(2)
      .filter((l) => /^\S+ {2,}\d+ {2,}/.test(l))
      .map((l) => l.split(/ {2,}/))
      .map(([id, rules, tests, status]) => [id, { rules, tests, status }]),
  );
  const items = matrix.items.filter((r) => r.quoted);
  expect(items.length).toBeGreaterThan(0);
  for (const r of items) {
    const pageBadges = await page.locator(`details.item[data-id="${r.id}"] > summary .badge`).allTextContents();
    expect({ id: r.id, status: rows.get(r.id)?.status }).toEqual({ id: r.id, status: pageBadges.join(", ") });
    expect(pageBadges).toEqual(itemBadges(r));
    expect(rows.get(r.id)?.rules).toBe(String(r.rules.length));
    if (!matrix.testsKnown) expect(rows.get(r.id)?.tests).toBe("not run");
  }
  expect(table).toContain((await page.locator("#verdict").textContent()) ?? "");
}

beforeAll(async () => {
  browser = await launchChromium();
  work = editedProject();
  mkdirSync(artefacts, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("audit/report.html in Chromium", () => {
  it("shows the coverage summary of report.json, an item's rules and tests, and filters uncovered and suspect items", async () => {
    const out = join(work, "audit");
    const cli = audit(work, {
      check: false,
      results: join(projectRoot, "test/fixtures/audit/vitest-sample.json"),
      out,
    });
    const matrix = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as Matrix;
    expect(matrix.summary.suspect).toBe(1);

    const page = await browser.newPage();
    await page.goto(`file://${join(out, "report.html")}`);
    for (const [key, value] of Object.entries(matrix.summary)) {
      expect(await page.locator(`[data-summary="${key}"]`).textContent()).toBe(String(value));
    }

    const item = page.locator('details.item[data-id="24.229:5.4.5.1.2/2.e"]');
    await item.locator(":scope > summary").click();
    await expect
      .poll(() => item.locator('details.rule[data-rule="24.229:5.4.5.1.2/2#bye-to-calling"]').count())
      .toBe(1);
    expect(await item.locator("li[data-test-status=passed]").count()).toBeGreaterThan(0);

    // The clause added as data (spec/24.229-5.4.5.1.1.clause) shows like the seeds: its heading, source and items,
    // each opening the rule that traces it; the extension kept for what it is silent on is listed apart.
    const added = page.locator('section.clause[data-clause="24.229:5.4.5.1.1"]');
    expect(await added.locator("h2").textContent()).toBe(
      "3GPP TS 24.229 §5.4.5.1.1 Cancellation of a session currently being established",
    );
    expect(await added.locator("p small").textContent()).toContain("quoted from 3GPP TS 24.229 Release 18");
    expect(await added.locator("details.item").evaluateAll((es) => es.map((e) => e.getAttribute("data-id")))).toEqual([
      "24.229:5.4.5.1.1/intro",
      "24.229:5.4.5.1.1/1",
      "24.229:5.4.5.1.1/2",
    ]);
    const cancelItem = added.locator('details.item[data-id="24.229:5.4.5.1.1/1"]');
    await cancelItem.locator(":scope > summary").click();
    expect(
      await cancelItem.locator('details.rule[data-rule="24.229:5.4.5.1.1/intro#cancel-early-dialog"]').count(),
    ).toBe(1);
    expect(await page.locator('details.extension[data-id="x-24.229:5.4.5.1.2/early-dialog"]').count()).toBe(1);

    await page.locator('button[data-filter="uncovered"]').click();
    const uncovered = matrix.items.filter((r) => ["no-rule", "no-test", "failing"].includes(r.status)).length;
    expect(await page.locator("details.item:visible").count()).toBe(uncovered);

    await page.locator('button[data-filter="suspect"]').click();
    const visible = page.locator("details.item:visible");
    expect(await visible.count()).toBe(1);
    expect(await visible.getAttribute("data-id")).toBe("24.229:5.4.5.1.2/1.e");
    await visible.locator(":scope > summary").click();
    expect(await visible.locator("[data-suspect-diff]").textContent()).toContain("incremented by one or more;");

    await expectPageAgreesWithTable(page, cli.output, matrix);
    await page.screenshot({ path: join(artefacts, "audit-report.png"), fullPage: false });
    await page.close();
  });

  it("without test results: items with a rule are a neutral 'tests not run' naming `npm test`, the suspect item shows suspect on its row, badge and filter, and the page agrees with the CLI table", async () => {
    const out = join(work, "audit-not-run");
    const cli = audit(work, { check: false, results: join(work, "no-such-results.json"), out });
    const matrix = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as Matrix;
    expect(matrix.testsKnown).toBe(false);
    // Every normative item has a rule; all but the edited (suspect) one wait for their tests.
    const notRunCount = matrix.summary.normativeItems - 1;
    expect(matrix.summary).toMatchObject({ covered: 0, uncovered: 0, suspect: 1, testsNotRun: notRunCount });

    const page = await browser.newPage();
    await page.goto(`file://${join(out, "report.html")}`);
    const notice = page.locator("#tests-not-run");
    expect(await notice.isVisible()).toBe(true);
    expect(await notice.textContent()).toContain("npm test");
    expect(await page.locator("#verdict").textContent()).toMatch(/^tests not run \(`npm test` runs them\)/);

    // Neutral, not red: no item says no-test or failing, and a not-run item's border is the neutral grey.
    expect(await page.locator('details.item[data-status="no-test"], details.item[data-status="failing"]').count()).toBe(
      0,
    );
    const notRun = page.locator('details.item[data-status="tests-not-run"]');
    expect(await notRun.count()).toBe(notRunCount);
    expect(await notRun.first().evaluate(borderColour)).toBe("rgb(120, 144, 156)");
    expect(await notRun.first().locator(".badge").allTextContents()).toEqual(["tests not run"]);
    await notRun.first().locator(":scope > summary").click();
    expect(await notRun.first().locator(".tests-not-run").textContent()).toBe("Tests not run: npm test runs them.");

    // The edited item: suspect on its row (status and border), its badge, and the filter.
    const edited = page.locator('details.item[data-id="24.229:5.4.5.1.2/1.e"]');
    expect(await edited.getAttribute("data-status")).toBe("suspect");
    expect(await edited.locator(".badge").allTextContents()).toEqual(["suspect"]);
    expect(await edited.evaluate(borderColour)).toBe("rgb(239, 108, 0)");
    await page.locator('button[data-filter="suspect"]').click();
    const visible = page.locator("details.item:visible");
    expect(await visible.count()).toBe(1);
    expect(await visible.getAttribute("data-id")).toBe("24.229:5.4.5.1.2/1.e");
    // No clause section stands empty: only the edited item's clause shows.
    expect(
      await page.locator("section.clause:visible").evaluateAll((cs) => cs.map((c) => c.getAttribute("data-clause"))),
    ).toEqual(["24.229:5.4.5.1.2"]);
    await page.locator('button[data-filter="all"]').click();
    expect(await page.locator("section.clause:visible").count()).toBe(6);

    // The CLI table (`cleardown audit`) and the page say the same of every item, and the same verdict.
    await expectPageAgreesWithTable(page, cli.output, matrix);
    await page.screenshot({ path: join(artefacts, "audit-report-tests-not-run.png"), fullPage: false });
    await page.close();
  });

  it("embeds the demo scenarios' ladders: the text ladder with its clause ids, the SVG diagram drawn on opening", async () => {
    const out = join(work, "audit-ladders");
    const entries: TraceEntry[] = [
      { at: 1, protocol: "SIP", direction: "received", from: "UE alice", to: "S-CSCF", label: "INVITE" },
      { at: 2, protocol: "SIP", direction: "sent", from: "S-CSCF", to: "UE bob", label: "INVITE" },
      {
        at: 3,
        protocol: "SIP",
        direction: "sent",
        from: "S-CSCF",
        to: "UE bob",
        label: "BYE",
        rule: "24.229:5.4.5.1.2/1#bye-to-called",
        trace: ["24.229:5.4.5.1.2/1"],
      },
    ];
    const title = "S-CSCF serving the calling user";
    audit(work, {
      check: false,
      results: join(projectRoot, "test/fixtures/audit/vitest-sample.json"),
      out,
      ladders: [{ title, text: textLadder(entries), svg: svgLadder(entries, title) }],
    });
    const page = await browser.newPage();
    await page.goto(`file://${join(out, "report.html")}`);
    const scenario = page.locator(`section.scenario[data-scenario="${title}"]`);
    expect(await scenario.count()).toBe(1);
    const ladder = (await scenario.locator(".ladder").textContent()) ?? "";
    expect(ladder.split("\n").find((l) => l.includes(" BYE "))).toMatch(/-+ BYE -+>\|\s+24\.229:5\.4\.5\.1\.2\/1$/);
    const svg = scenario.locator("svg");
    expect(await svg.isVisible()).toBe(false);
    await scenario.locator("details > summary").click();
    await expect.poll(() => svg.isVisible()).toBe(true);
    expect((await svg.boundingBox())?.width ?? 0).toBeGreaterThan(200);
    expect(await svg.locator("text", { hasText: "24.229:5.4.5.1.2/1" }).count()).toBe(1);
    await scenario.screenshot({ path: join(artefacts, "audit-report-ladder.png") });
    await page.close();
  });
});
