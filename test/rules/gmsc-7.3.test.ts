// TS 23.231 §7.3.1–7.3.4: each clause item, asserted on the planned SIP messages and H.248 Subtracts.
import { describe, expect, it } from "vitest";
import type { Plan } from "../../generated/types/index.ts";
import { buildDecider } from "../../src/generate/runtime.ts";
import { loadRuleSets, readRuleSources } from "../../src/rules/load-rules.ts";
import { materialiseAll } from "../../src/rules/materialise.ts";
import { projectRoot } from "../../src/rules/schema-registry.ts";
import { loadSpec } from "../../src/spec/clause-items.ts";
import { decideGmsc, plansOf } from "./decide.ts";
import { call, establishing, gmsc } from "./fixtures.ts";

const subtracts = (plans: Plan[]) => plansOf(plans, "h248-subtract").map((p) => `${p.contextId}/${p.terminationId}`);
const both = ["4711/ip/1/1/1", "4711/ip/1/1/2"];
const wire = (plans: Plan[]) =>
  plans
    .filter((p) => p.kind.startsWith("sip-") || p.kind.startsWith("forward-"))
    .map((p) => {
      const towards = "towards" in p ? p.towards.value : "";
      if (p.kind === "sip-response" || p.kind === "forward-response")
        return `${p.kind} ${p.status.value} → ${towards}${p.kind === "sip-response" ? ` (${p.request})` : ""}`;
      return `${p.kind} → ${towards}`;
    });

