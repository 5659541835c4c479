// The fast path's descriptor readers (H.248.1 clause 7.1, Annex B.2): one function per descriptor, each starting
// right after its token was read. They yield exactly what the nearley grammar (h248-text.ne) yields.
import type {
  AuditTokenName,
  ContextAttrItem,
  ContextAuditItem,
  ContextProperty,
  Descriptor,
  DigitMapDescriptor,
  DigitMapValue,
  Embed,
  ErrorDescriptor,
  EventParameter,
  EventsDescriptor,
  LocalControlItem,
  MediaDescriptor,
  MediaItem,
  MId,
  NotifyCompletionReason,
  ObservedEvent,
  ObservedEventsDescriptor,
  PackagesDescriptor,
  PropertyParm,
  PropertyValue,
  RequestedEvent,
  ServiceChangeMethod,
  ServiceChangeParm,
  ServicesDescriptor,
  SignalParameter,
  SignalRequest,
  SignalsDescriptor,
  StatisticsDescriptor,
  StreamMode,
  StreamParm,
  TerminationStateDescriptor,
  TerminationStateItem,
  TopologyDirection,
  TopologyTriple,
} from "./model.ts";
import { isDigits, isName, isParameterName, isPkgdName, isTerminationId, type TextCursor } from "./text-cursor.ts";
import { EVENT_PARAMETER_KEYWORDS, OBSERVED_PARAMETER_KEYWORDS, SIGNAL_PARAMETER_KEYWORDS } from "./tokens.ts";

const LBRKT = 123;
const RBRKT = 125;
const COMMA = 44;
const EQUAL = 61;
const LSBRKT = 91;
const RSBRKT = 93;
const COLON = 58;

/** Reads `{ item *(, item) }` (the "{" already eaten), calling `item` for each. */
function list(c: TextCursor, item: () => void): void {
  do item();
  while (c.eat(COMMA));
  c.expect(RBRKT);
}

function oneOf<T extends string>(c: TextCursor, allowed: readonly T[], what: string): T {
  const at = c.pos;
  const { keyword } = c.keyword(what);
  if (keyword === undefined || !(allowed as readonly string[]).includes(keyword)) c.fail(what, at);
  return keyword as T;
}

export function terminationId(c: TextCursor): string {
  const at = c.pos;
  const w = c.word("a TerminationID");
  if (!isTerminationId(w)) c.fail("a TerminationID", at);
  return w;
}

/** TerminationID, or (v3) terminationIDList = LSBRKT TerminationID *(COMMA TerminationID) RSBRKT. */
export function terminationIds(c: TextCursor): string[] {
  if (!c.eat(LSBRKT)) return [terminationId(c)];
  const ids: string[] = [];
  do ids.push(terminationId(c));
  while (c.eat(COMMA));
  c.expect(RSBRKT);
  return ids;
}

function pkgdName(c: TextCursor, what = "a pkgdName (package/item)"): string {
  const at = c.pos;
  const w = c.word(what);
  if (!isPkgdName(w)) c.fail(what, at);
  return w;
}

/** parmValue = (EQUAL alternativeValue) / (INEQUAL VALUE), or nothing when `optional`. */
function parmValue(c: TextCursor, optional: boolean): PropertyValue | undefined {
  const ch = c.peek();
  if (ch === 62 || ch === 60 || ch === 35) {
    c.pos++;
    c.skipLwsp();
    return { kind: "inequal", op: String.fromCharCode(ch) as ">" | "<" | "#", value: c.value() };
  }
  if (!c.eat(EQUAL)) {
    if (optional) return undefined;
    c.fail('"=", ">", "<" or "#"');
  }
  if (c.eat(LSBRKT)) {
    const first = c.value();
    if (c.eat(COLON)) {
      const high = c.value();
      c.expect(RSBRKT);
      return { kind: "range", low: first, high };
    }
    const values = [first];
    while (c.eat(COMMA)) values.push(c.value());
    c.expect(RSBRKT);
    return { kind: "all", values };
  }
  if (c.eat(LBRKT)) {
    const values = [c.value()];
    while (c.eat(COMMA)) values.push(c.value());
    c.expect(RBRKT);
    return { kind: "oneOf", values };
  }
  return { kind: "equal", value: c.value() };
}

