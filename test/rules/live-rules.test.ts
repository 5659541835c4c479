// Spec editors change behaviour without code: a rule file edited on disk is validated and compiled in-process;
// a broken one is rejected while the rules in force stay; a release keeps the version it started under.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LiveRules } from "../../src/rules/live-rules.ts";
import { projectRoot } from "../../src/rules/schema-registry.ts";
import { plansOf } from "./decide.ts";
import { dialog, scscf } from "./fixtures.ts";

const roots: string[] = [];
function copyProject(): string {
  const root = mkdtempSync(join(tmpdir(), "cleardown-rules-"));
  cpSync(join(projectRoot, "spec"), join(root, "spec"), { recursive: true });
  cpSync(join(projectRoot, "rules"), join(root, "rules"), { recursive: true });
  roots.push(root);
  return root;
}
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

const ruleFile = (root: string) => join(root, "rules/24.229-5.4.5.1.2.rules.json");
/** What an editor does: change the Reason for the cause "administrative" in the rule file's table. */
function editReason(root: string, change: { cause?: number; text?: string }): void {
  const doc = JSON.parse(readFileSync(ruleFile(root), "utf8"));
  Object.assign(doc.tables.reasonByCause.administrative, change);
  writeFileSync(ruleFile(root), `${JSON.stringify(doc, null, 2)}\n`);
}
const reasonOf = (rules: LiveRules, digest?: string) => {
  const { plans } = rules.plan(scscf({ dialog: dialog() }), digest);
  return plansOf(plans, "sip-request")[0].headers.find((h) => h.name === "Reason")!.value;
};

describe("live rules", () => {
  it("24.229:5.4.5.1.2/1.g an edited Reason cause in the rule file is what the next BYE carries", () => {
    const root = copyProject();
    const rules = new LiveRules("scscf", root);
    expect(rules.reload()).toMatchObject({ ok: true, changed: false });
    const before = rules.digest;
    expect(reasonOf(rules)).toBe('SIP ;cause=503 ;text="Session Terminated"');
    editReason(root, { cause: 487 });
    const result = rules.reload();
    expect(result).toMatchObject({ ok: true, changed: true });
    expect(reasonOf(rules)).toBe('SIP ;cause=487 ;text="Session Terminated"');
    // A release that started under the old rules finishes under them.
    expect(reasonOf(rules, before)).toBe('SIP ;cause=503 ;text="Session Terminated"');
  });

  it("a broken rule file is rejected with its place; the rules in force stay in force", () => {
    const root = copyProject();
    const rules = new LiveRules("scscf", root);
    writeFileSync(
      ruleFile(root),
      readFileSync(ruleFile(root), "utf8").replace('"operator": "equal"', '"operator": "sameAs"'),
    );
    const result = rules.reload();
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors[0]).toMatch(
      /^rules\/24\.229-5\.4\.5\.1\.2\.rules\.json:\d+:\d+ \(\/rules\/0\/conditions\/all\/0\/operator\): expected one of "equal"/,
    );
    expect(reasonOf(rules)).toBe('SIP ;cause=503 ;text="Session Terminated"');
  });

  it("a change on disk is picked up by the watcher", async () => {
    const root = copyProject();
    const rules = new LiveRules("scscf", root);
    const reloaded = new Promise((resolve) => rules.watch(resolve, 20));
    editReason(root, { text: "Released by operator" });
    expect(await reloaded).toMatchObject({ ok: true, changed: true });
    rules.close();
    expect(reasonOf(rules)).toBe('SIP ;cause=503 ;text="Released by operator"');
  });
});
