// The studio in a real browser: Debian's Chromium driven by playwright-core, on a temporary copy of the
// project's spec/, rules/ and schemas/ (the real rules/ are never edited).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rulesLint } from "../../src/rules/rules-lint.ts";
import { projectRoot } from "../../src/rules/schema-registry.ts";
import { type Studio, startStudio } from "../../src/studio/studio-server.ts";
import { launchChromium } from "../support/chromium.ts";
import { type StudioProject, studioProject } from "./studio-project.ts";

const artefacts = join(projectRoot, "test-results");
const scscfFile = "rules/24.229-5.4.5.1.2.rules.json";
let browser: Browser;
let project: StudioProject;
let studio: Studio;
let page: Page;
// The page answers as fast as the shared machine lets it: wait for it, without a time being what is tested.
const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000 });

beforeAll(async () => {
  browser = await launchChromium();
  project = studioProject();
  studio = await startStudio({
    root: project.root,
    port: 0,
    results: join(projectRoot, "test/fixtures/audit/vitest-sample.json"),
  });
  mkdirSync(artefacts, { recursive: true });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(studio.url);
  await page.waitForSelector("body[data-ready=true]");
});

afterAll(async () => {
  await browser?.close();
  await studio?.close();
  project?.remove();
});

async function openFile(file: string) {
  await page.locator('nav button[data-tab="edit"]').click();
  await page.locator(`.files button[data-file="${file}"]`).click();
  await eventually(() => page.locator("#file-title").textContent()).toBe(file);
}