function property(name: string, value: PropertyValue | undefined): PropertyParm {
  return value === undefined ? { kind: "property", name } : { kind: "property", name, value };
}

/** propertyParm = pkgdName parmValue (the value may be left out in audits and statistics). */
function propertyParmAfter(c: TextCursor, name: string, at: number, valueOptional: boolean): PropertyParm {
  if (!isPkgdName(name)) c.fail("a pkgdName (package/item)", at);
  return property(name, parmValue(c, valueOptional));
}

// ---- Media (7.1.1) ----------------------------------------------------------------------------------------

export function mediaDescriptor(c: TextCursor): MediaDescriptor {
  c.expect(LBRKT);
  const items: MediaItem[] = [];
  list(c, () => {
    const { keyword, word, at } = c.keyword("a Media parameter");
    if (keyword === "Stream") {
      c.expect(EQUAL);
      const streamId = c.uint("a StreamID");
      c.expect(LBRKT);
      const parms: StreamParm[] = [];
      list(c, () => parms.push(streamParm(c)));
      items.push({ kind: "stream", streamId, parms });
    } else if (keyword === "TerminationState") items.push(terminationState(c));
    else items.push(streamParmAfter(c, keyword, word, at));
  });
  return { kind: "media", items };
}

function streamParm(c: TextCursor): StreamParm {
  const { keyword, word, at } = c.keyword("a stream parameter");
  return streamParmAfter(c, keyword, word, at);
}

function streamParmAfter(c: TextCursor, keyword: string | undefined, _word: string, at: number): StreamParm {
  switch (keyword) {
    case "LocalControl":
      return localControl(c);
    case "Local":
      return { kind: "local", sdp: sdpText(c) };
    case "Remote":
      return { kind: "remote", sdp: sdpText(c) };
    case "Statistics":
      return statistics(c);
    default:
      return c.fail("LocalControl, Local, Remote, Statistics, Stream or TerminationState", at);
  }
}

/**
 * The SDP between the braces of Local / Remote (octetString, where "\}" stands for a brace of the text, as the
 * encoder writes it), normalised to CRLF lines.
 */
export function sdpText(c: TextCursor): string {
  const t = c.text;
  if (t.charCodeAt(c.pos) !== LBRKT) c.fail('"{"');
  let p = c.pos + 1;
  let escapes = false;
  while (p < t.length) {
    const ch = t.charCodeAt(p);
    if (ch === RBRKT) break;
    if (ch === 92 && t.charCodeAt(p + 1) === RBRKT) {
      escapes = true;
      p += 2;
    } else p++;
  }
  if (p >= t.length) c.fail('"}" closing the SDP', p);
  const raw = t.slice(c.pos + 1, p);
  c.pos = p + 1;
  c.skipLwsp();
  return normaliseSdp(escapes ? raw.replaceAll("\\}", "}") : raw);
}

/** Each line without its leading white space, ended by CRLF; lines of only white space dropped. */
export function normaliseSdp(raw: string): string {
  let out = "";
  let i = 0;
  const n = raw.length;
  while (i < n) {
    let c = raw.charCodeAt(i);
    while (i < n && (c === 32 || c === 9)) c = raw.charCodeAt(++i);
    const start = i;
    while (i < n && c !== 10 && c !== 13) c = raw.charCodeAt(++i);
    if (i > start) out += `${raw.slice(start, i)}\r\n`;
    if (c === 13 && raw.charCodeAt(i + 1) === 10) i++;
    i++;
  }
  return out;
}

