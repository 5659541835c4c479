// fast-check arbitraries for the H.248 message model (src/h248/model.ts): valid messages of every transaction kind,
// with context properties and audits, the eight commands and their replies, and every descriptor the codec knows.
import fc from "fast-check";
import type {
  ActionReply,
  ActionRequest,
  CommandName,
  CommandReply,
  CommandRequest,
  ContextAuditItem,
  ContextProperty,
  Descriptor,
  DigitMapDescriptor,
  DigitMapValue,
  EventParameter,
  EventsDescriptor,
  LocalControlItem,
  MediaDescriptor,
  MediaItem,
  Message,
  MId,
  ObservedEvent,
  PropertyParm,
  PropertyValue,
  RequestedEvent,
  ServiceChangeParm,
  SignalParameter,
  SignalParm,
  SignalRequest,
  SignalsDescriptor,
  StreamParm,
  Transaction,
} from "../../src/h248/model.ts";
import { keywordOf } from "../../src/h248/tokens.ts";

const some = <T>(a: fc.Arbitrary<T>, max = 3) => fc.array(a, { minLength: 1, maxLength: max });
const few = <T>(a: fc.Arbitrary<T>, max = 3) => fc.array(a, { maxLength: max });

const uint32 = fc.nat({ max: 0xffffffff });
const small = fc.nat({ max: 65535 });
// NAMEs that spell no keyword, so a parameter named so is never read as one
const name = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_]{0,7}$/).filter((n) => keywordOf(n) === undefined);
const pkgdName = fc.tuple(name, name).map(([p, i]) => `${p}/${i}`);
const safeValue = fc.stringMatching(/^[A-Za-z0-9+\-&!_/'?@^`~*$\\()%|.]{1,8}$/);
const quotedValue = fc.stringMatching(/^[ !#-~]{0,10}$/);
const value = fc.oneof(safeValue, quotedValue);
const terminationId = fc.oneof(
  fc.tuple(fc.nat(9), fc.nat(9), fc.nat(99)).map(([a, b, c]) => `ip/${a}/${b}/${c}`),
  fc.nat(999).map((n) => `t${n}`),
  fc.constantFrom("$", "*", "ROOT"),
);
const contextId = fc.oneof(uint32, fc.constantFrom("$" as const, "-" as const, "*" as const));
const timestamp = fc
  .tuple(fc.integer({ min: 19990101, max: 20991231 }), fc.integer({ min: 10000000, max: 23595999 }))
  .map(([d, t]) => `${d}T${t}`);
const sdp = some(fc.stringMatching(/^[a-z]=[!-|~][ -|~]{0,20}$/), 4).map((lines) =>
  lines.map((l) => `${l}\r\n`).join(""),
);

const propertyValue: fc.Arbitrary<PropertyValue> = fc.oneof(
  value.map((v) => ({ kind: "equal" as const, value: v })),
  fc
    .tuple(fc.constantFrom(">" as const, "<" as const, "#" as const), value)
    .map(([op, v]) => ({ kind: "inequal" as const, op, value: v })),
  some(value).map((values) => ({ kind: "all" as const, values })),
  some(value).map((values) => ({ kind: "oneOf" as const, values })),
  fc.tuple(value, value).map(([low, high]) => ({ kind: "range" as const, low, high })),
);
const property = (named: fc.Arbitrary<string>, valueOptional: boolean): fc.Arbitrary<PropertyParm> =>
  fc
    .tuple(named, valueOptional ? fc.option(propertyValue, { nil: undefined }) : propertyValue)
    .map(([n, v]) =>
      v === undefined ? { kind: "property" as const, name: n } : { kind: "property" as const, name: n, value: v },
    );

const localControlItem: fc.Arbitrary<LocalControlItem> = fc.oneof(
  fc
    .option(
      fc.constantFrom("SendOnly", "ReceiveOnly", "SendReceive", "Inactive", "Loopback") as fc.Arbitrary<"SendOnly">,
      { nil: undefined },
    )
    .map((mode) => (mode === undefined ? { kind: "mode" as const } : { kind: "mode" as const, mode })),
  fc
    .option(fc.boolean(), { nil: undefined })
    .map((on) => (on === undefined ? { kind: "reservedValue" as const } : { kind: "reservedValue" as const, on })),
  fc
    .option(fc.boolean(), { nil: undefined })
    .map((on) => (on === undefined ? { kind: "reservedGroup" as const } : { kind: "reservedGroup" as const, on })),
  property(pkgdName, true),
);
const statistics = some(property(pkgdName, true)).map((s) => ({ kind: "statistics" as const, statistics: s }));
const streamParm: fc.Arbitrary<StreamParm> = fc.oneof(
  some(localControlItem).map((items) => ({ kind: "localControl" as const, items })),
  sdp.map((s) => ({ kind: "local" as const, sdp: s })),
  sdp.map((s) => ({ kind: "remote" as const, sdp: s })),
  statistics,
);
const terminationState = some(
  fc.oneof(
    fc
      .option(fc.constantFrom("Test", "OutOfService", "InService") as fc.Arbitrary<"Test">, { nil: undefined })
      .map((state) =>
        state === undefined ? { kind: "serviceStates" as const } : { kind: "serviceStates" as const, state },
      ),
    fc
      .option(fc.constantFrom("OFF", "LockStep") as fc.Arbitrary<"OFF">, { nil: undefined })
      .map((control) => (control === undefined ? { kind: "buffer" as const } : { kind: "buffer" as const, control })),
    property(pkgdName, true),
  ),
).map((items) => ({ kind: "terminationState" as const, items }));
const media: fc.Arbitrary<MediaDescriptor> = some(
  fc.oneof(
    streamParm,
    terminationState,
    fc.tuple(small, some(streamParm)).map(([streamId, parms]) => ({ kind: "stream" as const, streamId, parms })),
  ) as fc.Arbitrary<MediaItem>,
).map((items) => ({ kind: "media" as const, items }));

const digitMapValue: fc.Arbitrary<DigitMapValue> = fc
  .record(
    {
      start: fc.nat(99),
      short: fc.nat(99),
      long: fc.nat(99),
      duration: fc.nat(99),
      body: fc.oneof(fc.stringMatching(/^\([0-9x|.#*]{1,10}\)$/), fc.stringMatching(/^[0-9x]{1,6}$/)),
    },
    { requiredKeys: ["body"] },
  )
  .map((v) => v as DigitMapValue);
const digitMap: fc.Arbitrary<DigitMapDescriptor> = fc.oneof(
  name.map((n) => ({ kind: "digitMap" as const, name: n })),
  digitMapValue.map((v) => ({ kind: "digitMap" as const, value: v })),
  fc.tuple(name, digitMapValue).map(([n, v]) => ({ kind: "digitMap" as const, name: n, value: v })),
);

const signalParameter: fc.Arbitrary<SignalParameter> = fc.oneof(
  small.map((streamId) => ({ kind: "stream" as const, streamId })),
  fc.constantFrom("OnOff", "TimeOut", "Brief").map((type) => ({ kind: "signalType" as const, type: type as "OnOff" })),
  small.map((duration) => ({ kind: "duration" as const, duration })),
  some(
    fc.constantFrom("TimeOut", "IntByEvent", "IntBySigDescr", "OtherReason", "Iteration") as fc.Arbitrary<"TimeOut">,
  ).map((reasons) => ({ kind: "notifyCompletion" as const, reasons })),
  fc.constant({ kind: "keepActive" as const }),
  fc
    .constantFrom("External", "Internal", "Both")
    .map((direction) => ({ kind: "direction" as const, direction: direction as "Both" })),
  uint32.map((requestId) => ({ kind: "requestId" as const, requestId })),
  uint32.map((delay) => ({ kind: "intersignalDelay" as const, delay })),
  property(name, false),
);
const signalRequest: fc.Arbitrary<SignalRequest> = fc
  .tuple(pkgdName, few(signalParameter))
  .map(([n, parameters]) => ({ kind: "signal" as const, name: n, parameters }));
const signalParm: fc.Arbitrary<SignalParm> = fc.oneof(
  signalRequest,
  fc.tuple(small, some(signalRequest)).map(([listId, signals]) => ({ kind: "signalList" as const, listId, signals })),
);
const signals = (minLength: number): fc.Arbitrary<SignalsDescriptor> =>
  fc.array(signalParm, { minLength, maxLength: 3 }).map((s) => ({ kind: "signals" as const, signals: s }));

const eventsFull = (parameter: fc.Arbitrary<EventParameter>): fc.Arbitrary<EventsDescriptor> =>
  fc
    .tuple(uint32, some(fc.tuple(pkgdName, few(parameter, 2)).map(([n, parameters]) => ({ name: n, parameters }))))
    .map(([requestId, events]) => ({ kind: "events" as const, requestId, events }));
const simpleEventParameter: fc.Arbitrary<EventParameter> = fc.oneof(
  small.map((streamId) => ({ kind: "stream" as const, streamId })),
  fc.constant({ kind: "keepActive" as const }),
  name.map((n) => ({ kind: "digitMap" as const, name: n })),
  digitMapValue.map((v) => ({ kind: "digitMap" as const, value: v })),
  fc.constantFrom("ImmediateNotify", "NeverNotify", "RegulatedNotify").map((b) => ({
    kind: "notifyBehaviour" as const,
    behaviour: b as "NeverNotify",
  })),
  fc.constant({ kind: "resetEventsDescriptor" as const }),
  property(name, false),
);
const eventParameter: fc.Arbitrary<EventParameter> = fc.oneof(
  { weight: 6, arbitrary: simpleEventParameter },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.option(signals(0), { nil: undefined }), fc.option(eventsFull(simpleEventParameter), { nil: undefined }))
      .filter(([s, e]) => s !== undefined || e !== undefined)
      .map(([s, e]) => ({ kind: "embed" as const, ...(s ? { signals: s } : {}), ...(e ? { events: e } : {}) })),
  },
  {
    weight: 1,
    arbitrary: signals(1).map((s) => ({
      kind: "notifyBehaviour" as const,
      behaviour: "RegulatedNotify" as const,
      embed: { signals: s },
    })),
  },
);
const eventSpec: fc.Arbitrary<RequestedEvent> = fc
  .tuple(
    pkgdName,
    few(
      fc.oneof(
        small.map((streamId) => ({ kind: "stream" as const, streamId })),
        property(name, false),
      ),
      2,
    ),
  )
  .map(([n, parameters]) => ({ name: n, parameters }));
const eventBuffer = (minLength: number) =>
  fc.array(eventSpec, { minLength, maxLength: 2 }).map((events) => ({ kind: "eventBuffer" as const, events }));
const observedEvent: fc.Arbitrary<ObservedEvent> = fc
  .tuple(
    fc.option(timestamp, { nil: undefined }),
    pkgdName,
    few(
      fc.oneof(
        small.map((streamId) => ({ kind: "stream" as const, streamId })),
        property(name, false),
      ),
      2,
    ),
  )
  .map(([ts, n, parameters]) => (ts === undefined ? { name: n, parameters } : { timestamp: ts, name: n, parameters }));
const observedEvents = fc
  .tuple(uint32, some(observedEvent))
  .map(([requestId, events]) => ({ kind: "observedEvents" as const, requestId, events }));
const packages = some(fc.tuple(name, small).map(([n, version]) => ({ name: n, version }))).map((p) => ({
  kind: "packages" as const,
  packages: p,
}));
const error = fc
  .tuple(fc.nat(9999), fc.option(fc.stringMatching(/^[ !#-~]{0,20}$/), { nil: undefined }))
  .map(([code, text]) =>
    text === undefined ? { kind: "error" as const, code } : { kind: "error" as const, code, text },
  );
const auditTokenName = fc.constantFrom(
  "Media",
  "Modem",
  "Mux",
  "Events",
  "Signals",
  "DigitMap",
  "Statistics",
  "ObservedEvents",
  "EventBuffer",
  "Packages",
) as fc.Arbitrary<"Media">;
const auditToken = auditTokenName.map((token) => ({ kind: "token" as const, token }));
const auditItem: fc.Arbitrary<Descriptor> = fc.oneof(
  auditToken,
  media,
  eventsFull(simpleEventParameter),
  signals(1),
  digitMap,
  eventBuffer(1),
  statistics,
  packages,
);
const audit = few(auditItem).map((items) => ({ kind: "audit" as const, items }));

const mId: fc.Arbitrary<MId> = fc.oneof(
  fc
    .tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255), fc.option(small, { nil: undefined }))
    .map(([a, b, c, d, port]) =>
      port === undefined
        ? { kind: "ip4" as const, address: `${a}.${b}.${c}.${d}` }
        : { kind: "ip4" as const, address: `${a}.${b}.${c}.${d}`, port },
    ),
  fc
    .tuple(
      fc.constantFrom("::1", "2001:db8::7", "fe80::1:2:3:4", "::ffff:10.0.0.1"),
      fc.option(small, { nil: undefined }),
    )
    .map(([address, port]) =>
      port === undefined ? { kind: "ip6" as const, address } : { kind: "ip6" as const, address, port },
    ),
  fc
    .tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}\.[a-z]{2,4}$/), fc.option(small, { nil: undefined }))
    .map(([n, port]) =>
      port === undefined ? { kind: "domain" as const, name: n } : { kind: "domain" as const, name: n, port },
    ),
  fc.stringMatching(/^[a-z][a-z0-9]{0,5}(\/[a-z0-9]{1,3}){0,2}$/).map((n) => ({ kind: "device" as const, name: n })),
  fc.stringMatching(/^[0-9a-f]{4,8}$/).map((address) => ({ kind: "mtp" as const, address })),
);
const serviceChangeParm: fc.Arbitrary<ServiceChangeParm> = fc.oneof(
  fc.constantFrom("Failover", "Forced", "Graceful", "Restart", "Disconnected", "HandOff").map((method) => ({
    kind: "method" as const,
    method: method as "Restart",
  })),
  value.map((reason) => ({ kind: "reason" as const, reason })),
  uint32.map((delay) => ({ kind: "delay" as const, delay })),
  fc.oneof(small, mId).map((address) => ({ kind: "address" as const, address })),
  fc.tuple(name, fc.nat(99)).map(([n, v]) => ({ kind: "profile" as const, profile: `${n}/${v}` })),
  fc.nat(99).map((version) => ({ kind: "version" as const, version })),
  mId.map((m) => ({ kind: "mgcId" as const, mId: m })),
  timestamp.map((t) => ({ kind: "timestamp" as const, timestamp: t })),
  fc.constant({ kind: "incomplete" as const }),
);
const services = some(serviceChangeParm, 4).map((parms) => ({ kind: "services" as const, parms }));

const noEvents: EventsDescriptor = { kind: "events", events: [] };
const ammDescriptor: fc.Arbitrary<Descriptor> = fc.oneof(
  media,
  eventsFull(eventParameter),
  fc.constant(noEvents),
  signals(0),
  digitMap,
  eventBuffer(0),
  audit,
  statistics,
);
const replyDescriptor: fc.Arbitrary<Descriptor> = fc.oneof(auditItem, observedEvents, error);
const terminationIds = some(terminationId);

const commandRequest: fc.Arbitrary<CommandRequest> = fc
  .tuple(
    fc.constantFrom<CommandName>(
      "Add",
      "Modify",
      "Move",
      "Subtract",
      "AuditValue",
      "AuditCapability",
      "Notify",
      "ServiceChange",
    ),
    terminationIds,
    fc.boolean(),
    fc.boolean(),
    few(ammDescriptor),
    fc.option(audit, { nil: undefined }),
    audit,
    observedEvents,
    fc.option(error, { nil: undefined }),
    services,
  )
  .map(([command, ids, optional, wildcardReply, amm, subtractAudit, auditD, oe, err, sv]) => {
    const descriptors: Descriptor[] =
      command === "Add" || command === "Modify" || command === "Move"
        ? amm
        : command === "Subtract"
          ? subtractAudit === undefined
            ? []
            : [subtractAudit]
          : command === "Notify"
            ? err === undefined
              ? [oe]
              : [oe, err]
            : command === "ServiceChange"
              ? [sv]
              : [auditD];
    const c: CommandRequest = { command, terminationIds: ids, descriptors };
    if (optional) c.optional = true;
    if (wildcardReply) c.wildcardReply = true;
    return c;
  });
const commandReply: fc.Arbitrary<CommandReply> = fc
  .tuple(
    fc.constantFrom<CommandName>(
      "Add",
      "Modify",
      "Move",
      "Subtract",
      "AuditValue",
      "AuditCapability",
      "Notify",
      "ServiceChange",
    ),
    terminationIds,
    few(replyDescriptor),
    fc.option(error, { nil: undefined }),
    fc.option(fc.oneof(error, services), { nil: undefined }),
  )
  .map(([command, ids, ds, err, sc]) => ({
    command,
    terminationIds: ids,
    descriptors: command === "Notify" ? (err ? [err] : []) : command === "ServiceChange" ? (sc ? [sc] : []) : ds,
  }));

const contextProperty: fc.Arbitrary<ContextProperty> = fc.oneof(
  some(
    fc
      .tuple(
        terminationId,
        terminationId,
        fc.constantFrom("Bothway", "Isolate", "Oneway") as fc.Arbitrary<"Oneway">,
        fc.option(fc.constantFrom("OnewayExternal", "OnewayBoth") as fc.Arbitrary<"OnewayBoth">, { nil: undefined }),
      )
      .map(([from, to, direction, extension]) =>
        extension === undefined ? { from, to, direction } : { from, to, direction, extension },
      ),
  ).map((triples) => ({ kind: "topology" as const, triples })),
  fc.nat(15).map((priority) => ({ kind: "priority" as const, priority })),
  fc.constant({ kind: "emergency" as const }),
  fc.constant({ kind: "emergencyOff" as const }),
  fc.boolean().map((on) => ({ kind: "iepsCall" as const, on })),
  some(
    fc.oneof(
      property(pkgdName, false),
      some(uint32).map((contextIds) => ({ kind: "contextList" as const, contextIds })),
    ),
  ).map((items) => ({ kind: "contextAttr" as const, items })),
);
const contextAuditItem: fc.Arbitrary<ContextAuditItem> = fc.oneof(
  fc
    .constantFrom("Topology", "Emergency", "Priority", "IEPSCall")
    .map((token) => ({ kind: "token" as const, token: token as "Topology" })),
  pkgdName.map((n) => ({ kind: "property" as const, name: n })),
  fc.nat(15).map((priority) => ({ kind: "priority" as const, priority })),
  fc
    .constantFrom("Emergency", "EmergencyOff")
    .map((value) => ({ kind: "emergencyValue" as const, value: value as "Emergency" })),
  fc.boolean().map((on) => ({ kind: "iepsCall" as const, on })),
  fc.constantFrom("and", "or").map((logic) => ({ kind: "select" as const, logic: logic as "and" })),
);

const actionRequest: fc.Arbitrary<ActionRequest> = fc
  .tuple(
    contextId,
    few(contextProperty, 2),
    fc.option(some(contextAuditItem), { nil: undefined }),
    few(commandRequest, 2),
  )
  .filter(([, p, a, c]) => p.length > 0 || a !== undefined || c.length > 0)
  .map(([id, properties, auditItems, commands]) =>
    auditItems === undefined
      ? { contextId: id, properties, commands }
      : { contextId: id, properties, audit: auditItems, commands },
  );
const actionReply: fc.Arbitrary<ActionReply> = fc
  .tuple(contextId, few(contextProperty, 2), few(commandReply, 2), fc.option(error, { nil: undefined }))
  .filter(([, p, c, e]) => p.length > 0 || c.length > 0 || e !== undefined)
  .map(([id, properties, commands, err]) =>
    err === undefined ? { contextId: id, properties, commands } : { contextId: id, properties, commands, error: err },
  );

const transaction: fc.Arbitrary<Transaction> = fc.oneof(
  fc
    .tuple(uint32, some(actionRequest, 2))
    .map(([transactionId, actions]) => ({ kind: "request" as const, transactionId, actions })),
  fc
    .tuple(
      uint32,
      fc.option(fc.tuple(small, fc.boolean()), { nil: undefined }),
      fc.boolean(),
      fc.option(error, { nil: undefined }),
      some(actionReply, 2),
    )
    .map(([transactionId, seg, imm, err, actions]) => {
      const r: Transaction = { kind: "reply", transactionId, actions: err === undefined ? actions : [] };
      if (seg !== undefined) {
        r.segmentNumber = seg[0];
        if (seg[1]) r.segmentationComplete = true;
      }
      if (imm) r.immAckRequired = true;
      if (err !== undefined) r.error = err;
      return r;
    }),
  uint32.map((transactionId) => ({ kind: "pending" as const, transactionId })),
  some(
    fc
      .tuple(uint32, fc.option(uint32, { nil: undefined }))
      .map(([first, last]) => (last === undefined ? { first } : { first, last })),
    4,
  ).map((ranges) => ({ kind: "responseAck" as const, ranges })),
  fc
    .tuple(uint32, small, fc.boolean())
    .map(([transactionId, segmentNumber, complete]) =>
      complete
        ? { kind: "segmentReply" as const, transactionId, segmentNumber, segmentationComplete: true as const }
        : { kind: "segmentReply" as const, transactionId, segmentNumber },
    ),
);

export const message: fc.Arbitrary<Message> = fc
  .tuple(
    fc.integer({ min: 1, max: 3 }),
    mId,
    fc.oneof({ weight: 9, arbitrary: some(transaction, 2) }, { weight: 1, arbitrary: error }),
  )
  .map(([version, m, body]) => ({
    version,
    mId: m,
    body: Array.isArray(body)
      ? { kind: "transactions" as const, transactions: body }
      : { kind: "error" as const, error: body },
  }));
