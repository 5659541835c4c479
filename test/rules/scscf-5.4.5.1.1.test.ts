// TS 24.229 §5.4.5.1.1 (spec/24.229-5.4.5.1.1.clause): a network-internal release of a session still being
// established (no 2xx yet: the dialog is early) cancels it. Each item asserted on the plan the rules make, from
// the generated runtime checked equal to json-rules-engine's (decide.ts); the wire is in
// test/nodes/scscf/scscf-release-failures-sipp.test.ts.
import { describe, expect, it } from "vitest";
import { decideScscf, header, plansOf } from "./decide.ts";
import { dialog, scscf } from "./fixtures.ts";

const C = "24.229:5.4.5.1.1";
const X = "x-24.229:5.4.5.1.2/early-dialog";
const RULE = `${C}/intro#cancel-early-dialog`;
const early = (cause = "administrative") =>
  decideScscf(scscf({ dialog: dialog({ state: "early" }) }, { type: "release-indication", cause }));

describe("TS 24.229 §5.4.5.1.1 cancellation of a session currently being established", () => {
  it(`${C}/intro a release indication for an early dialog is this clause's case: no BYE, the dialog turns releasing`, async () => {
    const { plans } = await early();
    expect(plans.map((p) => p.rule)).toEqual([RULE, RULE, RULE]);
    expect(plansOf(plans, "sip-request")).toEqual([]);
    expect(plansOf(plans, "state-update")).toMatchObject([
      {
        trace: [`${C}/intro`],
        set: [
          { path: "dialog.state", value: "releasing", trace: [`${C}/intro`] },
          // Kept for a 2xx that crosses the CANCEL: the release then goes on for this cause.
          { path: "dialog.release.cause", value: "administrative", trace: ["x-24.229:5.4.5.1.2/early-dialog"] },
        ],
      },
    ]);
    // A confirmed dialog is §5.4.5.1.2's: BYEs, and nothing of this clause.
    const confirmed = await decideScscf(scscf());
    expect(confirmed.plans.some((p) => p.rule === RULE)).toBe(false);
    expect(plansOf(confirmed.plans, "sip-request").map((p) => p.method)).toEqual(["BYE", "BYE"]);
  });

  it(`${C}/1 the related dialog is cancelled: one CANCEL towards the called user (RFC 3261 §9.1)`, async () => {
    const { plans } = await early();
    const cancels = plansOf(plans, "sip-cancel");
    expect(cancels).toHaveLength(1);
    expect(cancels[0]).toMatchObject({
      trace: [`${C}/1`, "rfc3261:9.1"],
      towards: { value: "called", trace: [`${C}/1`] },
    });
  });

  it(`${C}/2 the sender of the original INVITE gets an appropriate response: 487 to its INVITE`, async () => {
    const { plans } = await early();
    expect(plansOf(plans, "sip-response")).toMatchObject([
      {
        trace: [`${C}/2`],
        request: "invite",
        towards: { value: "calling", trace: [`${C}/2`] },
        status: { value: 487, trace: [`${C}/2`, X] },
      },
    ]);
  });

  it(`${X} the CANCEL and the 487 carry the Reason of the release cause (the §5.4.5.1.2 table)`, async () => {
    for (const [cause, reason] of [
      ["administrative", 'SIP ;cause=503 ;text="Session Terminated"'],
      ["session-timer", 'SIP ;cause=408 ;text="Session Timer Expired"'],
    ]) {
      const { plans } = await early(cause);
      for (const plan of [...plansOf(plans, "sip-cancel"), ...plansOf(plans, "sip-response")])
        expect(header(plan, "Reason")).toEqual({ name: "Reason", value: reason, trace: [X, "rfc3326:2"] });
    }
  });
});
