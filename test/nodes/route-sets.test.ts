// Route sets towards each party, split at the S-CSCF's own Record-Route entry (TS 24.229 §5.4.5.1.2 items
// 1.f–4.f read them).
import { describe, expect, it } from "vitest";
import { splitRouteSet } from "../../src/nodes/scscf/route-sets.ts";

const own = (v: string) => v.includes("scscf.home1.net");
// As the 2xx carries it: the proxy nearest the called user on top.
const plain = ["<sip:pcscf2.home2.net;lr>", "<sip:scscf.home1.net;lr>", "<sip:pcscf1.home1.net;lr>"];
const withAs = [
  "<sip:pcscf2.home2.net;lr>",
  "<sip:scscf.home1.net;lr;b>",
  "<sip:as1.home1.net;lr>",
  "<sip:scscf.home1.net;lr;a>",
  "<sip:pcscf1.home1.net;lr>",
];

describe("route sets seen from the S-CSCF", () => {
  it("24.229:5.4.5.1.2/1.f 24.229:5.4.5.1.2/2.f split at the own entry, nearest hop first", () => {
    expect(splitRouteSet(plain, own, "calling")).toEqual({
      routeSetTowardsCalled: ["<sip:pcscf2.home2.net;lr>"],
      routeSetTowardsCalling: ["<sip:pcscf1.home1.net;lr>"],
      serviceRoute: [],
    });
  });
  it("24.229:5.4.5.1.2/1.f 24.229:5.4.5.1.2/2.f serving the calling user with an AS: the BYE to the called user passes the AS, the one to the calling user does not", () => {
    expect(splitRouteSet(withAs, own, "calling")).toEqual({
      routeSetTowardsCalled: ["<sip:as1.home1.net;lr>", "<sip:scscf.home1.net;lr;b>", "<sip:pcscf2.home2.net;lr>"],
      routeSetTowardsCalling: ["<sip:pcscf1.home1.net;lr>"],
      // Internal service control: the originating AS, then back to this S-CSCF.
      serviceRoute: ["<sip:as1.home1.net;lr>", "<sip:scscf.home1.net;lr;b>"],
    });
  });
  it("24.229:5.4.5.1.2/3.f 24.229:5.4.5.1.2/4.f serving the called user with an AS: the BYE to the calling user passes the AS, the one to the called user does not", () => {
    expect(splitRouteSet(withAs, own, "called")).toEqual({
      routeSetTowardsCalled: ["<sip:pcscf2.home2.net;lr>"],
      routeSetTowardsCalling: ["<sip:as1.home1.net;lr>", "<sip:scscf.home1.net;lr;a>", "<sip:pcscf1.home1.net;lr>"],
      serviceRoute: ["<sip:as1.home1.net;lr>", "<sip:scscf.home1.net;lr;a>"],
    });
  });
  it("no own entry: no route sets (the S-CSCF is not in the dialog)", () => {
    expect(splitRouteSet(["<sip:other;lr>"], own, "calling")).toBeUndefined();
  });
});
