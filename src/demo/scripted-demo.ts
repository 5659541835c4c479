// The scripted, in-process release of both seeds' scenarios: facts in, plans out, each field with its clause ids.
// (The live demo with real sockets replaces this once the nodes exist; the plans are the same.)

import type { CallState, DialogState, GmscFacts, Policy, ScscfFacts } from "../../generated/types/index.ts";
import { planText } from "../audit/plan-text.ts";
import { planGmsc, planScscf } from "../rules/generated-plans.ts";

const policy: Policy = {
  item4RequestUri: "calling-user-contact",
  gruuWithoutBinding: "use-stored-contact",
  gmscOption: "b",
  furtherHeaders: [],
};

const dialog = (servedUser: DialogState["servedUser"]): DialogState => ({
  callId: "a84b4c76e66710@pc33.home1.net",
  state: "confirmed",
  servedUser,
  fromOfInvite: "<sip:alice@home1.net>;tag=1928301774",
  toOf200: "<sip:bob@home2.net>;tag=a6c85cf",
  callingContact: "sip:alice@home1.net;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
  calledContact: "sip:bob@192.0.2.4:5070",
  routeSetTowardsCalled: ["<sip:as1.home1.net;lr>", "<sip:icscf.home2.net;lr>"],
  routeSetTowardsCalling: ["<sip:pcscf1.home1.net:7531;lr>"],
  cseqCallingToCalled: 102,
  cseqCalledToCalling: servedUser === "calling" ? null : 7,
  release: { byeToCalled: "none", byeToCalling: "none" },
});

const call: CallState = {
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
};
const ringing: Partial<CallState> = {
  preceding: { state: "early", provisionalReceived: false, finalResponseReceived: false },
  succeeding: { state: "early", provisionalReceived: true, finalResponseReceived: false },
};

export const scscfScenarios: Array<[string, ScscfFacts]> = (["calling", "called"] as const).map((served) => [
  `S-CSCF serving the ${served} user: network-internal release (cause administrative)`,
  {
    event: { type: "release-indication", cause: "administrative" },
    dialog: dialog(served),
    bindings: [
      {
        aor: "sip:alice@home1.net",
        contact: "sip:alice@198.51.100.7:5062",
        instance: "<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>",
        tempGruus: [],
      },
    ],
    policy,
    random: { cseq: 1234567 },
  },
]);

export const gmscScenarios: Array<[string, GmscFacts]> = [
  [
    "GMSC §7.3.1 b.1: CANCEL from the preceding node while the destination rings",
    { event: { type: "cancel-received", from: "preceding" }, call: { ...call, ...ringing }, policy },
  ],
  [
    "GMSC §7.3.1 b.2: BYE from the preceding node",
    { event: { type: "bye-received", from: "preceding" }, call, policy },
  ],
  [
    "GMSC §7.3.1 b.3: 486 Busy Here from the succeeding node",
    {
      event: { type: "final-response-received", from: "succeeding", status: 486 },
      call: { ...call, ...ringing },
      policy,
    },
  ],
  [
    "GMSC §7.3.2: GMSC-initiated clearing of an answered call",
    { event: { type: "release-indication", cause: "administrative" }, call, policy },
  ],
  [
    "GMSC §7.3.3: Bearer Released on the destination side",
    { event: { type: "bearer-released", side: "destination" }, call, policy },
  ],
];

export function scriptedDemo(): string {
  const out: string[] = [];
  for (const [title, facts] of scscfScenarios) out.push(`== ${title}`, ...planScscf(facts).plans.map(planText), "");
  for (const [title, facts] of gmscScenarios) out.push(`== ${title}`, ...planGmsc(facts).plans.map(planText), "");
  return out.join("\n");
}
