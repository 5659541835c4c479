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
    const r = await takeoverRun(redis.url, N, 3000);
    console.log(
      `release takeover: ${r.dialogs} dialogs, ${r.doneByA} released by A, ${r.takenOverByB} taken over by B in ` +
        `${r.takeoverSeconds.toFixed(2)} s after A's death; duplicate BYEs (481 or, at the called UE, unanswered): ${r.duplicates}`,
    );
    // Half the releases ended on A; the other half had their BYE to the called UE held when A died.
    expect(r.doneByA).toBeGreaterThan(0);
    expect(r.takenOverByB).toBeGreaterThan(0);
    expect(r.doneByA + r.takenOverByB).toBe(N);
    // Zero dialogs with a missing BYE: each SIPp call got its BYE and answered it (a call without one fails on
    // its BYE timeout; a second BYE in a call would fail it too).
    expect(r.callerSuccessful).toBe(N);
    expect(r.calleeSuccessful).toBe(N);
    expect(r.failed).toBe(0);
    // B sent each held BYE again, the same request: same Call-ID, CSeq and Reason as A's (items 1.e, 1.g). Any
    // other BYE of B's went to a UE that had answered A's already: a duplicate (reported above).
    const key = (t: string) => header(t, "Call-ID");
    const held = new Map(r.heldByes.map((t) => [key(t), t]));
    const fromB = new Map(r.byesFromB.map((t) => [key(t), t]));
    expect(held.size).toBeGreaterThan(0);
    for (const [callId, a] of held) {
      const b = fromB.get(callId);
      expect(b, callId).toBeDefined();
      expect(header(b ?? "", "CSeq")).toBe(header(a, "CSeq"));
      expect(header(b ?? "", "Reason")).toBe(header(a, "Reason"));
      expect(header(b ?? "", "Reason")).toMatch(/^SIP ;cause=/);
    }
    expect(fromB.size - held.size).toBeLessThanOrEqual(r.duplicates);
  }, 300_000);
});
