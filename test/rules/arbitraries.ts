// fast-check generators of schema-valid facts, weighted towards the edges the clauses care about:
// no stored CSeq, GRUUs with and without bindings, both served roles, every release and call state.
import fc from "fast-check";
import type {
  CallState,
  GmscEvent,
  GmscFacts,
  Leg,
  Policy,
  RegistrarBinding,
  ScscfEvent,
  ScscfFacts,
} from "../../generated/types/index.ts";

const outcome = fc.constantFrom("none", "sent", "2xx", "failed", "skipped" as const);
// The range ends included: 2^31-1 cannot be incremented (x-24.229:5.4.5.1.2/cseq-range).
const cseq = fc.oneof(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.constantFrom(2 ** 31 - 2, 2 ** 31 - 1));
const cause = fc.constantFrom("administrative", "session-timer", "deregistration", "service-expiry", "unknown-cause");
const host = fc.constantFrom("home1.net", "home2.net", "192.0.2.4", "[2001:db8::1]");
const user = fc.constantFrom("alice", "bob", "carol");
const instance = fc.constantFrom(
  "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
  "urn:uuid:00000000-0000-0000-0000-000000000002",
);
const plainContact = fc.tuple(user, host).map(([u, h]) => `sip:${u}@${h}`);
const publicGruu = fc.tuple(user, instance).map(([u, i]) => `sip:${u}@home1.net;gr=${i}`);
const tempGruu = fc.constantFrom(
  "sip:tgruu.7hs==jd7vnzga5w7fajsc7-ajd6fabz0f8g5@home1.net;gr",
  "sip:tgruu.other@home2.net;gr",
);
const contact = fc.oneof(plainContact, publicGruu, tempGruu);
const route = fc.array(
  fc.constantFrom("<sip:as1.home1.net;lr>", "<sip:pcscf.home1.net:7531;lr>", "<sip:[2001:db8::9];lr>"),
  { maxLength: 3 },
);

const binding: fc.Arbitrary<RegistrarBinding> = fc.record(
  {
    aor: fc.tuple(user, fc.constantFrom("home1.net", "home2.net")).map(([u, h]) => `sip:${u}@${h}`),
    contact: plainContact,
    instance: instance.map((i) => `<${i}>`),
    tempGruus: fc.array(tempGruu, { maxLength: 1 }),
  },
  { requiredKeys: ["aor", "contact", "tempGruus"] },
);

const policy: fc.Arbitrary<Policy> = fc.record({
  item4RequestUri: fc.constantFrom("calling-user-contact", "called-user-contact" as const),
  gruuWithoutBinding: fc.constantFrom("use-stored-contact", "skip-bye" as const),
  gmscOption: fc.constantFrom("a", "b" as const),
  furtherHeaders: fc.array(
    fc.record({ name: fc.constantFrom("P-Charging-Vector", "X-Site"), value: fc.constantFrom("icid-value=1", "east") }),
    { maxLength: 2 },
  ),
});

const scscfEvent: fc.Arbitrary<ScscfEvent> = fc.oneof(
  fc.record(
    { type: fc.constant("release-indication" as const), cause, text: fc.constantFrom("Operator release", "Billing") },
    { requiredKeys: ["type"] },
  ),
  fc.record({
    type: fc.constant("bye-response" as const),
    towards: fc.constantFrom("calling", "called" as const),
    status: fc.constantFrom(200, 202, 299, 300, 408, 481, 500, 603),
  }),
  fc.record({ type: fc.constant("bye-timeout" as const), towards: fc.constantFrom("calling", "called" as const) }),
  fc.record({
    type: fc.constant("in-dialog-request" as const),
    method: fc.constantFrom("INVITE", "UPDATE", "INFO", "ACK", "BYE", "PRACK"),
  }),
  fc.record({ type: fc.constant("invite-2xx" as const) }),
  fc.record({ type: fc.constant("release-takeover" as const) }),
);

