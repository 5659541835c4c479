// The GMSC decides with the rules in force, reloaded while it runs (POST /v1/rules/reload): an editor's error
// mapping (tables.errorMapping, TS 23.231 §7.3.1 b.3 "an error response resulting from internal mapping
// procedures") changes what the preceding node gets, while a clearing already under way finishes under the rule
// version it started with.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../../src/rules/schema-registry.ts";
import { expectBothReleased, one } from "./call-checks.ts";
import { type GmscHarness, startGmscHarness } from "./gmsc-harness.ts";
import { isup, sippBody } from "./isup.ts";
import { headerOf, ladder, messages } from "./wire.ts";

let h: GmscHarness;
let root: string;
const ruleFile = () => join(root, "rules", "23.231-7.3.rules.json");

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "cleardown-rules-"));
  cpSync(join(projectRoot, "spec"), join(root, "spec"), { recursive: true });
  cpSync(join(projectRoot, "rules"), join(root, "rules"), { recursive: true });
  h = await startGmscHarness({ root });
}, 120_000);
afterAll(async () => h?.close());

const decided = (callId: string, type: string) =>
  h.logs.filter(
    (l) => l.msg === "decided" && l.callId === callId && (l.event as { type?: string })?.type === type,
  ) as Array<{
    digest: string;
  }>;

describe("GMSC with rules reloaded while it runs", () => {
  it("23.231:7.3.1/b.3 23.231:7.3.1/b.2 a reloaded error mapping (486 → 480) is forwarded upstream with the received ISUP REL; a BYE clearing begun before the reload finishes under its first rule version", async () => {
    const before = (await h.admin("GET", "/v1/health")).body.rules as string;
    const clearing = await h.call({
      preceding: "gmsc-preceding-bye.xml",
      succeeding: "gmsc-succeeding-answer.xml",
      succeedingFill: { BYE_ANSWER_MS: 800 },
    });
    await h.waitFor("the BYE forwarded downstream", () => messages(clearing.toSucceeding(), /^BYE /).length === 1);

    const rules = JSON.parse(readFileSync(ruleFile(), "utf8"));
    rules.tables.errorMapping = { "486": 480 };
    writeFileSync(ruleFile(), `${JSON.stringify(rules, null, 2)}\n`);
    const reload = await h.admin("POST", "/v1/rules/reload");
    expect(reload).toMatchObject({ status: 200, body: { ok: true, changed: true } });
    const after = reload.body.digest as string;
    expect(after).not.toBe(before);

    await clearing.done();
    await expectBothReleased(h, clearing);
    expect(decided(clearing.callId, "bye-received").map((d) => d.digest)).toEqual([before]);
    expect(decided(clearing.callId, "bye-response-received").map((d) => d.digest)).toEqual([before]);

    const mapped = await h.call({
      preceding: "gmsc-preceding-rejected.xml",
      succeeding: "gmsc-succeeding-reject.xml",
      fill: { STATUS: 480, REASON: "Busy Here" },
      succeedingFill: { STATUS: 486 },
    });
    await mapped.done();
    await expectBothReleased(h, mapped);
    expect(ladder(mapped.toPreceding())).toEqual([
      "100 Trying (INVITE)",
      "180 Ringing (INVITE)",
      "480 Temporarily Unavailable (INVITE)",
    ]);
    const up = one(messages(mapped.toPreceding(), /^SIP\/2\.0 480/), "mapped response upstream");
    expect(headerOf(up, "Reason")).toBe('Q.850;cause=17;text="User busy"');
    expect(up.body).toEqual(sippBody(isup.REL_BUSY));
    expect(decided(mapped.callId, "final-response-received").map((d) => d.digest)).toEqual([after]);
  });
});