function localControl(c: TextCursor): { kind: "localControl"; items: LocalControlItem[] } {
  c.expect(LBRKT);
  const items: LocalControlItem[] = [];
  list(c, () => {
    const { keyword, word, at } = c.keyword("a LocalControl parameter");
    if (keyword === "Mode") {
      if (!c.eat(EQUAL)) items.push({ kind: "mode" });
      else items.push({ kind: "mode", mode: streamMode(c) });
    } else if (keyword === "ReservedValue" || keyword === "ReservedGroup") {
      const kind = keyword === "ReservedValue" ? "reservedValue" : "reservedGroup";
      if (!c.eat(EQUAL)) items.push({ kind });
      else items.push({ kind, on: oneOf(c, ["ON", "OFF"], "ON or OFF") === "ON" });
    } else items.push(propertyParmAfter(c, word, at, true));
  });
  return { kind: "localControl", items };
}

function streamMode(c: TextCursor): StreamMode {
  return oneOf(
    c,
    ["SendOnly", "ReceiveOnly", "SendReceive", "Inactive", "Loopback"] as const,
    "SendOnly, ReceiveOnly, SendReceive, Inactive or Loopback",
  );
}

function terminationState(c: TextCursor): TerminationStateDescriptor {
  c.expect(LBRKT);
  const items: TerminationStateItem[] = [];
  list(c, () => {
    const { keyword, word, at } = c.keyword("a TerminationState parameter");
    if (keyword === "ServiceStates") {
      if (!c.eat(EQUAL)) items.push({ kind: "serviceStates" });
      else
        items.push({
          kind: "serviceStates",
          state: oneOf(c, ["Test", "OutOfService", "InService"] as const, "Test, OutOfService or InService"),
        });
    } else if (keyword === "Buffer") {
      if (!c.eat(EQUAL)) items.push({ kind: "buffer" });
      else items.push({ kind: "buffer", control: oneOf(c, ["OFF", "LockStep"] as const, "OFF or LockStep") });
    } else items.push(propertyParmAfter(c, word, at, true));
  });
  return { kind: "terminationState", items };
}

// ---- Events, signals, digit maps (7.1.9 – 7.1.14) ------------------------------------------------------------

/** eventsDescriptor = EventsToken [EQUAL RequestID LBRKT requestedEvent *(COMMA requestedEvent) RBRKT]. */
export function eventsDescriptor(c: TextCursor): EventsDescriptor {
  if (!c.eat(EQUAL)) return { kind: "events", events: [] };
  const requestId = c.uint("a RequestID");
  c.expect(LBRKT);
  const events: RequestedEvent[] = [];
  list(c, () => events.push(requestedEvent(c, false)));
  return { kind: "events", requestId, events };
}

function requestedEvent(c: TextCursor, specOnly: boolean): RequestedEvent {
  const name = pkgdName(c, "an event name (package/event)");
  const parameters: EventParameter[] = [];
  if (c.eat(LBRKT)) list(c, () => parameters.push(eventParameter(c, specOnly)));
  return { name, parameters };
}

function eventParameter(c: TextCursor, specOnly: boolean): EventParameter {
  const at = c.pos;
  const { word, keyword: kw } = c.keyword("an event parameter");
  const keyword = kw !== undefined && EVENT_PARAMETER_KEYWORDS.has(kw) ? kw : undefined;
  if (specOnly && keyword !== undefined && keyword !== "Stream") c.fail("Stream or an event parameter", at);
  switch (keyword) {
    case "Stream":
      c.expect(EQUAL);
      return { kind: "stream", streamId: c.uint("a StreamID") };
    case "KeepActive":
      return { kind: "keepActive" };
    case "DigitMap": {
      c.expect(EQUAL);
      if (c.eat(LBRKT)) return { kind: "digitMap", value: digitMapValue(c) };
      return { kind: "digitMap", name: digitMapName(c) };
    }
    case "Embed":
      return { kind: "embed", ...embed(c) };
    case "ImmediateNotify":
    case "NeverNotify":
      return { kind: "notifyBehaviour", behaviour: keyword };
    case "RegulatedNotify": {
      if (!c.eat(LBRKT)) return { kind: "notifyBehaviour", behaviour: keyword };
      const k = c.keyword("Embed");
      if (k.keyword !== "Embed") c.fail("Embed", k.at);
      const e = embed(c);
      c.expect(RBRKT);
      return { kind: "notifyBehaviour", behaviour: keyword, embed: e };
    }
    case "ResetEventsDescriptor":
      return { kind: "resetEventsDescriptor" };
    default:
      if (!isParameterName(word)) c.fail("an event parameter", at);
      return property(word, parmValue(c, false));
  }
}

