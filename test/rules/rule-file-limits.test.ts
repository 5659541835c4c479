// Issue 20 item 5, bounded rule input: a rule file over the size limit (default 1 MiB, limits.maxRuleFileBytes,
// `rules lint --max-file-bytes`) is refused before it is read, naming the file; and a reload of a large but
// allowed rule file is checked on a thread of its own, so a running node answers its health checks while the
// file is parsed and validated (a health answer arrives before the reload's).
import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LiveRules } from "../../src/rules/live-rules.ts";
import { rulesLint } from "../../src/rules/rules-lint.ts";
import { scscfForTest } from "../nodes/scscf/scscf-harness.ts";
import { writeHeavyRuleFile } from "../support/heavy-rule-file.ts";
import { type ProjectCopy, projectCopy } from "../support/project-copy.ts";

const RULES = "rules/24.229-5.4.5.1.2.rules.json";
const MIB = 1024 * 1024;
const copies: ProjectCopy[] = [];
afterEach(() => {
  for (const c of copies.splice(0)) c.remove();
});
function copy(): ProjectCopy {
  const c = projectCopy("cleardown-limits-");
  copies.push(c);
  return c;
}

/** Pads a rule file with trailing blanks (still valid JSON) to exactly `bytes`. */
function padTo(root: string, bytes: number): void {
  const file = join(root, RULES);
  appendFileSync(file, " ".repeat(bytes - readFileSync(file).length));
}

describe("rule files over the size limit are refused before they are read", () => {
  const refusal = (bytes: number, limit = MIB) =>
    `${RULES}:1:1 (/): expected a rule file of at most ${limit} bytes (limits.maxRuleFileBytes), found ${bytes} bytes: not read`;

  it("cleardown rules lint: one byte over 1 MiB is refused naming the file; --max-file-bytes raises the limit", () => {
    const c = copy();
    padTo(c.root, MIB + 1);
    expect(rulesLint(c.root)).toEqual({ exitCode: 1, output: refusal(MIB + 1) });
    expect(rulesLint(c.root, "rules", 2 * MIB).exitCode).toBe(0);
    expect(rulesLint(c.root, "rules", 65_536)).toEqual({ exitCode: 1, output: refusal(MIB + 1, 65536) });
  });

  it("a node's reload (in-thread and off-thread) refuses it and keeps the rules in force; exactly 1 MiB is read", async () => {
    const c = copy();
    const rules = new LiveRules("scscf", c.root);
    const before = rules.digest;
    padTo(c.root, MIB + 1);
    expect(rules.reload()).toEqual({ ok: false, errors: [refusal(MIB + 1)] });
    expect(await rules.reloadOffThread()).toEqual({ ok: false, errors: [refusal(MIB + 1)] });
    expect(rules.digest).toBe(before);
    const c2 = copy();
    padTo(c2.root, MIB);
    expect(new LiveRules("scscf", c2.root).reload()).toMatchObject({ ok: true });
    expect(new LiveRules("scscf", c2.root, "rules", 65_536).reload()).toEqual({
      ok: false,
      errors: [refusal(MIB, 65536)],
    });
  });
});

describe("a reload does not stop the node answering", () => {
  it("POST /v1/rules/reload of a heavy 1 MiB rule file: /v1/health answers while it is checked; then it is in force", async () => {
    const c = copy();
    const rules = writeHeavyRuleFile(c.root);
    expect(rules).toBeGreaterThan(100);
    const s = await scscfForTest("udp", {}, undefined, { root: c.root });
    const before = (await s.admin("GET", "/v1/health")).body.rules;
    const events: string[] = [];
    let done = false;
    const reload = s.admin("POST", "/v1/rules/reload").then((r) => {
      done = true;
      events.push("reload");
      return r;
    });
    while (!done) {
      const h = await s.admin("GET", "/v1/health");
      if (!done) events.push(`health ${h.status}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const reloaded = await reload;
    expect(reloaded.status).toBe(200);
    expect(reloaded.body).toMatchObject({ ok: true, changed: true });
    expect(reloaded.body.digest).not.toBe(before);
    // Health answered (200) while the reload was under way, before the reload's own answer.
    expect(events.indexOf("reload")).toBeGreaterThan(0);
    expect(events.slice(0, events.indexOf("reload")).every((e) => e === "health 200")).toBe(true);
    expect((await s.admin("GET", "/v1/health")).body.rules).toBe(reloaded.body.digest);
  });
});