describe("TS 23.231 §7.3.1 call clearing received from a peer SIP-I node", () => {
  it("23.231:7.3.1/intro CANCEL, BYE and a final error response each start the release of the call", async () => {
    for (const [event, over] of [
      [{ type: "cancel-received", from: "preceding" }, establishing(true)],
      [{ type: "bye-received", from: "preceding" }, {}],
      [{ type: "final-response-received", from: "succeeding", status: 503 }, establishing(true)],
    ] as const) {
      const { plans } = await decideGmsc(gmsc(event, over));
      expect(plansOf(plans, "state-update").flatMap((s) => s.set)).toContainEqual(
        expect.objectContaining({ path: "call.clearing", value: true }),
      );
    }
  });

  it("23.231:7.3.1/b option b: a BYE is forwarded, not answered by the GMSC", async () => {
    const { plans } = await decideGmsc(gmsc({ type: "bye-received", from: "preceding" }));
    expect(wire(plans)).toEqual(["forward-request → succeeding"]);
  });

  it("23.231:7.3.1/a option a: the GMSC acts as a UA towards each side", async () => {
    const bye = await decideGmsc(gmsc({ type: "bye-received", from: "succeeding" }, {}, { gmscOption: "a" }));
    expect(wire(bye.plans)).toEqual(["sip-response 200 → succeeding (received)", "sip-bye → preceding"]);
    expect(subtracts(bye.plans)).toEqual(both);
    const cancel = await decideGmsc(
      gmsc({ type: "cancel-received", from: "preceding" }, establishing(true), { gmscOption: "a" }),
    );
    expect(wire(cancel.plans)).toEqual([
      "sip-response 200 → preceding (received)",
      "sip-response 487 → preceding (invite)",
      "sip-cancel → succeeding",
    ]);
    expect(subtracts(cancel.plans)).toEqual(both);
    const error = await decideGmsc(
      gmsc({ type: "final-response-received", from: "succeeding", status: 486 }, establishing(true), {
        gmscOption: "a",
      }),
    );
    expect(wire(error.plans)).toEqual(["sip-ack → succeeding", "sip-response 486 → preceding (invite)"]);
    expect(subtracts(error.plans)).toEqual(both);
  });

  it("23.231:7.3.1/b.1 CANCEL: 200 OK (CANCEL) upstream, CANCEL downstream while no final response has come", async () => {
    const { plans } = await decideGmsc(gmsc({ type: "cancel-received", from: "preceding" }, establishing(true)));
    expect(wire(plans)).toEqual(["sip-response 200 → preceding (received)", "sip-cancel → succeeding"]);
    expect(plansOf(plans, "sip-response")[0].trace).toEqual(["23.231:7.3.1/b.1"]);
    // Final response already received from the succeeding node: 200 OK (CANCEL) only.
    const late = await decideGmsc(
      gmsc(
        { type: "cancel-received", from: "preceding" },
        { succeeding: { state: "confirmed", provisionalReceived: true, finalResponseReceived: true } },
      ),
    );
    expect(wire(late.plans)).toEqual(["sip-response 200 → preceding (received)"]);
  });

  it("23.231:7.3.1/b.1 CANCEL before any provisional response: deferred until one arrives (RFC 3261 §9.1)", async () => {
    const { plans } = await decideGmsc(gmsc({ type: "cancel-received", from: "preceding" }, establishing(false)));
    expect(wire(plans)).toEqual(["sip-response 200 → preceding (received)"]);
    expect(plansOf(plans, "state-update").flatMap((s) => s.set)).toContainEqual(
      expect.objectContaining({ path: "call.cancelPending", value: true }),
    );
    const later = await decideGmsc(
      gmsc(
        { type: "provisional-received", from: "succeeding", status: 180 },
        { ...establishing(true), cancelRequested: true, cancelPending: true, clearing: true },
      ),
    );
    expect(wire(later.plans)).toEqual(["sip-cancel → succeeding"]);
    expect(plansOf(later.plans, "state-update")[0].set).toContainEqual(
      expect.objectContaining({ path: "call.cancelPending", value: false }),
    );
  });

  it("23.231:7.3.1/b.1 the 487 for the cancelled INVITE is relayed upstream when the downstream 487 comes", async () => {
    const { plans } = await decideGmsc(
      gmsc(
        { type: "final-response-received", from: "succeeding", status: 487 },
        { ...establishing(true), cancelRequested: true },
      ),
    );
    expect(wire(plans)).toEqual(["sip-ack → succeeding", "forward-response 487 → preceding"]);
  });

  it("23.231:7.3.1/b.2 BYE from either side: Release Termination of every seized termination, BYE forwarded, 200 OK (BYE) back", async () => {
    for (const [from, other] of [
      ["preceding", "succeeding"],
      ["succeeding", "preceding"],
    ] as const) {
      const { plans } = await decideGmsc(gmsc({ type: "bye-received", from }));
      expect(subtracts(plans)).toEqual(both);
      expect(plans.findIndex((p) => p.kind === "h248-subtract")).toBeLessThan(
        plans.findIndex((p) => p.kind === "forward-request"),
      );
      expect(wire(plans)).toEqual([`forward-request → ${other}`]);
      const answer = await decideGmsc(
        gmsc({ type: "bye-response-received", from: other, status: 200, bye: "forwarded" }, { clearing: true }),
      );
      expect(wire(answer.plans)).toEqual([`forward-response 200 → ${from}`]);
    }
  });

  it("23.231:7.3.1/b.3 final error response: ACK, Release Termination, the received response forwarded upstream", async () => {
    for (const status of [404, 486, 503, 603]) {
      const { plans } = await decideGmsc(
        gmsc({ type: "final-response-received", from: "succeeding", status }, establishing(true)),
      );
      expect(wire(plans)).toEqual(["sip-ack → succeeding", `forward-response ${status} → preceding`]);
      expect(subtracts(plans)).toEqual(both);
    }
  });

  it("23.231:7.3.1/b.3 the error mapping table (data) replaces the forwarded status", async () => {
    const sources = readRuleSources(projectRoot).map((s) =>
      s.file.endsWith("23.231-7.3.rules.json")
        ? { ...s, text: s.text.replace('"errorMapping": {}', '"errorMapping": { "503": 500 }') }
        : s,
    );
    const sets = loadRuleSets(sources, loadSpec(projectRoot));
    const decider = buildDecider(sets.gmsc);
    const facts = gmsc({ type: "final-response-received", from: "succeeding", status: 503 }, establishing(true));
    const plans = materialiseAll(decider.decide(facts) as never, facts, decider.tables);
    expect(plansOf(plans, "forward-response")[0].status).toEqual({ value: 500, trace: ["23.231:7.3.1/b.3"] });
  });
});