// Annex B lets events embed events without end (through RegulatedNotify); the decoder recurses on each, so it
// bounds the depth: a message nesting deeper is refused as a syntax fault, not by running out of stack (an
// implementation bound, beyond which the fast path refuses what the grammar takes; no real message comes near).
export const MAX_EMBED_DEPTH = 32;

/** Embed { [signalsDescriptor] [, Events …] } (embedWithSig / embedNoSig). */
function embed(c: TextCursor): Embed {
  if (++c.embedDepth > MAX_EMBED_DEPTH) c.fail(`at most ${MAX_EMBED_DEPTH} nested Embed descriptors`);
  c.expect(LBRKT);
  const out: Embed = {};
  let k = c.keyword("Signals or Events");
  if (k.keyword === "Signals") {
    out.signals = signalsDescriptor(c);
    if (!c.eat(COMMA)) {
      c.expect(RBRKT);
      c.embedDepth--;
      return out;
    }
    k = c.keyword("Events");
    if (k.keyword !== "Events") c.fail("Events", k.at);
  } else if (k.keyword !== "Events") c.fail("Signals or Events", k.at);
  out.events = eventsDescriptor(c);
  c.expect(RBRKT);
  c.embedDepth--;
  return out;
}

function digitMapName(c: TextCursor): string {
  const at = c.pos;
  const w = c.word("a digit map name");
  if (!isName(w)) c.fail("a digit map name", at);
  return w;
}

/** digitMapValue = ["T:" Timer ","] ["S:" Timer ","] ["L:" Timer ","] ["Z:" Timer ","] digitMap, then "}". */
function digitMapValue(c: TextCursor): DigitMapValue {
  const v: Partial<DigitMapValue> = {};
  const t = c.text;
  for (const [letter, key] of [
    ["T", "start"],
    ["S", "short"],
    ["L", "long"],
    ["Z", "duration"],
  ] as const) {
    const ch = t.charCodeAt(c.pos);
    if ((ch | 32) !== letter.toLowerCase().charCodeAt(0)) continue;
    // "T" COLON Timer: no white space inside (COLON = %x3A)
    if (t.charCodeAt(c.pos + 1) !== COLON) continue;
    c.pos += 2;
    const at = c.pos;
    const w = c.word("a Timer (1 or 2 digits)");
    if (!isDigits(w) || w.length > 2) c.fail("a Timer (1 or 2 digits)", at);
    v[key] = Number(w);
    c.expect(COMMA);
  }
  const start = c.pos;
  let p = start;
  while (p < t.length) {
    const ch = t.charCodeAt(p);
    if (ch === RBRKT || ch === COLON || ch === COMMA) break;
    p++;
  }
  const body = t.slice(start, p).trimEnd();
  if (body === "") c.fail("a digit map");
  c.pos = p;
  c.expect(RBRKT);
  v.body = body;
  return v as DigitMapValue;
}

/** digitMapDescriptor = DigitMapToken EQUAL ((LBRKT digitMapValue RBRKT) / (digitMapName [LBRKT digitMapValue RBRKT])). */
export function digitMapDescriptor(c: TextCursor): DigitMapDescriptor {
  c.expect(EQUAL);
  if (c.eat(LBRKT)) return { kind: "digitMap", value: digitMapValue(c) };
  const name = digitMapName(c);
  if (c.eat(LBRKT)) return { kind: "digitMap", name, value: digitMapValue(c) };
  return { kind: "digitMap", name };
}

