// TS 24.229 §5.4.5.1.2: each clause item, asserted on the planned BYE field by field. Every plan comes from
// the generated runtime and is checked equal to json-rules-engine's (decide.ts).
import { describe, expect, it } from "vitest";
import { decideScscf, header, plansOf, requestTowards } from "./decide.ts";
import { defaultPolicy, dialog, scscf } from "./fixtures.ts";

const C = "24.229:5.4.5.1.2";
const d = dialog();

// What each item's BYE must carry, from the fixture dialog (fixtures.ts).
const items = [
  {
    n: 1,
    served: "calling",
    towards: "called",
    uri: d.calledContact,
    to: d.toOf200,
    from: d.fromOfInvite,
    cseq: `${d.cseqCallingToCalled + 1} BYE`,
    route: d.routeSetTowardsCalled,
    routing: "internal-service-control",
  },
  {
    n: 2,
    served: "calling",
    towards: "calling",
    uri: d.callingContact,
    to: d.fromOfInvite,
    from: d.toOf200,
    cseq: `${d.cseqCalledToCalling! + 1} BYE`,
    route: d.routeSetTowardsCalling,
    routing: "direct",
  },
  {
    n: 3,
    served: "called",
    towards: "called",
    uri: d.calledContact,
    to: d.toOf200,
    from: d.fromOfInvite,
    cseq: `${d.cseqCallingToCalled + 1} BYE`,
    route: d.routeSetTowardsCalled,
    routing: "direct",
  },
  {
    n: 4,
    served: "called",
    towards: "calling",
    uri: d.callingContact,
    to: d.fromOfInvite,
    from: d.toOf200,
    cseq: `${d.cseqCalledToCalling! + 1} BYE`,
    route: d.routeSetTowardsCalling,
    routing: "internal-service-control",
  },
] as const;

async function byeOf(item: (typeof items)[number], facts = scscf({ dialog: dialog({ servedUser: item.served }) })) {
  const { plans } = await decideScscf(facts);
  return requestTowards(plans, item.towards);
}

