// Fact sets for the clause tests: a dialog as an S-CSCF learns it, a call as a GMSC holds it.
import type { CallState, DialogState, GmscFacts, Policy, ScscfEvent, ScscfFacts } from "../../generated/types/index.ts";

export const defaultPolicy: Policy = {
  item4RequestUri: "calling-user-contact",
  gruuWithoutBinding: "use-stored-contact",
  gmscOption: "b",
  furtherHeaders: [],
};

export function dialog(over: Partial<DialogState> = {}): DialogState {
  return {
    callId: "a84b4c76e66710@pc33.home1.net",
    state: "confirmed",
    servedUser: "calling",
    fromOfInvite: "<sip:alice@home1.net>;tag=1928301774",
    toOf200: "<sip:bob@home2.net>;tag=a6c85cf",
    callingContact: "sip:alice@[2001:db8::1]:5060",
    calledContact: "sip:bob@192.0.2.4:5070",
    routeSetTowardsCalled: ["<sip:as1.home1.net;lr>", "<sip:icscf.home2.net;lr>", "<sip:scscf.home2.net;lr>"],
    routeSetTowardsCalling: ["<sip:pcscf1.home1.net:7531;lr>"],
    cseqCallingToCalled: 314159,
    cseqCalledToCalling: 4711,
    release: { byeToCalled: "none", byeToCalling: "none" },
    ...over,
  };
}

export function scscf(
  over: Partial<ScscfFacts> = {},
  event: ScscfEvent = { type: "release-indication", cause: "administrative" },
): ScscfFacts {
  return { event, dialog: dialog(), bindings: [], policy: defaultPolicy, random: { cseq: 1234567 }, ...over };
}

export function call(over: Partial<CallState> = {}): CallState {
  return {
    callId: "gmsc-call-1@gmsc.example.net",
    preceding: { state: "confirmed", provisionalReceived: false, finalResponseReceived: true },
    succeeding: { state: "confirmed", provisionalReceived: true, finalResponseReceived: true },
    terminations: [
      { id: "ip/1/1/1", contextId: "4711", side: "originating", seized: true },
      { id: "ip/1/1/2", contextId: "4711", side: "destination", seized: true },
    ],
    cancelRequested: false,
    cancelPending: false,
    clearing: false,
    ...over,
  };
}

export function gmsc(
  event: GmscFacts["event"],
  over: Partial<CallState> = {},
  policy: Partial<Policy> = {},
): GmscFacts {
  return { event, call: call(over), policy: { ...defaultPolicy, ...policy } };
}

/** A call still being set up: INVITE forwarded, the succeeding node's answer not yet final. */
export const establishing = (provisional: boolean): Partial<CallState> => ({
  preceding: { state: "early", provisionalReceived: false, finalResponseReceived: false },
  succeeding: {
    state: provisional ? "early" : "calling",
    provisionalReceived: provisional,
    finalResponseReceived: false,
  },
});
