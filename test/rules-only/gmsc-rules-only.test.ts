// Issue 16, the proof for the GMSC: each behaviour change is made in a temporary copy of rules/ (never in src/),
// the running GMSC reloads it (POST /v1/rules/reload), and the new behaviour is asserted on the wire against real
// peers: SIPp as the preceding and succeeding SIP-I nodes, the Erlang/OTP megaco MG as the media gateway.
//   (b) 486 mapped to 480            (c) a bearer loss cleared with Q.850 cause 41, not 38
//   (d) the CANCEL downstream with a Reason from a table   (e) a header added to the end-to-end table is relayed
//   (g) a GMSC-initiated release subtracts after the BYEs are answered, not before
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RuleFile } from "../../generated/types/index.ts";
import { bearerReleased, established, expectBothReleased, one, terminationsOf } from "../nodes/gmsc/call-checks.ts";
import { type GmscHarness, startGmscHarness } from "../nodes/gmsc/gmsc-harness.ts";
import { isup, sippBody } from "../nodes/gmsc/isup.ts";
import { headerOf, ladder, messages } from "../nodes/gmsc/wire.ts";
import { expectSrcUntouched, type GmscRulesCopy, gmscRulesCopy, reloadRules } from "./gmsc-rules-copy.ts";

let h: GmscHarness;
let copy: GmscRulesCopy;
beforeAll(async () => {
  copy = gmscRulesCopy();
  h = await startGmscHarness({ root: copy.root });
}, 120_000);
afterAll(async () => {
  await h?.close();
  copy?.remove();
});
afterEach(async () => {
  // Each change starts from the project's rules.
  copy.reset();
  await reloadRules(h);
  expectSrcUntouched();
});

type Rule = RuleFile["rules"][number];
const ruleOf = (rules: RuleFile, id: string): Rule => {
  const rule = rules.rules.find((r) => r.id === id);
  if (rule === undefined) throw new Error(`no rule ${id} in the copy`);
  return rule;
};