describe("TS 24.229 §5.4.5.1.2 release of an existing session", () => {
  it(`${C}/intro a network-internal release indication on a confirmed dialog yields two BYEs, one to each party`, async () => {
    for (const served of ["calling", "called"] as const) {
      const { plans } = await decideScscf(scscf({ dialog: dialog({ servedUser: served }) }));
      const byes = plansOf(plans, "sip-request");
      expect(byes.map((b) => [b.method, b.towards.value]).sort()).toEqual([
        ["BYE", "called"],
        ["BYE", "calling"],
      ]);
      expect(plansOf(plans, "state-update").flatMap((u) => u.set)).toContainEqual({
        path: "dialog.state",
        value: "releasing",
        trace: [`${C}/intro`],
      });
    }
    // No indication, no BYE: a confirmed dialog with an unrelated event plans nothing.
    const quiet = await decideScscf(scscf({}, { type: "in-dialog-request", method: "INFO" }));
    expect(quiet.plans).toEqual([]);
  });

  for (const item of items) {
    const id = `${C}/${item.n}`;
    it(`${id} serving the ${item.served} user, a BYE is destined for the ${item.towards} user`, async () => {
      const bye = await byeOf(item);
      expect(bye.method).toBe("BYE");
      expect(bye.towards).toEqual({ value: item.towards, trace: [id] });
      expect(bye.rule).toBe(`${id}#bye-to-${item.towards}`);
    });
    it(`${id}.a Request-URI = ${item.uri}`, async () => {
      const bye = await byeOf(item);
      expect(bye.requestUri).toEqual({ value: item.uri, trace: [`${id}.a`] });
    });
    it(`${id}.b To = ${item.to}`, async () => {
      expect(header(await byeOf(item), "To")).toEqual({ name: "To", value: item.to, trace: [`${id}.b`] });
    });
    it(`${id}.c From = ${item.from}`, async () => {
      expect(header(await byeOf(item), "From")).toEqual({ name: "From", value: item.from, trace: [`${id}.c`] });
    });
    it(`${id}.d Call-ID = the Call-ID of the initial INVITE`, async () => {
      expect(header(await byeOf(item), "Call-ID").value).toBe("a84b4c76e66710@pc33.home1.net");
    });
    it(`${id}.e CSeq = ${item.cseq}`, async () => {
      const h = header(await byeOf(item), "CSeq");
      expect(h.value).toBe(item.cseq);
      expect(h.trace[0]).toBe(`${id}.e`);
    });
    it(`${id}.f Route = the stored route set towards the ${item.towards} user, in order`, async () => {
      const h = header(await byeOf(item), "Route");
      expect(h.value).toBe(item.route.join(", "));
      // No stored route: no Route header at all.
      const direct = await byeOf(
        item,
        scscf({ dialog: dialog({ servedUser: item.served, routeSetTowardsCalled: [], routeSetTowardsCalling: [] }) }),
      );
      expect(direct.headers.some((x) => x.name === "Route")).toBe(false);
    });
    it(`${id}.g Reason carries a SIP response code chosen by the indication's cause`, async () => {
      expect(header(await byeOf(item), "Reason").value).toBe('SIP ;cause=503 ;text="Session Terminated"');
      const timer = await byeOf(
        item,
        scscf({ dialog: dialog({ servedUser: item.served }) }, { type: "release-indication", cause: "session-timer" }),
      );
      expect(header(timer, "Reason").value).toBe('SIP ;cause=408 ;text="Session Timer Expired"');
      const unknown = await byeOf(
        item,
        scscf({ dialog: dialog({ servedUser: item.served }) }, { type: "release-indication", cause: "no-such-cause" }),
      );
      expect(header(unknown, "Reason").value).toBe('SIP ;cause=503 ;text="Session Terminated"');
    });
    it(`${id}.h further headers from local policy follow, plus Max-Forwards: 70`, async () => {
      const policy = {
        ...defaultPolicy,
        furtherHeaders: [{ name: "P-Charging-Vector", value: "icid-value=1234bc9876e" }],
      };
      const bye = await byeOf(item, scscf({ dialog: dialog({ servedUser: item.served }), policy }));
      expect(bye.headers.at(-1)).toEqual({
        name: "P-Charging-Vector",
        value: "icid-value=1234bc9876e",
        trace: [`${id}.h`],
      });
      expect(header(bye, "Max-Forwards").value).toBe("70");
    });
    it(`${id}.i routing = ${item.routing}`, async () => {
      expect((await byeOf(item)).routing).toEqual({ value: item.routing, trace: [`${id}.i`] });
    });
  }

  it(`${C}/2.e ${C}/4.e no CSeq stored for called→calling: the random CSeq drawn in 1..2^31-1 is used`, async () => {
    for (const item of [items[1], items[3]]) {
      const facts = scscf({
        dialog: dialog({ servedUser: item.served, cseqCalledToCalling: null }),
        random: { cseq: 2147483647 },
      });
      expect(header(await byeOf(item, facts), "CSeq").value).toBe("2147483647 BYE");
    }
  });

  it(`${C}/2.a a public GRUU in the calling user's Contact is replaced by the contact bound to it`, async () => {
    const gruu = "sip:alice@home1.net;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6";
    const bindings = [
      {
        aor: "sip:alice@home1.net",
        contact: "sip:alice@198.51.100.7:5062;transport=tcp",
        instance: "<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>",
        tempGruus: [],
      },
      {
        aor: "sip:alice@home1.net",
        contact: "sip:alice@198.51.100.8",
        instance: "<urn:uuid:00000000-0000-0000-0000-000000000001>",
        tempGruus: [],
      },
    ];
    const bye = await byeOf(items[1], scscf({ dialog: dialog({ callingContact: gruu }), bindings }));
    expect(bye.requestUri.value).toBe("sip:alice@198.51.100.7:5062;transport=tcp");
  });

  it(`${C}/3.a a temporary GRUU in the called user's Contact is replaced by the contact bound to it`, async () => {
    const gruu = "sip:tgruu.7hs==jd7vnzga5w7fajsc7-ajd6fabz0f8g5@home2.net;gr";
    const bindings = [
      { aor: "sip:bob@home2.net", contact: "sip:bob@203.0.113.9:5080", instance: "<urn:uuid:bob>", tempGruus: [gruu] },
    ];
    const bye = await byeOf(
      items[2],
      scscf({ dialog: dialog({ servedUser: "called", calledContact: gruu }), bindings }),
    );
    expect(bye.requestUri.value).toBe("sip:bob@203.0.113.9:5080");
  });

  it(`${C}/2.a a GRUU without a live binding follows policy: the stored Contact, or the BYE is skipped`, async () => {
    const gruu = "sip:alice@home1.net;gr=urn:uuid:gone";
    const kept = await byeOf(items[1], scscf({ dialog: dialog({ callingContact: gruu }) }));
    expect(kept.requestUri.value).toBe(gruu);
    const { plans } = await decideScscf(
      scscf({ dialog: dialog({ callingContact: gruu }), policy: { ...defaultPolicy, gruuWithoutBinding: "skip-bye" } }),
    );
    expect(plansOf(plans, "skipped")).toMatchObject([
      { method: "BYE", towards: { value: "calling" }, trace: [`${C}/2.a`] },
    ]);
    expect(plansOf(plans, "sip-request").map((p) => p.towards.value)).toEqual(["called"]);
  });

  it(`${C}/1.a ${C}/4.a the remote party's Contact is used as stored, a GRUU in it is not resolved here`, async () => {
    const gruu = "sip:bob@home2.net;gr=urn:uuid:remote";
    const bye = await byeOf(items[0], scscf({ dialog: dialog({ calledContact: gruu }) }));
    expect(bye.requestUri.value).toBe(gruu);
  });

  it(`${C}/4.a deviation: the seed's literal reading (called user's Contact) is restored by policy`, async () => {
    const policy = { ...defaultPolicy, item4RequestUri: "called-user-contact" as const };
    const bye = await byeOf(items[3], scscf({ dialog: dialog({ servedUser: "called" }), policy }));
    expect(bye.requestUri).toEqual({ value: d.calledContact, trace: [`${C}/4.a`] });
  });

  it(`${C}/closing 2xx to both BYEs releases all information of the dialog`, async () => {
    const first = await decideScscf(
      scscf(
        { dialog: dialog({ state: "releasing", release: { byeToCalled: "sent", byeToCalling: "sent" } }) },
        { type: "bye-response", towards: "called", status: 200 },
      ),
    );
    expect(first.plans).toEqual([
      {
        kind: "state-update",
        rule: `${C}/closing#record-2xx-from-called`,
        trace: [`${C}/closing`],
        set: [{ path: "dialog.release.byeToCalled", value: "2xx", trace: [`${C}/closing`] }],
      },
    ]);
    const second = await decideScscf(
      scscf(
        { dialog: dialog({ state: "releasing", release: { byeToCalled: "2xx", byeToCalling: "sent" } }) },
        { type: "bye-response", towards: "calling", status: 200 },
      ),
    );
    expect(plansOf(second.plans, "state-release")).toEqual([
      { kind: "state-release", rule: `${C}/closing#release-dialog`, trace: [`${C}/closing`], entity: "dialog" },
    ]);
  });
});

