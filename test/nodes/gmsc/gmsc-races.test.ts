// Races at the GMSC with real peers: a retransmitted Notify (its first reply lost at a tap, so megaco really
// retransmits), a Bearer Released crossing a BYE in both orders, and an MGW that goes silent and comes back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearerReleased, established, expectBothReleased, terminationsOf } from "./call-checks.ts";
import { addsOf, type CallRun, type GmscHarness, startGmscHarness, subtractsOf } from "./gmsc-harness.ts";
import { isup, sippBody } from "./isup.ts";
import { headerOf, ladder, messages } from "./wire.ts";

let h: GmscHarness;
beforeAll(async () => {
  h = await startGmscHarness();
}, 120_000);
afterAll(async () => h?.close());

const seized = (c: CallRun) => addsOf(c.mgCommands()).map((a) => `${a.contextId}/${a.terminationId}`);

const decisions = (callId: string, type: string) =>
  h.logs.filter(
    (l) => l.msg === "decided" && l.callId === callId && (l.event as { type: string } | undefined)?.type === type,
  ) as Array<{ plans: Array<{ kind: string; rule: string }> }>;

const notifyIdOf = (text: string) => /Transaction\s*=\s*(\d+)\s*\{[\s\S]*\bNotify\b/.exec(text)?.[1];
const replyIdOf = (text: string) => /\b(?:Reply|P)\s*=\s*(\d+)/.exec(text)?.[1];

describe("GMSC races", () => {
  it("23.231:7.3.3/1 a retransmitted Notify (its first reply lost) is answered from the reply cache and executed once: one clearing, one Subtract per termination, one BYE per side", async () => {
    const c = await established(h);
    const { dest } = terminationsOf(c);
    const notifies: string[] = [];
    let lost: string | undefined;
    h.mgcTap.drop = (d) => {
      const text = d.data.toString("latin1");
      if (d.direction === "to-peer") {
        const id = notifyIdOf(text);
        if (id !== undefined) notifies.push(id);
        return false;
      }
      const id = replyIdOf(text);
      if (lost === undefined && id !== undefined && notifies.includes(id)) {
        lost = id;
        return true;
      }
      return false;
    };
    try {
      const reply = bearerReleased(h, dest);
      await c.done();
      expect((await reply).ok).toBe(true);
    } finally {
      h.mgcTap.drop = undefined;
    }
    // megaco sent the same transaction again after its reply was lost, and the MGC answered it again.
    expect(lost).toBeDefined();
    expect(notifies.filter((id) => id === lost).length).toBeGreaterThanOrEqual(2);
    const repliesSeen = h.mgcTap.datagrams.filter(
      (d) => d.direction === "from-peer" && replyIdOf(d.data.toString("latin1")) === lost,
    );
    expect(repliesSeen.length).toBeGreaterThanOrEqual(1);
    expect(decisions(c.callId, "bearer-released")).toHaveLength(1);
    await expectBothReleased(h, c);
    expect(messages(c.toSucceeding(), /^BYE /)).toHaveLength(1);
    expect(messages(c.toPreceding(), /^BYE /)).toHaveLength(1);
  });

  it("23.231:7.3.1/b.2 23.231:7.3.3/2 23.231:7.3.4/2 a BYE crossing a Bearer Released: the Notify arrives while the forwarded BYE is unanswered; the terminations are subtracted once (by the BYE), nothing else is sent", async () => {
    const c = await established(h, "gmsc-preceding-bye.xml", { BYE_ANSWER_MS: 1000 });
    const { orig } = terminationsOf(c);
    await h.waitFor("the BYE forwarded downstream", () => messages(c.toSucceeding(), /^BYE /).length === 1);
    const reply = bearerReleased(h, orig);
    await c.done();
    expect((await reply).ok).toBe(true);
    await expectBothReleased(h, c);
    const bearer = decisions(c.callId, "bearer-released");
    expect(bearer).toHaveLength(1);
    // The rules ran for it (7.3.3: release what is still seized) and found nothing left to do.
    expect(bearer[0].plans.map((p) => p.kind)).toEqual(["state-update"]);
    expect(ladder(c.toSucceeding())).toEqual(["INVITE", "ACK", "BYE"]);
    expect(ladder(c.toPreceding())).toEqual([
      "100 Trying (INVITE)",
      "180 Ringing (INVITE)",
      "200 OK (INVITE)",
      "200 OK (BYE)",
    ]);
    const ok = messages(c.toPreceding(), /^SIP\/2\.0 200/).find((m) => headerOf(m, "CSeq") === "2 BYE");
    expect(ok?.body).toEqual(sippBody(isup.RLC));
  });

  it("x-23.231:7.3.1/bye-during-clearing 23.231:7.3.3/1 a Bearer Released crossed by a BYE: the GMSC's BYE upstream meets the preceding node's own; that one is answered 200 OK, not forwarded; one Subtract per termination", async () => {
    const c = await established(h, "gmsc-preceding-bye-crossing.xml");
    const { dest } = terminationsOf(c);
    const reply = bearerReleased(h, dest);
    await c.done();
    expect((await reply).ok).toBe(true);
    await expectBothReleased(h, c);
    expect(ladder(c.toSucceeding())).toEqual(["INVITE", "ACK", "BYE"]);
    expect(ladder(c.toPreceding())).toEqual([
      "100 Trying (INVITE)",
      "180 Ringing (INVITE)",
      "200 OK (INVITE)",
      "BYE",
      "200 OK (BYE)",
    ]);
    const ok = messages(c.toPreceding(), /^SIP\/2\.0 200/).find((m) => headerOf(m, "CSeq") === "2 BYE");
    expect(ok?.body.length).toBe(0);
    const trace = (await h.admin("GET", `/v1/calls/${c.callId}/trace`)).body.entries as Array<{
      label: string;
      rule?: string;
    }>;
    expect(trace.find((e) => e.label === "200 OK (BYE)")?.rule).toBe("x-23.231:7.3.1/bye-during-clearing#answer-200");
  });
});

describe("an MGW that stops answering, then returns", () => {
  it("23.231:7.3.2/1 23.231:7.3.4/2 Subtracts to a silent MGW get bounded retries and an alarm, the SIP side is cleared all the same; a new call is refused 503; when the MGW registers again it is audited and the left terminations subtracted, each Subtract decided and traced by x-23.231:7.3.4/orphan-context", async () => {
    const c = await established(h);
    const terms = seized(c);
    h.mg.silence();
    await h.mg.waitFor((l) => l.event === "silenced");
    // The Subtracts the silent MG ignored (a Modify of the answer still retransmitted on a loaded host is not one).
    const ignoredSubtracts = () =>
      h.mg.lines().filter((l) => l.event === "ignored" && (l.commands as string[]).includes("subtractReq")).length;
    const ignoredBefore = ignoredSubtracts();
    const r = await h.admin("POST", `/v1/calls/${c.callId}/release`, { cause: "administrative" });
    expect(r.status).toBe(202);
    await c.done();
    expect(messages(c.toSucceeding(), /^BYE /)).toHaveLength(1);
    expect(messages(c.toPreceding(), /^BYE /)).toHaveLength(1);
    const alarms = () =>
      h.logs.filter((l) => l.level === 50 && l.alarm === "mgw-unreachable" && l.command === "Subtract");
    await h.waitFor("an alarm per Subtract", () => alarms().length >= 2);
    expect(alarms().map((a) => `${a.contextId}/${a.terminationId}`)).toEqual(terms);
    // Each of the 2 Subtracts reached the silent MG maxAttempts times, then no more.
    const ignored = JSON.stringify(h.mg.lines().filter((l) => l.event === "ignored"));
    expect(ignoredSubtracts() - ignoredBefore, ignored).toBe(2 * h.mgcTimers.maxAttempts);
    expect((await h.admin("GET", "/v1/calls")).body.calls).toEqual([]);

    // A call set up while the MGW is silent: nothing can be seized, the INVITE is refused 503 with the reason.
    const refused = await h.call({
      preceding: "gmsc-preceding-rejected.xml",
      succeeding: "gmsc-succeeding-answer.xml",
      fill: { STATUS: 503 },
      timeoutMs: 5000,
    });
    await refused.caller.succeeded();
    await refused.callee.stop();
    const unavailable = messages(refused.toPreceding(), /^SIP\/2\.0 503/);
    expect(unavailable).toHaveLength(1);
    expect(headerOf(unavailable[0], "Reason")).toBe('SIP ;cause=503 ;text="no MGW resources could be seized"');
    expect(refused.toSucceeding()).toEqual([]);
    expect(h.logs.some((l) => l.level === 50 && l.alarm === "mgw-unreachable" && l.command === "Add")).toBe(true);

    const mark = h.mg.lines().length;
    h.mg.restart("restart");
    const sinceRestart = () =>
      h.mg
        .lines()
        .slice(mark)
        .filter((l) => l.event === "command");
    await h.waitFor("the audit and its Subtracts", () => subtractsOf(sinceRestart()).length >= 2);
    expect(sinceRestart()[0]).toMatchObject({ command: "AuditValue", terminationIds: ["*"] });
    expect(subtractsOf(sinceRestart())).toEqual(terms);
    // Each Subtract of the audit was planned by a rule, and the context's trace names it beside each Subtract.
    const rule = "x-23.231:7.3.4/orphan-context#release-termination";
    const contextId = terms[0].split("/")[0];
    const decided = h.logs.filter((l) => l.msg === "decided" && l.context === `mgw-context-${contextId}`);
    expect(decided.map((l) => l.plans)).toEqual([[rule, rule]]);
    const trace = await h.admin("GET", `/v1/calls/mgw-context-${contextId}/trace`);
    const sent = (trace.body.entries as Array<{ label: string; rule?: string; trace?: string[] }>).filter((e) =>
      e.label.startsWith("Subtract "),
    );
    expect(sent.map((e) => `${e.label} ${e.rule}`)).toEqual(
      terms.map((t) => `Subtract ${t.split("/").slice(1).join("/")} ${rule}`),
    );
    expect(sent[0].trace).toEqual(["x-23.231:7.3.4/orphan-context", "23.231:7.3.4/1", "23.231:7.3.4/2"]);
  });
});
