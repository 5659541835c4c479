// The stored dialog state the clause reads, learnt from the INVITE, its 2xx and in-dialog requests.
import { describe, expect, it } from "vitest";
import { confirmedDialog, earlyDialog, withRequestCSeq } from "../../src/nodes/scscf/dialog-tracking.ts";

const own = (v: string) => v.includes("scscf.home1.net");
const invite = {
  callId: "c1@pc33",
  from: "<sip:alice@home1.net>;tag=1928",
  to: "<sip:bob@home2.net>",
  contact: "sip:alice@192.0.2.1:5060",
  cseq: 10,
  recordRoute: ["<sip:scscf.home1.net;lr>", "<sip:pcscf1.home1.net;lr>"],
  servedUser: "calling" as const,
};
const ok = {
  to: "<sip:bob@home2.net>;tag=a6c8",
  contact: "sip:bob@192.0.2.4",
  recordRoute: ["<sip:pcscf2.home2.net;lr>", "<sip:scscf.home1.net;lr>", "<sip:pcscf1.home1.net;lr>"],
};

describe("dialog tracking", () => {
  it("24.229:5.4.5.1.2/1.b 24.229:5.4.5.1.2/1.c 24.229:5.4.5.1.2/1.a the 2xx gives To with its tag, the called user's Contact and both route sets", () => {
    const d = confirmedDialog(earlyDialog(invite, own), ok, own);
    expect(d).toMatchObject({
      state: "confirmed",
      fromOfInvite: "<sip:alice@home1.net>;tag=1928",
      toOf200: "<sip:bob@home2.net>;tag=a6c8",
      callingContact: "sip:alice@192.0.2.1:5060",
      calledContact: "sip:bob@192.0.2.4",
      routeSetTowardsCalled: ["<sip:pcscf2.home2.net;lr>"],
      routeSetTowardsCalling: ["<sip:pcscf1.home1.net;lr>"],
      cseqCallingToCalled: 10,
      cseqCalledToCalling: null,
    });
  });

  it("24.229:5.4.5.1.2/1.e 24.229:5.4.5.1.2/2.e in-dialog requests move the CSeq of their own direction", () => {
    let d = confirmedDialog(earlyDialog(invite, own), ok, own);
    d = withRequestCSeq(d, "<sip:alice@home1.net>;tag=1928", 11); // re-INVITE from the calling user
    d = withRequestCSeq(d, "<sip:bob@home2.net>;tag=a6c8", 4711); // UPDATE from the called user
    d = withRequestCSeq(d, "<sip:alice@home1.net>;tag=1928", 11); // ACK for it: same number
    expect([d.cseqCallingToCalled, d.cseqCalledToCalling]).toEqual([11, 4711]);
  });
});