describe("TS 23.231 §7.3.2 GMSC server initiated call clearing", () => {
  it("23.231:7.3.2/1 the GMSC releases the seized MGW resources (7.3.4)", async () => {
    const { plans } = await decideGmsc(gmsc({ type: "release-indication", cause: "administrative" }));
    expect(subtracts(plans)).toEqual(both);
  });
  it("23.231:7.3.2/2 towards an established destination: BYE; under establishment: CANCEL, or deferred", async () => {
    const established = await decideGmsc(gmsc({ type: "release-indication", cause: "administrative" }));
    expect(wire(established.plans)).toEqual(["sip-bye → succeeding", "sip-bye → preceding"]);
    expect(plansOf(established.plans, "sip-bye")[0].headers).toEqual([
      { name: "Reason", value: 'Q.850 ;cause=16 ;text="Normal call clearing"', trace: ["rfc3326:2"] },
    ]);
    const ringing = await decideGmsc(gmsc({ type: "release-indication", cause: "administrative" }, establishing(true)));
    expect(wire(ringing.plans)).toEqual(["sip-cancel → succeeding", "sip-response 480 → preceding (invite)"]);
    const silent = await decideGmsc(gmsc({ type: "release-indication", cause: "administrative" }, establishing(false)));
    expect(wire(silent.plans)).toEqual(["sip-response 480 → preceding (invite)"]);
    expect(plansOf(silent.plans, "state-update").flatMap((s) => s.set)).toContainEqual(
      expect.objectContaining({ path: "call.cancelPending", value: true }),
    );
  });
});

describe("TS 23.231 §7.3.3 MGW-initiated call clearing", () => {
  it("23.231:7.3.3/1 Bearer Released on the destination side: clearing towards both sides", async () => {
    const { plans } = await decideGmsc(gmsc({ type: "bearer-released", side: "destination" }));
    expect(wire(plans)).toEqual(["sip-bye → succeeding", "sip-bye → preceding"]);
    expect(subtracts(plans)).toEqual(both);
    expect(plansOf(plans, "sip-bye")[0].headers[0].value).toBe('Q.850 ;cause=38 ;text="Network out of order"');
  });
  it("23.231:7.3.3/2 Bearer Released on the originating side: clearing towards the originating side", async () => {
    const answered = await decideGmsc(gmsc({ type: "bearer-released", side: "originating" }));
    expect(wire(answered.plans)).toContain("sip-bye → preceding");
    const notAnswered = await decideGmsc(
      gmsc({ type: "bearer-released", side: "originating" }, { ...establishing(true) }),
    );
    expect(wire(notAnswered.plans)).toContain("sip-response 503 → preceding (invite)");
  });
  it("23.231:7.3.3/3 ... and towards the destination only if established or under establishment there", async () => {
    const established = await decideGmsc(gmsc({ type: "bearer-released", side: "originating" }));
    expect(wire(established.plans)).toEqual(["sip-bye → succeeding", "sip-bye → preceding"]);
    const notYet = await decideGmsc(
      gmsc(
        { type: "bearer-released", side: "originating" },
        {
          preceding: { state: "early", provisionalReceived: false, finalResponseReceived: false },
          succeeding: { state: "none", provisionalReceived: false, finalResponseReceived: false },
        },
      ),
    );
    expect(wire(notYet.plans)).toEqual(["sip-response 503 → preceding (invite)"]);
  });
});