/** signalsDescriptor = SignalsToken [LBRKT [signalParm *(COMMA signalParm)] RBRKT]. */
export function signalsDescriptor(c: TextCursor): SignalsDescriptor {
  const signals: SignalsDescriptor["signals"] = [];
  if (c.eat(LBRKT) && !c.eat(RBRKT)) {
    list(c, () => {
      const at = c.pos;
      const { word, keyword } = c.keyword("a signal name or SignalList");
      if (keyword === "SignalList") {
        c.expect(EQUAL);
        const listId = c.uint("a signal list id");
        c.expect(LBRKT);
        const inList: SignalRequest[] = [];
        list(c, () => inList.push(signalRequestAfter(c, pkgdName(c, "a signal name (package/signal)"), c.pos)));
        signals.push({ kind: "signalList", listId, signals: inList });
      } else signals.push(signalRequestAfter(c, word, at));
    });
  }
  return { kind: "signals", signals };
}

function signalRequestAfter(c: TextCursor, name: string, at: number): SignalRequest {
  if (!isPkgdName(name)) c.fail("a signal name (package/signal)", at);
  const parameters: SignalParameter[] = [];
  if (c.eat(LBRKT)) list(c, () => parameters.push(signalParameter(c)));
  return { kind: "signal", name, parameters };
}

const REASONS = ["TimeOut", "IntByEvent", "IntBySigDescr", "OtherReason", "Iteration"] as const;

function signalParameter(c: TextCursor): SignalParameter {
  const at = c.pos;
  const { word, keyword: kw } = c.keyword("a signal parameter");
  const keyword = kw !== undefined && SIGNAL_PARAMETER_KEYWORDS.has(kw) ? kw : undefined;
  switch (keyword) {
    case "Stream":
      c.expect(EQUAL);
      return { kind: "stream", streamId: c.uint("a StreamID") };
    case "SignalType":
      c.expect(EQUAL);
      return { kind: "signalType", type: oneOf(c, ["OnOff", "TimeOut", "Brief"] as const, "OnOff, TimeOut or Brief") };
    case "Duration":
      c.expect(EQUAL);
      return { kind: "duration", duration: c.uint("a duration") };
    case "NotifyCompletion": {
      c.expect(EQUAL);
      const what = "TimeOut, IntByEvent, IntBySigDescr, OtherReason or Iteration";
      const reasons: NotifyCompletionReason[] = [];
      if (c.eat(LBRKT)) list(c, () => reasons.push(oneOf(c, REASONS, what)));
      else reasons.push(oneOf(c, REASONS, what));
      return { kind: "notifyCompletion", reasons };
    }
    case "KeepActive":
      return { kind: "keepActive" };
    case "SPADirection":
      c.expect(EQUAL);
      return {
        kind: "direction",
        direction: oneOf(c, ["External", "Internal", "Both"] as const, "External, Internal or Both"),
      };
    case "SPARequestID":
      c.expect(EQUAL);
      return { kind: "requestId", requestId: c.uint("a RequestID") };
    case "Intersignal":
      c.expect(EQUAL);
      return { kind: "intersignalDelay", delay: c.uint("a delay") };
    default:
      if (!isParameterName(word)) c.fail("a signal parameter", at);
      return property(word, parmValue(c, false));
  }
}

/** eventBufferDescriptor = EventBufferToken [LBRKT eventSpec *(COMMA eventSpec) RBRKT]. */
export function eventBufferDescriptor(c: TextCursor): { kind: "eventBuffer"; events: RequestedEvent[] } {
  const events: RequestedEvent[] = [];
  if (c.eat(LBRKT)) list(c, () => events.push(requestedEvent(c, true)));
  return { kind: "eventBuffer", events };
}

