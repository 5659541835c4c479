// x-24.229:5.4.5.1.2/cseq-range at the wire with SIPp (issue 16 item 4): a CSeq stays below 2^31 (RFC 3261
// §8.1.1.5). Stored 2^31-2, the BYE carries 2^31-1; stored 2^31-1, incrementing would leave the range, so the BYE
// carries the random CSeq the rules take instead (as item 2.e does when nothing is stored).
import { describe, expect, it } from "vitest";
import { ALICE, BOB, bye, byeRules, type Json, releaseCall, scscfForTest } from "./scscf-harness.ts";

const C = "24.229:5.4.5.1.2";
const X = `x-${C}/cseq-range`;
const cseqOf = (released: Json, towards: string): { value: string; trace: string[] } =>
  released.plans
    .find((p: Json) => p.kind === "sip-request" && p.towards.value === towards)
    .headers.find((h: Json) => h.name === "CSeq");

describe("S-CSCF: the BYE's CSeq at the end of its range (SIPp)", () => {
  it(`${X} ${C}/1.e ${C}/2.e stored 2^31-1 towards the called user: a random CSeq in range; stored 2^31-2 towards the calling user: 2^31-1`, async () => {
    const s = await scscfForTest("udp");
    try {
      const callId = "sipp-cseq-range-1@127.0.0.1";
      const { released } = await releaseCall(
        s,
        {
          scscf: s,
          served: "calling",
          callId,
          fromTag: "a-range",
          toTag: "b-range",
          cseq: 2 ** 31 - 1,
          calleeCseq: 2 ** 31 - 2,
        },
        (p) => ({
          // 1.e: 2147483647 + 1 leaves the range: a random number of 1..2^31-1 (at most ten digits).
          toCallee: bye(
            p.calleeContact,
            BOB,
            "b-range",
            ALICE,
            "a-range",
            callId,
            { regex: "[1-9][0-9]{0,9} BYE" },
            null,
          ),
          toCaller: bye(p.callerContact, ALICE, "a-range", BOB, "b-range", callId, "2147483647 BYE", p.callerPcscf),
        }),
        { ready: (d) => d.cseqCallingToCalled === 2 ** 31 - 1 && d.cseqCalledToCalling === 2 ** 31 - 2 },
      );
      expect(byeRules(released)).toEqual([`${C}/1#bye-to-called`, `${C}/2#bye-to-calling`]);
      const toCalled = cseqOf(released, "called");
      const n = Number(toCalled.value.split(" ")[0]);
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThanOrEqual(2 ** 31 - 1);
      expect(toCalled.trace).toEqual([`${C}/1.e`, "rfc3261:8.1.1.5", X]);
      expect(cseqOf(released, "calling").value).toBe("2147483647 BYE");
    } finally {
      await s.close();
    }
  });
});
