// x-23.231:7.3.1/cancel-before-forwarding on the wire: the preceding node (SIPp) cancels its INVITE while the GMSC
// is still seizing the MGW terminations (the Erlang megaco MG gets the Add only by a retransmission, after the
// CANCEL was answered). The CANCEL does not wait for the MGW: the rules answer it (200 OK, 487) at once, no INVITE
// goes on, and when the MGW confirms the Add the rules release what it seized (terminations-seized).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addsOf, type GmscHarness, startGmscHarness, subtractsOf } from "./gmsc-harness.ts";
import { ladder, messages } from "./wire.ts";

let h: GmscHarness;
beforeAll(async () => {
  // Room for the held Add: eight sends from 100 ms, backing off to 400 ms.
  h = await startGmscHarness({ mgcTimers: { initialRetransmitMs: 100, maxRetransmitMs: 400, maxAttempts: 8 } });
}, 120_000);
afterAll(async () => h?.close());

describe("x-23.231:7.3.1/cancel-before-forwarding a CANCEL while the terminations are being seized", () => {
  it("x-23.231:7.3.1/cancel-before-forwarding 23.231:7.3.4/1 23.231:7.3.4/2 200 OK (CANCEL) and 487 at once, no INVITE downstream; the terminations the MGW then confirms are subtracted by the rules", async () => {
    // Nothing the MGC sends (here: the Add) reaches the MG until the preceding node has its 487.
    const answered = () => h.precedingTap.datagrams.some((d) => d.data.toString("latin1").startsWith("SIP/2.0 487"));
    const marked = h.precedingTap.datagrams.length;
    h.mgcTap.drop = (d) => d.direction === "from-peer" && !answered();
    try {
      const c = await h.call({
        preceding: "gmsc-preceding-early-cancel.xml",
        succeeding: "gmsc-succeeding-answer.xml",
        fill: { HOLD_MS: 0 },
        timeoutMs: 8000,
      });
      await c.caller.succeeded();
      await h.waitFor("the Subtracts", () => subtractsOf(c.mgCommands()).length >= 2);
      await c.callee.stop();
      expect(h.precedingTap.datagrams.length).toBeGreaterThan(marked);
      expect(ladder(c.toPreceding())).toEqual([
        "100 Trying (INVITE)",
        "200 OK (CANCEL)",
        "487 Request Terminated (INVITE)",
      ]);
      expect(messages(c.toSucceeding(), /^INVITE /)).toEqual([]);
      // The Add was held back at least once, then executed; exactly its terminations were subtracted.
      expect(h.mgcTap.dropped.length).toBeGreaterThan(0);
      const adds = addsOf(c.mgCommands());
      expect(adds).toHaveLength(2);
      expect(subtractsOf(c.mgCommands())).toEqual(adds.map((a) => `${a.contextId}/${a.terminationId}`));
      const trace = await h.admin("GET", `/v1/calls/${c.callId}/trace`);
      const subtracts = (trace.body.entries as Array<{ direction: string; label: string; rule?: string }>).filter(
        (e) => e.direction === "sent" && e.label.startsWith("Subtract "),
      );
      expect(subtracts.map((e) => e.rule)).toEqual([
        "x-23.231:7.3.1/cancel-before-forwarding#seized-after-cancel",
        "x-23.231:7.3.1/cancel-before-forwarding#seized-after-cancel",
      ]);
      await h.waitFor("the call released", async () => (await h.admin("GET", "/v1/calls")).body.calls.length === 0);
    } finally {
      h.mgcTap.drop = undefined;
    }
  });
});
