// 20 % UDP loss, seeded so a run loses the same datagrams again: between the GMSC and the Erlang megaco MG (every
// H.248 datagram, both ways, from set-up to clearing), and on both SIP legs (every datagram between the GMSC and
// each SIPp, both ways, from the clearing on). Every clearing still completes: Subtracts are retransmitted and
// executed once at the MG (its at-most-once reply cache), BYEs are retransmitted and answered within Timer F, and
// nothing is left afterwards — no call at the GMSC, no context at the MG.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metricValue } from "../../support/metrics-text.ts";
import { seededLoss } from "../../support/udp-tap.ts";
import { addsOf, type CallRun, type GmscHarness, startGmscHarness, subtractsOf } from "./gmsc-harness.ts";
import { headerOf, messages } from "./wire.ts";

const CALLS = 10;
const T1 = 50;

let h: GmscHarness;
beforeAll(async () => {
  h = await startGmscHarness({
    t1: T1,
    // Ten sends from 40 ms, backing off to 160 ms: a Subtract is lost for good only if ten sends or their replies
    // are (0.36^10 at 20 % each way).
    mgcTimers: { initialRetransmitMs: 40, maxRetransmitMs: 160, maxAttempts: 10 },
    logLevel: "warn",
  });
}, 120_000);
afterAll(async () => h?.close());

/** CALLS calls answered through the GMSC (one SIPp run each side), each side waiting for the GMSC's BYE. */
async function answeredCalls(fill: Record<string, string | number> = {}): Promise<{ run: CallRun; keys: string[] }> {
  const run = await h.call({
    preceding: "gmsc-preceding-wait-bye.xml",
    succeeding: "gmsc-succeeding-answer.xml",
    fill,
    calls: CALLS,
    rate: 20,
    limit: CALLS,
    timeoutMs: 30_000,
  });
  const keys = await h.waitFor(
    `${CALLS} calls answered`,
    async () => {
      const calls = (await h.admin("GET", "/v1/calls")).body.calls as Array<Record<string, string>>;
      const up = calls.filter((c) => c.preceding === "confirmed" && c.succeeding === "confirmed");
      return up.length === CALLS && up.map((c) => c.callId);
    },
    20_000,
  );
  return { run, keys };
}

async function releaseAll(keys: string[]) {
  const answers = await Promise.all(keys.map((k) => h.admin("POST", `/v1/calls/${encodeURIComponent(k)}/release`)));
  expect(answers.map((a) => a.status)).toEqual(keys.map(() => 202));
}

/** Nothing left: no call at the GMSC (admin API and the store gauge) and no context at the MG. */
async function expectNothingLeft() {
  await h.waitFor("every call released", async () => (await h.admin("GET", "/v1/calls")).body.calls.length === 0);
  expect(metricValue(await h.metrics(), "cleardown_calls_in_store")).toBe(0);
  expect(await h.mg.contexts()).toEqual([]);
}

const transactionIdOf = (text: string) => /\b(?:Transaction|T)\s*=\s*(\d+)/.exec(text)?.[1];

/** The Transaction id of each Subtract the MGC sent, once per datagram (retransmissions repeat their id). */
const subtractIds = (c: CallRun) =>
  c
    .toMg()
    .map((m) => (/\b(?:Subtract|S)\s*=/.test(m.text) ? transactionIdOf(m.text) : undefined))
    .filter((id) => id !== undefined);