export const scscfFacts: fc.Arbitrary<ScscfFacts> = fc.record({
  event: scscfEvent,
  dialog: fc.record({
    callId: fc.constantFrom("a84b4c76e66710@pc33.home1.net", "x@y"),
    state: fc.constantFrom("early", "confirmed", "releasing" as const),
    servedUser: fc.constantFrom("calling", "called" as const),
    fromOfInvite: fc.constant("<sip:alice@home1.net>;tag=1928301774"),
    toOf200: fc.constant("<sip:bob@home2.net>;tag=a6c85cf"),
    callingContact: contact,
    calledContact: contact,
    routeSetTowardsCalled: route,
    routeSetTowardsCalling: route,
    serviceRoute: route,
    cseqCallingToCalled: cseq,
    cseqCalledToCalling: fc.option(cseq, { nil: null }),
    release: fc.record(
      {
        byeToCalled: outcome,
        byeToCalling: outcome,
        cause,
        byeCSeqToCalled: cseq,
        byeCSeqToCalling: cseq,
        text: fc.constantFrom("Operator release", null),
      },
      { requiredKeys: ["byeToCalled", "byeToCalling"] },
    ),
  }),
  bindings: fc.array(binding, { maxLength: 3 }),
  policy,
  random: fc.record({ cseq: fc.integer({ min: 1, max: 2 ** 31 - 1 }) }),
});

const legState = fc.constantFrom("none", "calling", "proceeding", "early", "confirmed", "terminated" as const);
const leg: fc.Arbitrary<Leg> = fc.record({
  state: legState,
  provisionalReceived: fc.boolean(),
  finalResponseReceived: fc.boolean(),
});
const side = fc.constantFrom("preceding", "succeeding" as const);
const gmscEvent: fc.Arbitrary<GmscEvent> = fc.oneof(
  fc.record(
    {
      type: fc.constant("cancel-received" as const),
      from: side,
      reason: fc.constantFrom('Q.850 ;cause=16 ;text="Normal call clearing"', "SIP ;cause=200"),
    },
    { requiredKeys: ["type", "from"] },
  ),
  fc.record({ type: fc.constant("bye-received" as const), from: side }),
  fc.record({ type: fc.constant("terminations-seized" as const) }),
  fc.record({ type: fc.constant("orphan-context" as const) }),
  fc.record({
    type: fc.constant("final-response-received" as const),
    from: side,
    status: fc.constantFrom(200, 302, 404, 408, 480, 486, 487, 500, 503, 603),
  }),
  fc.record({ type: fc.constant("provisional-received" as const), from: side, status: fc.constantFrom(100, 180, 183) }),
  fc.record({
    type: fc.constant("bye-response-received" as const),
    from: side,
    status: fc.constantFrom(200, 481, 500),
    bye: fc.constantFrom("forwarded", "initiated" as const),
  }),
  fc.record({
    type: fc.constant("bearer-released" as const),
    side: fc.constantFrom("originating", "destination" as const),
    cause: fc.constantFrom("bearer-nr", "bearer-ft", "bearer-released", "bearer-out-of-service" as const),
  }),
  fc.record(
    {
      type: fc.constant("release-indication" as const),
      cause: fc.constantFrom("administrative", "overload", "unknown-cause"),
      text: fc.constantFrom("Operator release", "Billing"),
    },
    { requiredKeys: ["type", "cause"] },
  ),
);

const call: fc.Arbitrary<CallState> = fc.record({
  callId: fc.constant("gmsc-call-1@gmsc.example.net"),
  preceding: leg,
  succeeding: leg,
  terminations: fc.array(
    fc.record({
      id: fc.constantFrom("ip/1/1/1", "ip/1/1/2", "ip/2/7/3"),
      contextId: fc.constantFrom("4711", "815"),
      side: fc.constantFrom("originating", "destination" as const),
      seized: fc.boolean(),
    }),
    { maxLength: 3 },
  ),
  cancelRequested: fc.boolean(),
  cancelPending: fc.boolean(),
  clearing: fc.boolean(),
});

export const gmscFacts: fc.Arbitrary<GmscFacts> = fc.record({ event: gmscEvent, call, policy });