describe("cleardown studio in Chromium", () => {
  it("clause view: item 24.229:5.4.5.1.2/1.g with its status, its Reason header element by JSON pointer, its passing test and its wire field", async () => {
    const item = page.locator('details.item[data-id="24.229:5.4.5.1.2/1.g"]');
    expect(await item.getAttribute("data-status")).toBe("covered");
    await item.locator(":scope > summary").click();
    const element = item.locator(`li[data-file="${scscfFile}"][data-pointer="/rules/0/actions/0/headers/5"]`);
    await eventually(() => element.count()).toBe(1);
    expect(await element.textContent()).toContain("header Reason");
    expect(await item.locator("li[data-test-status=passed]").count()).toBeGreaterThan(0);
    expect(await item.locator("table.wire").textContent()).toContain('SIP ;cause=503 ;text="Session Terminated"');
    await page.screenshot({ path: join(artefacts, "studio-clauses.png") });

    await element.locator("button").click();
    await eventually(() => page.locator("#file-title").textContent()).toBe(scscfFile);
    // The editor's cursor is on the element's line (the "{" that opens the Reason header).
    const line = /\(line (\d+)\)/.exec((await element.textContent()) ?? "")?.[1];
    await eventually(() => page.locator(".cm-lineNumbers .cm-activeLineGutter").textContent()).toBe(line);
  });

  it("edit: the whole-file editor completes property names from schemas/rule-file.schema.json", async () => {
    // The §5.4.5.1.1 file has no deviations and no tables of its own: the completion offers what it lacks.
    await openFile("rules/24.229-5.4.5.1.1.rules.json");
    try {
      // A new line after the opening "{" of the file, and a property name begun there.
      await page.locator(".cm-content").focus();
      await page.keyboard.press("Control+Home");
      await page.keyboard.press("End");
      await page.keyboard.press("Enter");
      await page.keyboard.type('"');
      await page.keyboard.press("Control+Space");
      const options = page.locator(".cm-tooltip-autocomplete li");
      await eventually(() => options.allTextContents()).toContainEqual(expect.stringMatching(/^deviations/));
      await page.keyboard.press("Escape");
    } finally {
      await page.locator("#revert").click();
    }
    expect(await page.locator("#save-status").getAttribute("data-state")).toBe("idle");
  });

  it("edit: a new Reason for the session-timer cause shows in the preview (before → after, 24.229:5.4.5.1.2/1.g), and Save writes a file that lints clean", async () => {
    await openFile(scscfFile);
    const cause = page.locator('input[aria-label="reasonByCause session-timer cause"]');
    await cause.fill("480");
    await cause.press("Tab");
    const scenario = page.locator(
      'section.scenario[data-scenario="S-CSCF serving the calling user: network-internal release (cause session-timer)"]',
    );
    await eventually(() => scenario.count()).toBe(1);
    const row = scenario.locator("table.changes tr[data-field=Reason]").first();
    expect(await row.locator("del").textContent()).toBe('SIP ;cause=408 ;text="Session Timer Expired"');
    expect(await row.locator("ins").textContent()).toBe('SIP ;cause=480 ;text="Session Timer Expired"');
    expect(await row.textContent()).toContain("24.229:5.4.5.1.2/1.g");
    expect(await scenario.locator("pre.ladder").textContent()).toMatch(
      /--- BYE -->\|\s+\|\s+24\.229:5\.4\.5\.1\.2\/1$/m,
    );
    expect(project.read(scscfFile)).toContain('"cause": 408');
    await page.locator("#preview").scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artefacts, "studio-preview.png") });

    await page.locator("#save").click();
    await eventually(() => page.locator("#save-status").getAttribute("data-state")).toBe("saved");
    const saved = project.read(scscfFile);
    expect(saved).toContain(`"session-timer": {\n        "protocol": "SIP",\n        "cause": 480,`);
    expect(rulesLint(project.root)).toMatchObject({ exitCode: 0 });
  });

  it("edit: a row added to the GMSC's errorMapping form (486 → 480) shows in the preview as the response status to the preceding node (23.231:7.3.1/b.3)", async () => {
    const file = "rules/23.231-7.3.rules.json";
    await openFile(file);
    const table = page.locator('fieldset[data-table="errorMapping"]');
    await table.locator('input[aria-label="errorMapping new key"]').fill("486");
    expect(await table.locator("select").inputValue()).toBe("number");
    await table.locator("button", { hasText: "add row" }).click();
    const value = page.locator('input[aria-label="errorMapping 486"]');
    await value.fill("480");
    await value.press("Tab");
    const scenario = page.locator(
      'section.scenario[data-scenario="GMSC §7.3.1 b.3: 486 Busy Here from the succeeding node"]',
    );
    await eventually(() => scenario.locator("tr[data-field=status] ins").textContent()).toBe("480");
    expect(await scenario.locator("tr[data-field=status] del").textContent()).toBe("486");
    expect(await scenario.locator("tr[data-field=status]").textContent()).toContain("23.231:7.3.1/b.3");
    expect(await page.locator("#preview > section.scenario").count()).toBe(1);
    await page.locator("#revert").click();
  });

  it("edit: a bad value is shown at its field and its line, and nothing is written", async () => {
    await openFile(scscfFile);
    const before = project.read(scscfFile);
    const line = before.slice(0, before.indexOf('"cause": 503,\n        "text": "Service Expired"')).split("\n").length;
    const cause = page.locator('input[aria-label="reasonByCause service-expiry cause"]');
    await cause.fill("abc");
    await cause.press("Tab");
    await page.locator("#save").click();
    await eventually(() => page.locator("#save-status").getAttribute("data-state")).toBe("problems");
    const field = page.locator('input[aria-label="reasonByCause service-expiry cause"]');
    expect(await field.getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator('fieldset[data-table="reasonByCause"] .error').textContent()).toContain(`line ${line}:`);
    const listed = page.locator(`#problems li[data-pointer="/tables/reasonByCause/service-expiry/cause"]`);
    expect(await listed.getAttribute("data-line")).toBe(String(line));
    // In the editor: the error range on that line.
    const marked = page.locator(".cm-line", { has: page.locator(".cm-lintRange-error") });
    await eventually(() => marked.count()).toBeGreaterThan(0);
    expect(await marked.first().textContent()).toContain('"cause": "abc"');
    expect(await page.locator("[data-preview=blocked]").count()).toBe(1);
    expect(project.read(scscfFile)).toBe(before);
    await page.screenshot({ path: join(artefacts, "studio-inline-error.png") });
    await listed.locator("button").click();
    await eventually(() => page.locator(".cm-lineNumbers .cm-activeLineGutter").textContent()).toBe(String(line));
    await page.locator("#revert").click();
  });

  it("suspect review: a changed word of an S-CSCF item (1.e) makes it suspect with a word diff; approving writes rules/trace-approvals.json and clears it", async () => {
    project.replaceText(
      "spec/24.229-5.4.5.1.2.clause",
      "from the calling to the called user, incremented by one;",
      "from the calling to the called user, incremented by one or more;",
    );
    await page.reload();
    await page.waitForSelector("body[data-ready=true]");
    const item = page.locator('details.item[data-id="24.229:5.4.5.1.2/1.e"]');
    expect(await item.getAttribute("data-status")).toBe("suspect");
    expect(await item.locator("[data-badge=suspect]").count()).toBe(1);
    await page.locator('button[data-filter="suspect"]').click();
    const visible = page.locator("section.clause details.item:visible");
    expect(await visible.count()).toBe(1);
    expect(await visible.getAttribute("data-id")).toBe("24.229:5.4.5.1.2/1.e");

    await page.locator('nav button[data-tab="suspects"]').click();
    expect(await page.locator('nav button[data-tab="suspects"]').textContent()).toBe("Suspect review (1)");
    const review = page.locator('section.suspect[data-id="24.229:5.4.5.1.2/1.e"]');
    expect(await review.locator(".word-diff ins").textContent()).toContain("or more");
    expect(await review.locator(".rule-elements li").count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(artefacts, "studio-suspect.png") });

    await review.locator("button[data-approve]").click();
    await eventually(() => page.locator("[data-suspects=none]").count()).toBe(1);
    expect(JSON.parse(project.read("rules/trace-approvals.json"))["24.229:5.4.5.1.2/1.e"].text).toContain(
      "incremented by one or more;",
    );
    expect(await page.locator('nav button[data-tab="suspects"]').textContent()).toBe("Suspect review (0)");
    expect(await item.getAttribute("data-status")).not.toBe("suspect");
  });
});

describe("cleardown studio in Chromium, before any test has run", () => {
  it("says tests were not run, in neutral words, instead of marking every item untested", async () => {
    const fresh = await startStudio({ root: project.root, port: 0, results: join(project.root, "no-results.json") });
    const tab = await browser.newPage();
    try {
      await tab.goto(fresh.url);
      await tab.waitForSelector("body[data-ready=true]");
      expect(await tab.locator("[data-tests-known=false]").textContent()).toContain("npm test");
      const item = tab.locator('details.item[data-id="24.229:5.4.5.1.2/1.a"]');
      expect(await item.getAttribute("data-status")).toBe("tests-not-run");
      expect(await item.locator("[data-badge=status]").textContent()).toBe("tests not run");
      expect(await tab.locator('details.item[data-status="no-test"]').count()).toBe(0);
    } finally {
      await tab.close();
      await fresh.close();
    }
  });
});
