// x-24.229:5.4.5.1.2/release-takeover: a release survives its node. SIPp holds 1,000 dialogs through S-CSCF A
// (a `cleardown serve` process) on a real redis-server, B shares the store; a bulk release starts on A, and the
// called UE's P-CSCF stand-in (a UDP relay) holds the BYEs of every other call, so A dies (SIGKILL) with half
// of the releases done and half with one BYE unanswered. B finds those releases' leases lapsed and completes
// them: every call at both SIPp UEs ends with its BYE (none missing), each BYE B sends is A's again (same CSeq,
// same Reason); a UE that had answered already answers 481 (counted, reported: x-24.229:5.4.5.1.2/bye-failure).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisPeer, startRedis } from "../../support/redis-server.ts";
import { header, takeoverRun } from "./release-takeover-run.ts";

const X = "x-24.229:5.4.5.1.2/release-takeover";
const C = "24.229:5.4.5.1.2";
const N = 1000;

let redis: RedisPeer;
beforeAll(async () => {
  redis = await startRedis();
}, 60_000);
afterAll(async () => {
  await redis?.stop();
});

describe("S-CSCF release takeover on a shared redis-server (two cleardown serve processes, SIPp UEs)", () => {
  it(`${X} ${C}/closing ${C}/1.e ${C}/2.e x-24.229:5.4.5.1.2/bye-failure A dies mid-way through a bulk release of ${N} dialogs: B completes the rest, no BYE missing`, async () => {
    const r = await takeoverRun(redis.url, N, 1500);
    console.log(
      `release takeover: ${r.dialogs} dialogs, ${r.doneByA} released by A, ${r.takenOverByB} taken over by B in ` +
        `${r.takeoverSeconds.toFixed(2)} s after A's death; duplicate BYEs answered 481: ${r.duplicates}`,
    );
    // Half the releases ended on A; the other half had their BYE to the called UE held when A died.
    expect(r.doneByA).toBe(N / 2);
    expect(r.takenOverByB).toBe(N / 2);
    // Zero dialogs with a missing BYE: each SIPp call got its BYE and answered it (a call without one fails on
    // its BYE timeout; a second BYE in a call would fail it too).
    expect(r.callerSuccessful).toBe(N);
    expect(r.calleeSuccessful).toBe(N);
    expect(r.failed).toBe(0);
    // B sent each held BYE again, the same request: same Call-ID, CSeq and Reason as A's (item 1.e, 1.g).
    const key = (t: string) => header(t, "Call-ID");
    const held = new Map(r.heldByes.map((t) => [key(t), t]));
    const fromB = new Map(r.byesFromB.map((t) => [key(t), t]));
    expect(held.size).toBe(N / 2);
    expect(fromB.size).toBe(N / 2);
    for (const [callId, a] of held) {
      const b = fromB.get(callId);
      expect(b, callId).toBeDefined();
      expect(header(b ?? "", "CSeq")).toBe(header(a, "CSeq"));
      expect(header(b ?? "", "Reason")).toBe(header(a, "Reason"));
      expect(header(b ?? "", "Reason")).toMatch(/^SIP ;cause=/);
    }
    // A duplicate is a BYE towards the calling UE it had answered before A recorded the answer: at most one per
    // call B took over (reported above).
    expect(r.duplicates).toBeLessThanOrEqual(N / 2);
  }, 300_000);
});