/** observedEventsDescriptor = ObservedEventsToken EQUAL RequestID LBRKT observedEvent *(COMMA observedEvent) RBRKT. */
export function observedEventsDescriptor(c: TextCursor): ObservedEventsDescriptor {
  c.expect(EQUAL);
  const requestId = c.uint("a RequestID");
  c.expect(LBRKT);
  const events: ObservedEvent[] = [];
  list(c, () => {
    let at = c.pos;
    let word = c.word("a TimeStamp or an event name");
    let timestamp: string | undefined;
    if (c.eat(COLON)) {
      if (!isTimeStamp(word)) c.fail("a TimeStamp (yyyymmddThhmmssss)", at);
      timestamp = word;
      at = c.pos;
      word = c.word("an event name (package/event)");
    }
    if (!isPkgdName(word)) c.fail("an event name (package/event)", at);
    const parameters: ObservedEvent["parameters"] = [];
    if (c.eat(LBRKT))
      list(c, () => {
        const pat = c.pos;
        const { word: w, keyword: kw } = c.keyword("an event parameter");
        if (kw !== undefined && OBSERVED_PARAMETER_KEYWORDS.has(kw)) {
          c.expect(EQUAL);
          parameters.push({ kind: "stream", streamId: c.uint("a StreamID") });
        } else {
          if (!isParameterName(w)) c.fail("an event parameter", pat);
          parameters.push(property(w, parmValue(c, false)));
        }
      });
    events.push(timestamp === undefined ? { name: word, parameters } : { timestamp, name: word, parameters });
  });
  return { kind: "observedEvents", requestId, events };
}

/** TimeStamp = Date "T" Time; Date = 8DIGIT; Time = 8DIGIT. */
export function isTimeStamp(w: string): boolean {
  return w.length === 17 && (w[8] === "T" || w[8] === "t") && isDigits(w.slice(0, 8)) && isDigits(w.slice(9));
}

// ---- Statistics, packages, errors, audit (7.1.15 – 7.1.18) ---------------------------------------------------

export function statistics(c: TextCursor): StatisticsDescriptor {
  c.expect(LBRKT);
  const stats: PropertyParm[] = [];
  list(c, () => {
    const at = c.pos;
    stats.push(propertyParmAfter(c, c.word("a statistic (package/item)"), at, true));
  });
  return { kind: "statistics", statistics: stats };
}

export function packagesDescriptor(c: TextCursor): PackagesDescriptor {
  c.expect(LBRKT);
  const packages: PackagesDescriptor["packages"] = [];
  list(c, () => {
    const at = c.pos;
    const w = c.word("a package (name-version)");
    const dash = w.lastIndexOf("-");
    const name = w.slice(0, dash);
    const version = w.slice(dash + 1);
    if (dash <= 0 || !isName(name) || !isDigits(version) || version.length > 5) c.fail("a package (name-version)", at);
    packages.push({ name, version: Number(version) });
  });
  return { kind: "packages", packages };
}

/** errorDescriptor = ErrorToken EQUAL ErrorCode LBRKT [quotedString] RBRKT. */
export function errorDescriptor(c: TextCursor): ErrorDescriptor {
  c.expect(EQUAL);
  const at = c.pos;
  const w = c.word("an ErrorCode");
  if (!isDigits(w) || w.length > 4) c.fail("an ErrorCode (1 to 4 digits)", at);
  c.expect(LBRKT);
  if (c.eat(RBRKT)) return { kind: "error", code: Number(w) };
  if (c.peek() !== 34) c.fail('a quoted string or "}"');
  const text = c.quoted();
  c.expect(RBRKT);
  return { kind: "error", code: Number(w), text };
}

const AUDIT_TOKENS: ReadonlySet<string> = new Set([
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
]);

/**
 * A descriptor in an Add/Modify/Move request (ammParameter), an audit descriptor (auditItem) or a reply
 * (auditReturnParameter). In audits and replies a descriptor named without contents is an AuditToken.
 */
export function descriptorAfter(
  c: TextCursor,
  keyword: string | undefined,
  at: number,
  where: "amm" | "audit" | "reply",
): Descriptor {
  const next = c.peek();
  const bare = next !== EQUAL && next !== LBRKT;
  if (where !== "amm" && bare && keyword !== undefined && AUDIT_TOKENS.has(keyword))
    return { kind: "token", token: keyword as AuditTokenName };
  switch (keyword) {
    case "Media":
      return mediaDescriptor(c);
    case "Events":
      return eventsDescriptor(c);
    case "Signals":
      return signalsDescriptor(c);
    case "DigitMap":
      return digitMapDescriptor(c);
    case "EventBuffer":
      return eventBufferDescriptor(c);
    case "Statistics":
      return statistics(c);
    case "Packages":
      if (where === "amm") break;
      return packagesDescriptor(c);
    case "ObservedEvents":
      if (where !== "reply") break;
      return observedEventsDescriptor(c);
    case "Error":
      if (where !== "reply") break;
      return errorDescriptor(c);
    case "Audit":
      if (where !== "amm") break;
      return auditDescriptor(c);
  }
  return c.fail(
    where === "amm"
      ? "Media, Events, Signals, DigitMap, EventBuffer, Audit or Statistics"
      : "a descriptor or audit item",
    at,
  );
}

