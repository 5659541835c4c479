// An application server record-routes the dialog, so the S-CSCF is twice on the Record-Route set: the split is
// made at its entry nearest the served user, so the BYE towards the remote party passes the AS ("internal
// service control", items 1.i and 4.i) and the BYE towards the served user does not (items 2.i and 3.i).
import { afterEach, describe, expect, it } from "vitest";
import { startRecordRoutingAs, type TestAs } from "../../peers/as/record-routing-as.ts";
import { ALICE, BOB, bye, releaseCall, type Scscf, startScscf } from "./scscf-harness.ts";

const C = "24.229:5.4.5.1.2";
let scscf: Scscf | undefined;
let as: TestAs | undefined;
afterEach(async () => {
  await scscf?.close();
  await as?.close();
  scscf = undefined;
  as = undefined;
});

const byes = (a: TestAs, callId: string) => a.proxied.filter((r) => r.method === "BYE" && r.callId === callId);

describe("S-CSCF with an application server on the dialog's route (SIPp UEs, a record-routing AS)", () => {
  it(`${C}/1.f ${C}/1.i ${C}/2.f ${C}/2.i originating AS: the BYE to the called user passes the AS, the BYE to the calling user does not`, async () => {
    as = await startRecordRoutingAs();
    scscf = await startScscf("udp", { scscf: { applicationServers: [{ uri: as.uri, sessionCase: "originating" }] } });
    const s = scscf;
    const callId = "sipp-as-orig-1@127.0.0.1";
    const { released } = await releaseCall(
      s,
      {
        scscf: s,
        served: "calling",
        callId,
        fromTag: "aas1",
        toTag: "bas1",
        cseq: 70,
        calleePcscf: true,
        as: as.entry,
      },
      (p) => ({
        // The AS and this S-CSCF's second entry took themselves off the Route on the way.
        toCallee: bye(p.calleeContact, BOB, "bas1", ALICE, "aas1", callId, "71 BYE", p.calleePcscf!, 68),
        toCaller: bye(p.callerContact, ALICE, "aas1", BOB, "bas1", callId, { regex: "[0-9]{1,10} BYE" }, p.callerPcscf),
      }),
    );
    const toCalled = released.plans.find((p: { rule: string }) => p.rule === `${C}/1#bye-to-called`);
    expect(toCalled.routing.value).toBe("internal-service-control");
    expect(toCalled.headers.find((h: { name: string }) => h.name === "Route").value).toBe(
      `${as.entry}, ${s.own}, <sip:127.0.0.1:${toCalled.requestUri.value.split(":")[2]};lr;x-pcscf=term>`,
    );
    // Only the BYE towards the called user (CSeq 71) went through the AS.
    expect(byes(as, callId).map((r) => r.cseq)).toEqual(["71 BYE"]);
  });

  it(`${C}/3.i ${C}/4.f ${C}/4.i terminating AS: the BYE to the calling user passes the AS, the BYE to the called user does not`, async () => {
    as = await startRecordRoutingAs();
    scscf = await startScscf("udp", { scscf: { applicationServers: [{ uri: as.uri, sessionCase: "terminating" }] } });
    const s = scscf;
    const callId = "sipp-as-term-1@127.0.0.1";
    await releaseCall(
      s,
      {
        scscf: s,
        served: "called",
        callId,
        fromTag: "aas2",
        toTag: "bas2",
        cseq: 80,
        calleeCseq: 15,
        as: as.entry,
      },
      (p) => ({
        toCallee: bye(p.calleeContact, BOB, "bas2", ALICE, "aas2", callId, "81 BYE", null),
        toCaller: bye(p.callerContact, ALICE, "aas2", BOB, "bas2", callId, "16 BYE", p.callerPcscf, 68),
      }),
      { ready: (d) => d.cseqCalledToCalling === 15 },
    );
    // The called user's re-INVITE passed the AS too (it is on the dialog's route); of the BYEs, only the one
    // towards the calling user (CSeq 16) did.
    expect(byes(as, callId).map((r) => r.cseq)).toEqual(["16 BYE"]);
    expect(as.proxied.some((r) => r.method === "INVITE" && r.cseq === "15 INVITE")).toBe(true);
  });
});
