// The HTML traceability report in a real browser: Debian's Chromium driven by playwright-core.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TraceEntry } from "../../src/audit/call-trace.ts";
import { svgLadder, textLadder } from "../../src/audit/ladder.ts";
import type { Matrix } from "../../src/audit/traceability.ts";
import { audit } from "../../src/cli/audit.ts";
import { projectRoot } from "../../src/rules/schema-registry.ts";
import { ensureDebianPackage } from "../support/debian-package.ts";

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

beforeAll(async () => {
  const executablePath = ensureDebianPackage("chromium", "/usr/bin/chromium");
  browser = await chromium.launch({
    executablePath,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
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
    audit(work, { check: false, results: join(projectRoot, "test/fixtures/audit/vitest-sample.json"), out });
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

    await page.locator('button[data-filter="uncovered"]').click();
    const uncovered = matrix.items.filter((r) => ["no-rule", "no-test", "failing"].includes(r.status)).length;
    expect(await page.locator("details.item:visible").count()).toBe(uncovered);

    await page.locator('button[data-filter="suspect"]').click();
    const visible = page.locator("details.item:visible");
    expect(await visible.count()).toBe(1);
    expect(await visible.getAttribute("data-id")).toBe("24.229:5.4.5.1.2/1.e");
    await visible.locator(":scope > summary").click();
    expect(await visible.locator("[data-suspect]").textContent()).toContain("incremented by one or more;");

    await page.screenshot({ path: join(artefacts, "audit-report.png"), fullPage: false });
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