/** auditDescriptor = AuditToken LBRKT [auditItem *(COMMA auditItem)] RBRKT. */
export function auditDescriptor(c: TextCursor): { kind: "audit"; items: Descriptor[] } {
  c.expect(LBRKT);
  const items: Descriptor[] = [];
  if (c.eat(RBRKT)) return { kind: "audit", items };
  list(c, () => {
    const { keyword, at } = c.keyword("an audit item");
    items.push(descriptorAfter(c, keyword, at, "audit"));
  });
  return { kind: "audit", items };
}

// ---- ServiceChange (7.1.19) ------------------------------------------------------------------------------------

const METHODS = ["Failover", "Forced", "Graceful", "Restart", "Disconnected", "HandOff"] as const;

export function servicesDescriptor(c: TextCursor, readMId: (c: TextCursor) => MId): ServicesDescriptor {
  c.expect(LBRKT);
  const parms: ServiceChangeParm[] = [];
  list(c, () => {
    const at = c.pos;
    const { keyword, word } = c.keyword("a ServiceChange parameter");
    switch (keyword) {
      case "Method":
        c.expect(EQUAL);
        parms.push({ kind: "method", method: oneOf<ServiceChangeMethod>(c, METHODS, METHODS.join(", ")) });
        return;
      case "Reason":
        c.expect(EQUAL);
        parms.push({ kind: "reason", reason: c.value() });
        return;
      case "Delay":
        c.expect(EQUAL);
        parms.push({ kind: "delay", delay: c.uint("a delay") });
        return;
      case "ServiceChangeAddress": {
        c.expect(EQUAL);
        const ch = c.peek();
        if (ch >= 48 && ch <= 57) parms.push({ kind: "address", address: portNumber(c) });
        else parms.push({ kind: "address", address: readMId(c) });
        return;
      }
      case "Profile": {
        c.expect(EQUAL);
        const pat = c.pos;
        const w = c.word("a profile (name/version)");
        const slash = w.indexOf("/");
        if (slash <= 0 || !isProfileName(w.slice(0, slash)) || !isDigits(w.slice(slash + 1)) || w.length - slash > 3)
          c.fail("a profile (name/version)", pat);
        parms.push({ kind: "profile", profile: w });
        return;
      }
      case "Version": {
        c.expect(EQUAL);
        const pat = c.pos;
        const w = c.word("a version");
        if (!isDigits(w) || w.length > 2) c.fail("a version (1 or 2 digits)", pat);
        parms.push({ kind: "version", version: Number(w) });
        return;
      }
      case "MgcIdToTry":
        c.expect(EQUAL);
        parms.push({ kind: "mgcId", mId: readMId(c) });
        return;
      case "ServiceChangeInc":
        parms.push({ kind: "incomplete" });
        return;
    }
    if (isTimeStamp(word)) {
      parms.push({ kind: "timestamp", timestamp: word });
      return;
    }
    if (!/^X[-+][A-Za-z0-9]{1,6}$/i.test(word)) c.fail("a ServiceChange parameter", at);
    parms.push(property(word, parmValue(c, false)));
  });
  return { kind: "services", parms };
}

/** Profile names: NAME, also with "-" (e.g. resgw, etsi-tgw) as profiles are registered. */
function isProfileName(s: string): boolean {
  return isName(s.replaceAll("-", "_"));
}

export function portNumber(c: TextCursor): number {
  const at = c.pos;
  const w = c.word("a portNumber");
  if (!isDigits(w) || w.length > 5 || Number(w) > 65535) c.fail("a portNumber", at);
  return Number(w);
}