describe("TS 23.231 §7.3.4 release of MGW resources", () => {
  it("23.231:7.3.4/1 every MGW resource reserved for the call is released", async () => {
    const three = call().terminations.concat({ id: "ip/1/2/9", contextId: "815", side: "destination", seized: true });
    const { plans } = await decideGmsc(gmsc({ type: "bye-received", from: "preceding" }, { terminations: three }));
    expect(subtracts(plans)).toEqual([...both, "815/ip/1/2/9"]);
  });
  it("23.231:7.3.4/2 Release Termination only for seized terminations: none when nothing was seized, never twice", async () => {
    const none = await decideGmsc(gmsc({ type: "bye-received", from: "preceding" }, { terminations: [] }));
    expect(subtracts(none.plans)).toEqual([]);
    const oneLeft = call().terminations.map((t, i) => ({ ...t, seized: i === 1 }));
    const { plans } = await decideGmsc(
      gmsc({ type: "bearer-released", side: "destination" }, { terminations: oneLeft }),
    );
    expect(subtracts(plans)).toEqual(["4711/ip/1/1/2"]);
    expect(plansOf(plans, "h248-subtract")[0].trace).toEqual([
      "23.231:7.3.3/1",
      "23.231:7.3.3/2",
      "23.231:7.3.4/1",
      "23.231:7.3.4/2",
    ]);
  });
});

describe("TS 23.231 §7.3.4 what the rules record of a released termination", () => {
  it("23.231:7.3.4/1 each Subtract is followed by the rule's termination.seized := false, for that termination alone", async () => {
    const oneLeft = call().terminations.map((t, i) => ({ ...t, seized: i === 1 }));
    const { plans } = await decideGmsc(gmsc({ type: "bye-received", from: "preceding" }, { terminations: oneLeft }));
    const at = plans.findIndex((p) => p.kind === "h248-subtract");
    expect(plans[at]).toMatchObject({ contextId: "4711", terminationId: "ip/1/1/2" });
    expect(plans[at + 1]).toMatchObject({
      kind: "state-update",
      rule: "23.231:7.3.1/b.2#bye",
      set: [{ path: "call.terminations.1.seized", value: false, trace: ["23.231:7.3.4/1"] }],
    });
  });
});