describe("extensions of TS 24.229 §5.4.5.1.2", () => {
  const X = "x-24.229:5.4.5.1.2";
  it(`${X}/bye-failure a 481, a 408 or Timer F on one BYE, 2xx on the other: the dialog is released and the failure logged`, async () => {
    for (const event of [
      { type: "bye-response" as const, towards: "calling" as const, status: 481 },
      { type: "bye-response" as const, towards: "calling" as const, status: 408 },
      { type: "bye-timeout" as const, towards: "calling" as const },
    ]) {
      const { plans } = await decideScscf(
        scscf({ dialog: dialog({ state: "releasing", release: { byeToCalled: "2xx", byeToCalling: "sent" } }) }, event),
      );
      expect(plansOf(plans, "state-update")[0].set[0]).toMatchObject({
        path: "dialog.release.byeToCalling",
        value: "failed",
      });
      expect(plansOf(plans, "state-release")).toHaveLength(1);
      expect(plansOf(plans, "log").map((l) => l.level)).toContain("warn");
    }
    // The other BYE still unanswered: nothing is released yet.
    const waiting = await decideScscf(
      scscf(
        { dialog: dialog({ state: "releasing", release: { byeToCalled: "sent", byeToCalling: "sent" } }) },
        { type: "bye-timeout", towards: "calling" },
      ),
    );
    expect(plansOf(waiting.plans, "state-release")).toHaveLength(0);
  });

  it(`${X}/request-during-release a request on a dialog under release is answered 481, an ACK is not`, async () => {
    const releasing = dialog({ state: "releasing", release: { byeToCalled: "sent", byeToCalling: "sent" } });
    const { plans } = await decideScscf(scscf({ dialog: releasing }, { type: "in-dialog-request", method: "INVITE" }));
    expect(plansOf(plans, "sip-response")).toMatchObject([{ request: "received", status: { value: 481 } }]);
    const ack = await decideScscf(scscf({ dialog: releasing }, { type: "in-dialog-request", method: "ACK" }));
    expect(ack.plans).toEqual([]);
  });
});
