// The GMSC's /metrics (Prometheus text) scraped after real calls through SIPp and the Erlang megaco MG, each figure
// asserted at its concrete value: calls in store, H.248 transactions by command and outcome, retransmissions (one
// Subtract and one 200 OK (BYE) lost on purpose, so exactly one of each protocol), releases started, completed and
// failed per rule, and the BYE final-response latency histogram. Timers are long enough here (T1 400 ms, H.248 500 ms) that nothing else is
// retransmitted.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metricValue } from "../../support/metrics-text.ts";
import type { TappedDatagram } from "../../support/udp-tap.ts";
import { established, expectBothReleased } from "./call-checks.ts";
import { type GmscHarness, startGmscHarness } from "./gmsc-harness.ts";

let h: GmscHarness;
beforeAll(async () => {
  h = await startGmscHarness({
    t1: 400,
    mgcTimers: { initialRetransmitMs: 500, maxRetransmitMs: 1000, maxAttempts: 4 },
    logLevel: "warn",
  });
}, 120_000);
afterAll(async () => h?.close());

const gmscInitiated = "23.231:7.3.2/1#release-termination";
const byeFromPreceding = "23.231:7.3.1/b.2#bye";

/** Loses the first datagram `matches` picks, and no other. */
function loseFirst(matches: (d: TappedDatagram) => boolean): (d: TappedDatagram) => boolean {
  let lost = false;
  return (d) => {
    if (lost || !matches(d)) return false;
    lost = true;
    return true;
  };
}

describe("GMSC /metrics after real calls", () => {
  it("23.231:7.3.2/1 23.231:7.3.1/b.2 calls in store, H.248 transactions by command and outcome, SIP and H.248 retransmissions, releases started/completed/failed per rule, BYE final-response latency", async () => {
    const text = () => h.metrics();
    expect(metricValue(await text(), "cleardown_calls_in_store")).toBe(0);
    // The MG registered when the harness started: one ServiceChange received.
    expect(
      metricValue(await text(), "cleardown_h248_transactions_total", { command: "ServiceChange", outcome: "received" }),
    ).toBe(1);

    // Call 1, cleared by the GMSC (7.3.2): its first Subtract and the succeeding node's 200 OK (BYE) are lost once.
    const c1 = await established(h, "gmsc-preceding-wait-bye.xml", { LINGER_MS: 1500 });
    expect(metricValue(await text(), "cleardown_calls_in_store")).toBe(1);
    h.mgcTap.drop = loseFirst((d) => d.direction === "from-peer" && /\b(?:Subtract|S)\s*=/.test(d.data.toString()));
    h.succeedingTap.drop = loseFirst(
      (d) => d.direction === "from-peer" && /^SIP\/2\.0 200[\s\S]*\r\nCSeq: *\d+ BYE\r\n/i.test(d.data.toString()),
    );
    try {
      expect((await h.admin("POST", `/v1/calls/${c1.callId}/release`, { cause: "administrative" })).status).toBe(202);
      await c1.done();
      await expectBothReleased(h, c1, true);
      await h.waitFor("both Subtracts answered", async () => {
        const t = await text();
        return metricValue(t, "cleardown_h248_transactions_total", { command: "Subtract", outcome: "replied" }) === 2;
      });
    } finally {
      h.mgcTap.drop = undefined;
      h.succeedingTap.drop = undefined;
    }
    expect(h.mgcTap.dropped).toHaveLength(1);
    expect(h.succeedingTap.dropped).toHaveLength(1);

    // Call 2, cleared by the preceding node's BYE (7.3.1 b.2).
    const c2 = await established(h, "gmsc-preceding-bye.xml");
    await c2.done();
    await expectBothReleased(h, c2);

    // Call 3, cleared by the GMSC, its BYE to the preceding node answered 481: a release with a failed request.
    const c3 = await established(h, "gmsc-preceding-wait-bye.xml", {}, { BYE_481: 1 });
    expect((await h.admin("POST", `/v1/calls/${c3.callId}/release`, {})).status).toBe(202);
    await c3.done();
    await expectBothReleased(h, c3);
    await h.waitFor("every call released", async () => (await h.admin("GET", "/v1/calls")).body.calls.length === 0);
    await h.waitFor(
      "six Subtracts answered",
      async () =>
        metricValue(await text(), "cleardown_h248_transactions_total", { command: "Subtract", outcome: "replied" }) ===
        6,
    );

    const t = await text();
    expect(metricValue(t, "cleardown_calls_in_store")).toBe(0);
    const h248 = (command: string, outcome: string) =>
      metricValue(t, "cleardown_h248_transactions_total", { command, outcome });
    expect(h248("Add", "replied")).toBe(3);
    // The Remote descriptor of the destination-side termination, from each 200 OK's SDP.
    expect(h248("Modify", "replied")).toBe(3);
    expect(h248("Subtract", "replied")).toBe(6);
    expect(h248("Subtract", "timeout")).toBe(0);
    expect(h248("Subtract", "error")).toBe(0);
    expect(metricValue(t, "cleardown_retransmissions_total", { protocol: "H.248" })).toBe(1);
    expect(metricValue(t, "cleardown_retransmissions_total", { protocol: "SIP" })).toBe(1);
    expect(metricValue(t, "cleardown_releases_started_total", { rule: gmscInitiated })).toBe(2);
    expect(metricValue(t, "cleardown_releases_completed_total", { rule: gmscInitiated })).toBe(2);
    expect(metricValue(t, "cleardown_releases_failed_total", { rule: gmscInitiated })).toBe(1);
    expect(metricValue(t, "cleardown_releases_started_total", { rule: byeFromPreceding })).toBe(1);
    expect(metricValue(t, "cleardown_releases_completed_total", { rule: byeFromPreceding })).toBe(1);
    expect(metricValue(t, "cleardown_releases_failed_total", { rule: byeFromPreceding })).toBe(0);
    // BYEs with a final response: two for each GMSC-initiated clearing, one forwarded for the preceding node's.
    expect(metricValue(t, "cleardown_bye_final_response_seconds_count")).toBe(5);
    // The BYE whose 200 OK was lost waited for its retransmission (T1 = 400 ms): above 0.25 s; the others below.
    expect(metricValue(t, "cleardown_bye_final_response_seconds_bucket", { le: "0.25" })).toBe(4);
    expect(metricValue(t, "cleardown_bye_final_response_seconds_bucket", { le: "+Inf" })).toBe(5);
    expect(metricValue(t, "cleardown_malformed_messages_total", { protocol: "SIP", outcome: "answered" })).toBe(0);
  });
});