// ---- Context properties (v3 6.1, 7.1.x) --------------------------------------------------------------------

const DIRECTIONS = ["Bothway", "Isolate", "Oneway"] as const;

/** A contextProperty whose token is `keyword`, or undefined when the token names none. */
export function contextPropertyAfter(c: TextCursor, keyword: string | undefined): ContextProperty | undefined {
  switch (keyword) {
    case "Topology": {
      c.expect(LBRKT);
      const triples: TopologyTriple[] = [];
      list(c, () => {
        const from = terminationId(c);
        c.expect(COMMA);
        const to = terminationId(c);
        c.expect(COMMA);
        const direction = oneOf<TopologyDirection>(c, DIRECTIONS, DIRECTIONS.join(", "));
        // [COMMA topologyDirectionExtension]: a comma followed by a TerminationID starts the next triple
        const save = c.pos;
        if (c.eat(COMMA)) {
          const k = c.keyword("OnewayExternal, OnewayBoth or a TerminationID").keyword;
          if (k === "OnewayExternal" || k === "OnewayBoth") {
            triples.push({ from, to, direction, extension: k });
            return;
          }
          c.pos = save;
        }
        triples.push({ from, to, direction });
      });
      return { kind: "topology", triples };
    }
    case "Priority":
      c.expect(EQUAL);
      return { kind: "priority", priority: priorityValue(c) };
    case "Emergency":
      return { kind: "emergency" };
    case "EmergencyOff":
      return { kind: "emergencyOff" };
    case "IEPSCall":
      c.expect(EQUAL);
      return { kind: "iepsCall", on: oneOf(c, ["ON", "OFF"], "ON or OFF") === "ON" };
    case "ContextAttr": {
      c.expect(LBRKT);
      const items: ContextAttrItem[] = [];
      list(c, () => {
        const at = c.pos;
        const { keyword: k, word } = c.keyword("a property or ContextList");
        if (k === "ContextList") {
          c.expect(EQUAL);
          c.expect(LBRKT);
          const contextIds: number[] = [];
          list(c, () => contextIds.push(c.uint("a ContextID")));
          items.push({ kind: "contextList", contextIds });
        } else items.push(propertyParmAfter(c, word, at, false));
      });
      return { kind: "contextAttr", items };
    }
  }
  return undefined;
}

function priorityValue(c: TextCursor): number {
  const at = c.pos;
  const n = c.uint("a priority (0-15)");
  if (n > 15) c.fail("a priority (0-15)", at);
  return n;
}

/** contextAudit = ContextAuditToken LBRKT indAudcontextAttrDescriptor … RBRKT. */
export function contextAudit(c: TextCursor): ContextAuditItem[] {
  c.expect(LBRKT);
  const items: ContextAuditItem[] = [];
  list(c, () => {
    const { keyword, word, at } = c.keyword("a context audit item");
    const valued = c.peek() === EQUAL;
    switch (keyword) {
      case "Topology":
      case "Emergency":
        items.push({ kind: "token", token: keyword });
        return;
      case "Priority":
      case "IEPSCall":
        if (!valued) {
          items.push({ kind: "token", token: keyword });
          return;
        }
        c.expect(EQUAL);
        if (keyword === "Priority") items.push({ kind: "priority", priority: priorityValue(c) });
        else items.push({ kind: "iepsCall", on: oneOf(c, ["ON", "OFF"], "ON or OFF") === "ON" });
        return;
      case "EmergencyValue":
        c.expect(EQUAL);
        items.push({
          kind: "emergencyValue",
          value: oneOf(c, ["Emergency", "EmergencyOff"] as const, "Emergency or EmergencyOff"),
        });
        return;
      case "ANDLgc":
        items.push({ kind: "select", logic: "and" });
        return;
      case "ORLgc":
        items.push({ kind: "select", logic: "or" });
        return;
    }
    if (!isPkgdName(word)) c.fail("a context audit item", at);
    items.push({ kind: "property", name: word });
  });
  return items;
}

export { isDigits };