describe("extensions of TS 23.231 §7.3", () => {
  it("x-23.231:7.3.1/cancel-before-forwarding CANCEL before the INVITE went on: 487 upstream, MGW freed", async () => {
    const { plans } = await decideGmsc(
      gmsc(
        { type: "cancel-received", from: "preceding" },
        {
          preceding: { state: "early", provisionalReceived: false, finalResponseReceived: false },
          succeeding: { state: "none", provisionalReceived: false, finalResponseReceived: false },
        },
      ),
    );
    expect(wire(plans)).toEqual(["sip-response 200 → preceding (received)", "sip-response 487 → preceding (invite)"]);
    expect(subtracts(plans)).toEqual(both);
  });
  it("x-23.231:7.3.1/2xx-crossing-cancel a 200 OK crossing the CANCEL: ACK and BYE downstream, 487 upstream, MGW freed", async () => {
    const { plans } = await decideGmsc(
      gmsc(
        { type: "final-response-received", from: "succeeding", status: 200 },
        { ...establishing(true), cancelRequested: true },
      ),
    );
    expect(wire(plans)).toEqual([
      "sip-ack → succeeding",
      "sip-bye → succeeding",
      "sip-response 487 → preceding (invite)",
    ]);
    expect(subtracts(plans)).toEqual(both);
  });
  it("x-23.231:7.3.1/redirect-response a 3xx from the succeeding node (options a and b): ACK, Release Termination, the 3xx forwarded upstream, clearing", async () => {
    for (const gmscOption of ["a", "b"] as const) {
      for (const status of [301, 302, 380]) {
        const { plans } = await decideGmsc(
          gmsc({ type: "final-response-received", from: "succeeding", status }, establishing(true), { gmscOption }),
        );
        expect(wire(plans)).toEqual(["sip-ack → succeeding", `forward-response ${status} → preceding`]);
        expect(subtracts(plans)).toEqual(both);
        expect(plans.findIndex((p) => p.kind === "h248-subtract")).toBeLessThan(
          plans.findIndex((p) => p.kind === "forward-response"),
        );
        expect(plansOf(plans, "forward-response")[0]).toMatchObject({
          rule: "x-23.231:7.3.1/redirect-response#forward-3xx",
          trace: ["x-23.231:7.3.1/redirect-response", "rfc3261:8.1.3.4"],
          status: { value: status, trace: ["x-23.231:7.3.1/redirect-response"] },
        });
        expect(plansOf(plans, "state-update").flatMap((u) => u.set)).toContainEqual(
          expect.objectContaining({ path: "call.clearing", value: true }),
        );
      }
    }
  });
  it("x-23.231:7.3.2/2xx-crossing-own-cancel a 2xx crossing the CANCEL of the GMSC's own clearing (sent or deferred): ACK and BYE downstream with the clearing Reason, no deferred CANCEL left, nothing upstream", async () => {
    const released = call().terminations.map((t) => ({ ...t, seized: false }));
    for (const cancelPending of [false, true]) {
      const { plans } = await decideGmsc(
        gmsc(
          { type: "final-response-received", from: "succeeding", status: 200 },
          {
            ...establishing(true),
            preceding: { state: "terminated", provisionalReceived: false, finalResponseReceived: true },
            clearing: true,
            cancelPending,
            terminations: released,
          },
        ),
      );
      expect(wire(plans)).toEqual(["sip-ack → succeeding", "sip-bye → succeeding"]);
      expect(plansOf(plans, "sip-bye")[0].headers).toEqual([
        { name: "Reason", value: 'Q.850 ;cause=16 ;text="Normal call clearing"', trace: ["rfc3326:2"] },
      ]);
      expect(plansOf(plans, "sip-bye")[0].trace).toEqual(["x-23.231:7.3.2/2xx-crossing-own-cancel", "rfc3261:15.1.1"]);
      expect(subtracts(plans)).toEqual([]);
      expect(plansOf(plans, "state-update")[0].set).toEqual([
        { path: "call.cancelPending", value: false, trace: ["x-23.231:7.3.2/2xx-crossing-own-cancel", "rfc3261:9.1"] },
      ]);
    }
    // A termination still seized (a Subtract refused earlier, say) is released with it.
    const stillSeized = await decideGmsc(
      gmsc(
        { type: "final-response-received", from: "succeeding", status: 200 },
        { ...establishing(true), clearing: true },
      ),
    );
    expect(subtracts(stillSeized.plans)).toEqual(both);
  });
  it("23.231:7.3.2/2 the Reason text an operator gave with a GMSC-initiated clearing replaces the table's, on each side", async () => {
    const { plans } = await decideGmsc(
      gmsc({ type: "release-indication", cause: "administrative", text: "Operator release" }),
    );
    expect(plansOf(plans, "sip-bye").map((b) => b.headers[0].value)).toEqual([
      'Q.850 ;cause=16 ;text="Operator release"',
      'Q.850 ;cause=16 ;text="Operator release"',
    ]);
  });
  it("x-23.231:7.3.2/clear-originating-side GMSC-initiated clearing also clears the originating side", async () => {
    const { plans } = await decideGmsc(gmsc({ type: "release-indication", cause: "administrative" }));
    expect(wire(plans)).toContain("sip-bye → preceding");
    expect(plansOf(plans, "sip-bye").find((b) => b.towards.value === "preceding")!.trace).toContain(
      "x-23.231:7.3.2/clear-originating-side",
    );
  });
});

describe("races around TS 23.231 §7.3 clearing", () => {
  it("x-23.231:7.3.1/bye-during-clearing a BYE crossing a Bearer Released: answered 200, nothing cleared twice", async () => {
    const cleared = call().terminations.map((t) => ({ ...t, seized: false }));
    const { plans } = await decideGmsc(
      gmsc({ type: "bye-received", from: "preceding" }, { clearing: true, terminations: cleared }),
    );
    expect(wire(plans)).toEqual(["sip-response 200 → preceding (received)"]);
    expect(subtracts(plans)).toEqual([]);
    // And the other order: a Bearer Released after the BYE started the clearing plans no second BYE.
    const late = await decideGmsc(
      gmsc({ type: "bearer-released", side: "destination" }, { clearing: true, terminations: cleared }),
    );
    expect(wire(late.plans)).toEqual([]);
  });
});