describe("GMSC clearing under 20 % UDP loss", () => {
  it("23.231:7.3.2/1 23.231:7.3.4/1 23.231:7.3.4/2 20 % loss both ways between the GMSC and the MG: every Add and Subtract gets through by retransmission, each executed once at the MG; every termination subtracted exactly once; nothing left", async () => {
    const before = await h.metrics();
    // Random loss, and for certain the first reply to a Subtract: the MG must answer its retransmission from its
    // reply cache, not subtract again.
    const loss = seededLoss(0.2, 0x7331);
    const subtracts = new Set<string>();
    let replyLost: string | undefined;
    h.mgcTap.drop = (d) => {
      const text = d.data.toString("latin1");
      const id = transactionIdOf(text);
      if (d.direction === "from-peer" && id !== undefined && /\b(?:Subtract|S)\s*=/.test(text)) subtracts.add(id);
      const reply = /\b(?:Reply|P)\s*=\s*(\d+)/.exec(text)?.[1];
      if (d.direction === "to-peer" && replyLost === undefined && reply !== undefined && subtracts.has(reply)) {
        replyLost = reply;
        return true;
      }
      return loss(d);
    };
    try {
      const { run, keys } = await answeredCalls();
      await releaseAll(keys);
      await run.done();
      await h.waitFor(
        "every Subtract answered",
        async () =>
          metricValue(await h.metrics(), "cleardown_h248_transactions_total", {
            command: "Subtract",
            outcome: "replied",
          }) -
            metricValue(before, "cleardown_h248_transactions_total", { command: "Subtract", outcome: "replied" }) ===
          2 * CALLS,
        // A bound, not a figure: a Subtract whose datagrams are lost several times in a row (20 % each way) takes
        // the MGC's retransmission intervals, longer on a busy machine.
        40_000,
      );
      const lines = run.mgCommands();
      // Executed at the MG: one Add per termination seized, one Subtract per termination seized — no more.
      const seized = addsOf(lines).map((a) => `${a.contextId}/${a.terminationId}`);
      expect(seized).toHaveLength(2 * CALLS);
      expect([...subtractsOf(lines)].sort()).toEqual([...seized].sort());
      // Sent by the MGC: Subtracts went again when a datagram (or its reply) was lost.
      const ids = subtractIds(run);
      expect(new Set(ids).size).toBe(2 * CALLS);
      expect(ids.length).toBeGreaterThan(2 * CALLS);
      expect(ids.filter((id) => id === replyLost).length).toBeGreaterThanOrEqual(2);
      const after = await h.metrics();
      expect(metricValue(after, "cleardown_retransmissions_total", { protocol: "H.248" })).toBeGreaterThan(
        metricValue(before, "cleardown_retransmissions_total", { protocol: "H.248" }),
      );
      expect(metricValue(after, "cleardown_h248_transactions_total", { command: "Subtract", outcome: "timeout" })).toBe(
        0,
      );
      expect(h.mgcTap.dropped.length).toBeGreaterThan(0);
      // The SIP side was cleared as without loss: one BYE to each side of each call.
      expect(messages(run.toPreceding(), /^BYE /)).toHaveLength(CALLS);
      expect(messages(run.toSucceeding(), /^BYE /)).toHaveLength(CALLS);
    } finally {
      h.mgcTap.drop = undefined;
    }
    await expectNothingLeft();
  }, 120_000);

  it("23.231:7.3.2/2 x-23.231:7.3.2/clear-originating-side 20 % loss both ways on both SIP legs during the clearing: every BYE is retransmitted until answered, within Timer F (no 408), one BYE per side per call; nothing left", async () => {
    // Each SIPp stays on after its 200 OK (BYE) to answer a retransmitted BYE again (RFC 3261 §17.2.2).
    const { run, keys } = await answeredCalls({ LINGER_MS: 70 * T1 });
    const before = await h.metrics();
    h.precedingTap.drop = seededLoss(0.2, 0x5eed1);
    h.succeedingTap.drop = seededLoss(0.2, 0x5eed2);
    try {
      await releaseAll(keys);
      await run.done();
      await expectNothingLeft();
    } finally {
      h.precedingTap.drop = undefined;
      h.succeedingTap.drop = undefined;
    }
    const after = await h.metrics();
    const delta = (name: string, labels: Record<string, string> = {}) =>
      metricValue(after, name, labels) - metricValue(before, name, labels);
    // Distinct BYEs (a retransmission is the same datagram again): exactly one per side per call.
    const up = messages(run.toPreceding(), /^BYE /);
    const down = messages(run.toSucceeding(), /^BYE /);
    expect(up.map((m) => headerOf(m, "Call-ID")).sort()).toEqual([...keys].sort());
    expect(down).toHaveLength(CALLS);
    // Some BYEs or their answers were lost, and the GMSC sent those BYEs again.
    expect(h.precedingTap.dropped.length + h.succeedingTap.dropped.length).toBeGreaterThan(0);
    const sentByes = [...run.toPreceding(), ...run.toSucceeding()].filter((d) => d.startsWith("BYE ")).length;
    expect(sentByes).toBeGreaterThan(2 * CALLS);
    expect(delta("cleardown_retransmissions_total", { protocol: "SIP" })).toBeGreaterThan(0);
    // Every BYE had its final response before Timer F (64·T1): none ended as a 408, every clearing completed.
    expect(delta("cleardown_bye_final_response_seconds_count")).toBe(2 * CALLS);
    expect(delta("cleardown_releases_failed_total", { rule: "23.231:7.3.2/1#release-termination" })).toBe(0);
    expect(delta("cleardown_releases_completed_total", { rule: "23.231:7.3.2/1#release-termination" })).toBe(CALLS);
    // Subtracts (no loss on H.248 here): each termination once.
    const seized = addsOf(run.mgCommands()).map((a) => `${a.contextId}/${a.terminationId}`);
    expect([...subtractsOf(run.mgCommands())].sort()).toEqual([...seized].sort());
  });
});