describe("rules-only changes to the GMSC (TS 23.231 §7.3), on the wire", () => {
  it("(b) 23.231:7.3.1/b.3 tables.errorMapping {486: 480}: the succeeding node's 486 goes upstream as 480 with its ISUP REL", async () => {
    copy.edit((rules) => {
      rules.tables = { ...rules.tables, errorMapping: { "486": 480 } };
    });
    await reloadRules(h);
    const c = await h.call({
      preceding: "gmsc-preceding-rejected.xml",
      succeeding: "gmsc-succeeding-reject.xml",
      fill: { STATUS: 480, REASON: "Busy Here" },
      succeedingFill: { STATUS: 486 },
    });
    await c.done();
    await expectBothReleased(h, c);
    expect(ladder(c.toPreceding())).toEqual([
      "100 Trying (INVITE)",
      "180 Ringing (INVITE)",
      "480 Temporarily Unavailable (INVITE)",
    ]);
    expect(one(messages(c.toPreceding(), /^SIP\/2\.0 480/), "480 upstream").body).toEqual(sippBody(isup.REL_BUSY));
    expectSrcUntouched();
  });

  it("(c) 23.231:7.3.3/1 tables.reasonByBearerCause: a Bearer Released (g/cause NR) clears both sides with Q.850 cause 41 instead of 38", async () => {
    copy.edit((rules) => {
      const causes = rules.tables?.reasonByBearerCause as Record<string, unknown>;
      causes["bearer-nr"] = { protocol: "Q.850", cause: 41, text: "Temporary failure" };
    });
    await reloadRules(h);
    const c = await established(h);
    const reply = bearerReleased(h, terminationsOf(c).dest);
    await c.done();
    expect((await reply).ok).toBe(true);
    await expectBothReleased(h, c);
    const reason = 'Q.850 ;cause=41 ;text="Temporary failure"';
    expect(headerOf(one(messages(c.toSucceeding(), /^BYE /), "BYE downstream"), "Reason")).toBe(reason);
    expect(headerOf(one(messages(c.toPreceding(), /^BYE /), "BYE upstream"), "Reason")).toBe(reason);
    expectSrcUntouched();
  });

  it("(d) 23.231:7.3.1/b.1 rfc3326:2 the CANCEL sent downstream carries the Reason of a new table instead of the received one", async () => {
    copy.edit((rules) => {
      rules.tables = {
        ...rules.tables,
        cancelReason: { default: { protocol: "SIP", cause: 487, text: "Cancelled by the preceding node" } },
      };
      const cancel = ruleOf(rules, "23.231:7.3.1/b.1#cancel-downstream").actions[0];
      if (cancel.type !== "send-cancel") throw new Error("expected the send-cancel action");
      cancel.headers = [
        {
          name: "Reason",
          recipe: { reason: { table: "cancelReason", key: { literal: "default" } } },
          trace: ["23.231:7.3.1/b.1", "rfc3326:2"],
        },
      ];
    });
    await reloadRules(h);
    const c = await h.call({
      preceding: "gmsc-preceding-ringing-cancel.xml",
      succeeding: "gmsc-succeeding-ring-cancel.xml",
    });
    await c.done();
    await expectBothReleased(h, c);
    expect(ladder(c.toSucceeding())).toEqual(["INVITE", "CANCEL", "ACK"]);
    const cancel = one(messages(c.toSucceeding(), /^CANCEL /), "CANCEL");
    expect(headerOf(cancel, "Reason")).toBe('SIP ;cause=487 ;text="Cancelled by the preceding node"');
    expectSrcUntouched();
  });

  it("(e) x-23.231:7.3.1/relay-responses tables.endToEndHeaders: P-Early-Media, not relayed before, is relayed once the table names it", async () => {
    const before = await established(h, "gmsc-preceding-wait-bye.xml", { EARLY_MEDIA: "supported" });
    await h.admin("POST", `/v1/calls/${before.callId}/release`, {});
    await before.done();
    const ringing = (c: typeof before) => one(messages(c.toPreceding(), /^SIP\/2\.0 180/), "180 upstream");
    expect(headerOf(ringing(before), "P-Early-Media")).toBeUndefined();

    copy.edit((rules) => {
      (rules.tables?.endToEndHeaders as Record<string, string>)["P-Early-Media"] = "relay";
    });
    await reloadRules(h);
    const after = await established(h, "gmsc-preceding-wait-bye.xml", { EARLY_MEDIA: "supported" });
    await h.admin("POST", `/v1/calls/${after.callId}/release`, {});
    await after.done();
    await expectBothReleased(h, after);
    expect(headerOf(ringing(after), "P-Early-Media")).toBe("supported");
    expectSrcUntouched();
  });

  it("(g) 23.231:7.3.2/1 23.231:7.3.4/2 a GMSC-initiated release subtracts the terminations after both BYEs are answered instead of before", async () => {
    copy.edit((rules) => {
      // The release indication no longer releases the terminations itself ...
      const first = ruleOf(rules, "23.231:7.3.2/1#release-termination");
      first.actions = first.actions.filter((a) => a.type !== "release-termination") as Rule["actions"];
      // ... a rule on the answer to the GMSC's own BYEs does, once both legs are over.
      rules.rules.push({
        id: "23.231:7.3.2/1#release-after-byes",
        trace: ["23.231:7.3.2/1"],
        priority: 30,
        description: "Release Termination once both BYEs of the GMSC's own clearing are answered.",
        conditions: {
          all: [
            { fact: "event", path: "$.type", operator: "equal", value: "bye-response-received" },
            { fact: "event", path: "$.bye", operator: "equal", value: "initiated" },
            { fact: "call", path: "$.preceding.state", operator: "equal", value: "terminated" },
            { fact: "call", path: "$.succeeding.state", operator: "equal", value: "terminated" },
          ],
        },
        actions: [{ type: "release-termination", trace: ["23.231:7.3.2/1", "23.231:7.3.4/1", "23.231:7.3.4/2"] }],
      });
    });
    await reloadRules(h);
    const c = await established(h, "gmsc-preceding-wait-bye.xml", { BYE_ANSWER_MS: 200 });
    const r = await h.admin("POST", `/v1/calls/${c.callId}/release`, {});
    expect(r.status).toBe(202);
    expect(r.body.plans.map((p: { kind: string }) => p.kind)).toEqual(["state-update", "sip-bye", "sip-bye"]);
    await c.done();
    await expectBothReleased(h, c);
    // In the call's trace (one ladder for both legs, in the order the node saw and did things): both 200 OK (BYE)
    // were received before either Subtract was sent, each Subtract planned by the new rule.
    const trace = await h.admin("GET", `/v1/calls/${c.callId}/trace`);
    const entries = trace.body.entries as Array<{ direction: string; label: string; rule?: string }>;
    const answered = entries.flatMap((e, i) => (e.direction === "received" && e.label === "200 OK (BYE)" ? [i] : []));
    const subtracts = entries.flatMap((e, i) => (e.direction === "sent" && e.label.startsWith("Subtract ") ? [i] : []));
    expect(answered).toHaveLength(2);
    expect(subtracts).toHaveLength(2);
    expect(Math.max(...answered)).toBeLessThan(Math.min(...subtracts));
    expect(subtracts.map((i) => entries[i].rule)).toEqual([
      "23.231:7.3.2/1#release-after-byes",
      "23.231:7.3.2/1#release-after-byes",
    ]);
    expectSrcUntouched();
  });
});
