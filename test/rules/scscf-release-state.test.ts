// What the rules record of a release (issue 16: decisions that the shell used to write), asserted on the plan,
// each from both evaluators (decide.ts): the outcome of each BYE (sent, skipped) and its CSeq, planned as
// state-update actions; a 2xx crossing the release of an early dialog; the CSeq at the end of its range.
import { describe, expect, it } from "vitest";
import { decideScscf, header, plansOf, requestTowards } from "./decide.ts";
import { defaultPolicy, dialog, scscf } from "./fixtures.ts";

const C = "24.229:5.4.5.1.2";
const key = (towards: string) => (towards === "called" ? "Called" : "Calling");

describe("S-CSCF release state, as the rules plan it", () => {
  for (const [n, served, towards] of [
    [1, "calling", "called"],
    [2, "calling", "calling"],
    [3, "called", "called"],
    [4, "called", "calling"],
  ] as const) {
    it(`${C}/${n} ${C}/${n}.e ${C}/closing the BYE is recorded as sent, with the CSeq it carries`, async () => {
      const { plans } = await decideScscf(scscf({ dialog: dialog({ servedUser: served }) }));
      const bye = requestTowards(plans, towards);
      const cseq = Number(header(bye, "CSeq").value.split(" ")[0]);
      // The state-update of the BYE's rule follows its request in the plan.
      const update = plans[plans.indexOf(bye) + 1];
      expect(update).toMatchObject({ kind: "state-update", rule: bye.rule });
      expect(update.kind === "state-update" && update.set).toEqual([
        { path: `dialog.release.byeTo${key(towards)}`, value: "sent", trace: [`${C}/${n}`, `${C}/closing`] },
        {
          path: `dialog.release.byeCSeqTo${key(towards)}`,
          value: cseq,
          trace: [`${C}/${n}.e`, "rfc3261:8.1.1.5", `x-${C}/cseq-range`],
        },
      ]);
      expect(cseq).toBe(towards === "called" ? 314160 : 4712);
    });
  }

  for (const [n, served, towards, field] of [
    [2, "calling", "calling", "callingContact"],
    [3, "called", "called", "calledContact"],
  ] as const) {
    it(`${C}/${n}.a a GRUU without a binding under skip-bye: skipped, why from the rule, recorded as skipped`, async () => {
      const gruu = "sip:someone@home1.net;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6";
      const { plans } = await decideScscf(
        scscf({
          dialog: dialog({ servedUser: served, [field]: gruu }),
          policy: { ...defaultPolicy, gruuWithoutBinding: "skip-bye" },
        }),
      );
      expect(plansOf(plans, "sip-request").map((p) => p.towards.value)).not.toContain(towards);
      const skipped = plansOf(plans, "skipped");
      expect(skipped).toEqual([
        {
          kind: "skipped",
          rule: `${C}/${n}#bye-to-${towards}`,
          trace: [`${C}/${n}.a`],
          method: "BYE",
          towards: { value: towards, trace: [`${C}/${n}`] },
          why: "the stored Contact is a GRUU with no live binding and policy gruuWithoutBinding is skip-bye",
        },
      ]);
      expect(plans[plans.indexOf(skipped[0]) + 1]).toEqual({
        kind: "state-update",
        rule: `${C}/${n}#bye-to-${towards}`,
        trace: [`${C}/${n}.a`],
        set: [
          { path: `dialog.release.byeTo${key(towards)}`, value: "skipped", trace: [`${C}/${n}.a`, `${C}/closing`] },
        ],
      });
    });
  }

  it(`x-${C}/cseq-range at 2^31-2 the BYE carries 2^31-1; at 2^31-1 it carries the random CSeq (items 1.e, 2.e)`, async () => {
    const random = { cseq: 98765 };
    const near = await decideScscf(
      scscf({ dialog: dialog({ cseqCallingToCalled: 2 ** 31 - 2, cseqCalledToCalling: 2 ** 31 - 2 }), random }),
    );
    expect(header(requestTowards(near.plans, "called"), "CSeq").value).toBe("2147483647 BYE");
    expect(header(requestTowards(near.plans, "calling"), "CSeq").value).toBe("2147483647 BYE");
    const end = await decideScscf(
      scscf({ dialog: dialog({ cseqCallingToCalled: 2 ** 31 - 1, cseqCalledToCalling: 2 ** 31 - 1 }), random }),
    );
    for (const towards of ["called", "calling"]) {
      const cseq = header(requestTowards(end.plans, towards), "CSeq");
      expect(cseq.value).toBe("98765 BYE");
      expect(cseq.trace).toContain(`x-${C}/cseq-range`);
    }
    const recorded = plansOf(end.plans, "state-update").flatMap((u) => u.set);
    expect(recorded).toContainEqual(expect.objectContaining({ path: "dialog.release.byeCSeqToCalled", value: 98765 }));
    expect(recorded).toContainEqual(expect.objectContaining({ path: "dialog.release.byeCSeqToCalling", value: 98765 }));
  });

  it(`x-${C}/early-dialog the cancelling rule records the release's cause`, async () => {
    const { plans } = await decideScscf(
      scscf({ dialog: dialog({ state: "early" }) }, { type: "release-indication", cause: "session-timer" }),
    );
    expect(plansOf(plans, "state-update").flatMap((u) => u.set)).toContainEqual({
      path: "dialog.release.cause",
      value: "session-timer",
      trace: [`x-${C}/early-dialog`],
    });
  });

  it(`x-${C}/2xx-crossing-release a 2xx crossing the release of an early dialog: confirmed, and the release goes on`, async () => {
    const X = `x-${C}/2xx-crossing-release`;
    const crossing = dialog({
      state: "releasing",
      release: { byeToCalled: "none", byeToCalling: "none", cause: "deregistration" },
    });
    const { plans } = await decideScscf(scscf({ dialog: crossing }, { type: "invite-2xx" }));
    expect(plans).toEqual([
      {
        kind: "state-update",
        rule: `${X}#release-confirmed`,
        trace: [X],
        set: [{ path: "dialog.state", value: "confirmed", trace: [X] }],
      },
      {
        kind: "release-indication",
        rule: `${X}#release-confirmed`,
        trace: [X, `${C}/intro`],
        cause: { value: "deregistration", trace: [X] },
      },
    ]);
    // No release under way: a 2xx confirming an early dialog, or a retransmitted one, asks nothing of the rules.
    for (const state of ["early", "confirmed"] as const)
      expect((await decideScscf(scscf({ dialog: dialog({ state }) }, { type: "invite-2xx" }))).plans).toEqual([]);
  });
});
