# H.248.1 Annex B.2 (text encoding, ABNF), the subset a media gateway controller needs, H.248.1 versions 1 to 3:
# message header, Transaction / Reply / Pending / TransactionResponseAck / Segment, actions with context
# properties (Priority, Emergency, Topology, IEPSCall, ContextAttr) and ContextAudit, the eight commands and their
# replies, and the descriptors Media (Stream, LocalControl, Local, Remote, TerminationState, Statistics), Events
# (Embed, RegulatedNotify …), Signals (SignalList), DigitMap, EventBuffer, ObservedEvents, Statistics, Packages,
# Error, Audit and Services (ServiceChange). Tokens are case-insensitive, in long or short form (B.2).
# It is the executable reference for the hand-written decoder (decode-message.ts): both yield the same model
# (model.ts), proven by test/h248/grammar-equivalence.test.ts.
#
# Restructured from the ABNF only where the ABNF is ambiguous, so that nearley yields one parse:
#  - LWSP belongs to the token before it: every token, word and punctuation mark consumes the white space and
#    comments after it (rule `_`); the ABNF puts LWSP on both sides of EQUAL, LBRKT, COMMA …;
#  - a COMMENT runs to its EOL;
#  - inside events, signals and observed events, a parameter NAME that spells a keyword of that list (ST, KA,
#    DM, EM, SY, DR, NC …) is that keyword, never eventOther / sigOther (megaco scans them as tokens too);
#  - in an audit descriptor and a reply, a descriptor token with no contents (M, E, SG, DM, SA, PG …) is an
#    audit token; in Add/Modify/Move, "E", "SG" and "EB" alone are empty descriptors;
#  - TerminationIDs may start with a digit (11111111/00000000/00000000), as MGs name them;
#  - Local / Remote hold SDP as raw text up to the closing brace (no "\}" escapes), normalised to CRLF lines;
#  - a DigitMap body is the text up to its closing brace; it holds no ":" or ",".
# Also read: the spelling "EmergencyOffToken" of H.248.1 v2 and the pre-v3 names Direction/DI, RequestID/RQ.
@preprocessor typescript

@{%
function text(d: unknown): string {
  if (d === null || d === undefined) return "";
  if (Array.isArray(d)) return d.map(text).join("");
  return String(d);
}
/** first (COMMA x):* → [first, …]. */
function list(first: any, rest: any[]): any[] {
  return [first, ...rest.map((x: any[]) => x[1])];
}
const kw = (name: string) => () => name;
const EVENT_KEYWORDS = new Set(["ST", "STREAM", "KA", "KEEPACTIVE", "DM", "DIGITMAP", "EM", "EMBED", "NBIN",
  "IMMEDIATENOTIFY", "NBNN", "NEVERNOTIFY", "NBRN", "REGULATEDNOTIFY", "RSE", "RESETEVENTSDESCRIPTOR"]);
const SIGNAL_KEYWORDS = new Set(["ST", "STREAM", "SY", "SIGNALTYPE", "DR", "DURATION", "NC", "NOTIFYCOMPLETION",
  "KA", "KEEPACTIVE", "SPADI", "SPADIRECTION", "DI", "DIRECTION", "SPARQ", "SPAREQUESTID", "RQ", "REQUESTID",
  "SPAIS", "INTERSIGNAL"]);
const OBSERVED_KEYWORDS = new Set(["ST", "STREAM"]);
function property(name: string, value: any) {
  return value === null || value === undefined ? { kind: "property", name } : { kind: "property", name, value };
}
function isTerminationId(s: string): boolean {
  return s.length <= 64 && /^[A-Za-z0-9_*$][A-Za-z0-9_*$\/@.\-]*$/.test(s);
}
function isIPv4(s: string): boolean {
  const parts = s.split(".");
  return parts.length === 4 && parts.every((x) => /^[0-9]{1,3}$/.test(x) && Number(x) <= 255);
}
function isIPv6(s: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(s) || !s.includes(":")) return false;
  let hex = s;
  let extra = 0;
  const last = s.lastIndexOf(":");
  if (s.slice(last + 1).includes(".")) {
    if (!isIPv4(s.slice(last + 1))) return false;
    hex = s.slice(0, last + 1) + "0";
    extra = 1;
  }
  const halves = hex.split("::");
  if (halves.length > 2) return false;
  const groups = halves.flatMap((h) => (h === "" ? [] : h.split(":")));
  if (!groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? groups.length + extra <= 7 : groups.length + extra === 8;
}
function sdp(raw: string): string {
  let out = "";
  for (const line of raw.split(/\r\n|\n|\r/)) if (line.trim() !== "") out += line.trimStart() + "\r\n";
  return out;
}
function withPort(m: any, port: any) {
  return port === null ? m : { ...m, port };
}
function segmented(d: any[]) {
  const out: any = { transactionId: d[0] };
  if (d[1] !== null) {
    out.segmentNumber = d[1][1];
    if (d[1][2] !== null) out.segmentationComplete = true;
  }
  return out;
}
%}

# ---- B.2 message ---------------------------------------------------------------------------------------------

megacoMessage -> _ MegacopToken "/" Version SEP mId SEP messageBody
  {% (d) => ({ version: d[3], mId: d[5], body: d[7] }) %}
MegacopToken -> "MEGACO"i | "!"
Version -> [0-9] [0-9]:?                                  {% (d) => Number(text(d)) %}
messageBody -> errorDescriptor                            {% (d) => ({ kind: "error", error: d[0] }) %}
  | transaction:+                                         {% (d) => ({ kind: "transactions", transactions: d[0] }) %}

# mId = ((domainAddress / domainName) [":" portNumber]) / mtpAddress / deviceName
mId -> "[" [0-9A-Fa-f:.]:+ "]" portSuffix:?
  {% (d, _l, reject) => {
    const a = text(d[1]);
    if (isIPv4(a)) return withPort({ kind: "ip4", address: a }, d[3]);
    if (isIPv6(a)) return withPort({ kind: "ip6", address: a }, d[3]);
    return reject;
  } %}
  | "<" [A-Za-z0-9] [A-Za-z0-9.\-]:* ">" portSuffix:?
  {% (d, _l, reject) => (d[2].length > 63 ? reject : withPort({ kind: "domain", name: d[1] + text(d[2]) }, d[4])) %}
  | "MTP"i _ "{" _ [0-9A-Fa-f]:+ _ "}"
  {% (d, _l, reject) => (d[4].length < 4 || d[4].length > 8 ? reject : { kind: "mtp", address: text(d[4]) }) %}
  | [A-Za-z*] [A-Za-z0-9_*$/@.\-]:*
  {% (d, _l, reject) => { const n = d[0] + text(d[1]); return isTerminationId(n) ? { kind: "device", name: n } : reject; } %}
portSuffix -> ":" [0-9]:+
  {% (d, _l, reject) => (d[1].length > 5 || Number(text(d[1])) > 65535 ? reject : Number(text(d[1]))) %}

transaction -> transactionRequest {% id %} | transactionReply {% id %} | transactionPending {% id %}
  | transactionResponseAck {% id %} | segmentReply {% id %}

transactionRequest -> TransToken EQUAL UINT32 LBRKT actionRequest (COMMA actionRequest):* RBRKT
  {% (d) => ({ kind: "request", transactionId: d[2], actions: list(d[4], d[5]) }) %}

transactionReply -> ReplyToken EQUAL segmentedId LBRKT (ImmAckRequiredToken COMMA):? replyBody RBRKT
  {% (d) => {
    const r: any = { kind: "reply", ...d[2], actions: [] };
    if (d[4] !== null) r.immAckRequired = true;
    if (d[5].error) r.error = d[5].error; else r.actions = d[5].actions;
    return r;
  } %}
replyBody -> errorDescriptor                              {% (d) => ({ error: d[0] }) %}
  | actionReply (COMMA actionReply):*                     {% (d) => ({ actions: list(d[0], d[1]) }) %}
# TransactionID [SLASH SegmentNumber [SLASH SegmentationCompleteToken]]
segmentedId -> uint32 ("/" uint16 ("/" SegmentationCompleteToken):?):? _ {% segmented %}
SegmentationCompleteToken -> "END"i | "&"

transactionPending -> PendingToken EQUAL UINT32 LBRKT RBRKT
  {% (d) => ({ kind: "pending", transactionId: d[2] }) %}

transactionResponseAck -> ResponseAckToken LBRKT transactionAck (COMMA transactionAck):* RBRKT
  {% (d) => ({ kind: "responseAck", ranges: list(d[2], d[3]) }) %}
transactionAck -> uint32 ("-" uint32):? _
  {% (d) => (d[1] === null ? { first: d[0] } : { first: d[0], last: d[1][1] }) %}

segmentReply -> MessageSegmentToken EQUAL uint32 "/" uint16 ("/" SegmentationCompleteToken):? _
  {% (d) => {
    const r: any = { kind: "segmentReply", transactionId: d[2], segmentNumber: d[4] };
    if (d[5] !== null) r.segmentationComplete = true;
    return r;
  } %}

# ---- actions (B.2 actionRequest, actionReply) --------------------------------------------------------------------

actionRequest -> CtxToken EQUAL ContextID LBRKT actionRequestItems RBRKT
  {% (d) => ({ contextId: d[2], ...d[4] }) %}
actionRequestItems -> contextProperties (COMMA contextAudit):? (COMMA commandRequestList):?
  {% (d) => {
    const a: any = { properties: d[0] };
    if (d[1] !== null) a.audit = d[1][1];
    a.commands = d[2] === null ? [] : d[2][1];
    return a;
  } %}
  | contextAudit (COMMA commandRequestList):?
  {% (d) => ({ properties: [], audit: d[0], commands: d[1] === null ? [] : d[1][1] }) %}
  | commandRequestList                                    {% (d) => ({ properties: [], commands: d[0] }) %}

actionReply -> CtxToken EQUAL ContextID LBRKT actionReplyItems RBRKT
  {% (d) => ({ contextId: d[2], ...d[4] }) %}
actionReplyItems -> errorDescriptor                       {% (d) => ({ properties: [], commands: [], error: d[0] }) %}
  | contextProperties (COMMA commandReplyList):? (COMMA errorDescriptor):?
  {% (d) => {
    const a: any = { properties: d[0], commands: d[1] === null ? [] : d[1][1] };
    if (d[2] !== null) a.error = d[2][1];
    return a;
  } %}
  | commandReplyList (COMMA errorDescriptor):?
  {% (d) => (d[1] === null ? { properties: [], commands: d[0] } : { properties: [], commands: d[0], error: d[1][1] }) %}

ContextID -> ("*" | "-" | "$") _                          {% (d) => d[0][0] %}
  | UINT32                                                {% id %}

contextProperties -> contextProperty (COMMA contextProperty):* {% (d) => list(d[0], d[1]) %}
contextProperty -> topologyDescriptor {% id %}
  | PriorityToken EQUAL priorityValue                     {% (d) => ({ kind: "priority", priority: d[2] }) %}
  | EmergencyToken                                        {% () => ({ kind: "emergency" }) %}
  | EmergencyOffToken                                     {% () => ({ kind: "emergencyOff" }) %}
  | IEPSToken EQUAL onOff                                 {% (d) => ({ kind: "iepsCall", on: d[2] }) %}
  | contextAttrDescriptor                                 {% id %}
priorityValue -> UINT32                                   {% (d, _l, reject) => (d[0] > 15 ? reject : d[0]) %}
onOff -> OnToken {% () => true %} | OffToken {% () => false %}

topologyDescriptor -> TopologyToken LBRKT topologyTriple (COMMA topologyTriple):* RBRKT
  {% (d) => ({ kind: "topology", triples: list(d[2], d[3]) }) %}
topologyTriple -> TerminationID COMMA TerminationID COMMA topologyDirection (COMMA topologyExtension):?
  {% (d) => (d[5] === null ? { from: d[0], to: d[2], direction: d[4] } :
      { from: d[0], to: d[2], direction: d[4], extension: d[5][1] }) %}
topologyDirection -> BothwayToken {% id %} | IsolateToken {% id %} | OnewayToken {% id %}
topologyExtension -> OnewayExternalToken {% id %} | OnewayBothToken {% id %}

contextAttrDescriptor -> ContextAttrToken LBRKT contextAttrItem (COMMA contextAttrItem):* RBRKT
  {% (d) => ({ kind: "contextAttr", items: list(d[2], d[3]) }) %}
contextAttrItem -> propertyParm {% id %}
  | ContextListToken EQUAL LBRKT UINT32 (COMMA UINT32):* RBRKT
  {% (d) => ({ kind: "contextList", contextIds: list(d[3], d[4]) }) %}

contextAudit -> ContextAuditToken LBRKT contextAuditItem (COMMA contextAuditItem):* RBRKT {% (d) => list(d[2], d[3]) %}
contextAuditItem -> TopologyToken                         {% () => ({ kind: "token", token: "Topology" }) %}
  | EmergencyToken                                        {% () => ({ kind: "token", token: "Emergency" }) %}
  | PriorityToken                                         {% () => ({ kind: "token", token: "Priority" }) %}
  | IEPSToken                                             {% () => ({ kind: "token", token: "IEPSCall" }) %}
  | pkgdName                                              {% (d) => ({ kind: "property", name: d[0] }) %}
  | PriorityToken EQUAL priorityValue                     {% (d) => ({ kind: "priority", priority: d[2] }) %}
  | EmergencyValueToken EQUAL (EmergencyToken | EmergencyOffToken)
  {% (d) => ({ kind: "emergencyValue", value: d[2][0] }) %}
  | IEPSToken EQUAL onOff                                 {% (d) => ({ kind: "iepsCall", on: d[2] }) %}
  | "ANDLgc"i _                                           {% () => ({ kind: "select", logic: "and" }) %}
  | "ORLgc"i _                                            {% () => ({ kind: "select", logic: "or" }) %}

# ---- commands (B.2 commandRequest, commandReply) -----------------------------------------------------------------

commandRequestList -> commandRequest (COMMA commandRequest):* {% (d) => list(d[0], d[1]) %}
commandRequest -> "O-"i:? "W-"i:? commandRequestBody
  {% (d) => {
    const c: any = { ...d[2] };
    if (d[0] !== null) c.optional = true;
    if (d[1] !== null) c.wildcardReply = true;
    return c;
  } %}
commandRequestBody -> ammToken EQUAL terminationIDs (LBRKT ammParameter (COMMA ammParameter):* RBRKT):?
  {% (d) => ({ command: d[0], terminationIds: d[2], descriptors: d[3] === null ? [] : list(d[3][1], d[3][2]) }) %}
  | SubtractToken EQUAL terminationIDs (LBRKT auditDescriptor RBRKT):?
  {% (d) => ({ command: "Subtract", terminationIds: d[2], descriptors: d[3] === null ? [] : [d[3][1]] }) %}
  | auditToken EQUAL terminationIDs LBRKT auditDescriptor RBRKT
  {% (d) => ({ command: d[0], terminationIds: d[2], descriptors: [d[4]] }) %}
  | NotifyToken EQUAL terminationIDs LBRKT observedEventsDescriptor (COMMA errorDescriptor):? RBRKT
  {% (d) => ({ command: "Notify", terminationIds: d[2], descriptors: d[5] === null ? [d[4]] : [d[4], d[5][1]] }) %}
  | ServiceChangeToken EQUAL terminationIDs LBRKT serviceChangeDescriptor RBRKT
  {% (d) => ({ command: "ServiceChange", terminationIds: d[2], descriptors: [d[4]] }) %}
ammToken -> AddToken {% id %} | ModifyToken {% id %} | MoveToken {% id %}
auditToken -> AuditValueToken {% id %} | AuditCapToken {% id %}

ammParameter -> mediaDescriptor {% id %} | eventsDescriptor {% id %} | signalsDescriptor {% id %}
  | digitMapDescriptor {% id %} | eventBufferDescriptor {% id %} | auditDescriptor {% id %}
  | statisticsDescriptor {% id %}

commandReplyList -> commandReply (COMMA commandReply):*   {% (d) => list(d[0], d[1]) %}
commandReply -> ammsToken EQUAL terminationIDs (LBRKT terminationAudit RBRKT):?
  {% (d) => ({ command: d[0], terminationIds: d[2], descriptors: d[3] === null ? [] : d[3][1] }) %}
  | NotifyToken EQUAL terminationIDs (LBRKT errorDescriptor RBRKT):?
  {% (d) => ({ command: "Notify", terminationIds: d[2], descriptors: d[3] === null ? [] : [d[3][1]] }) %}
  | ServiceChangeToken EQUAL terminationIDs (LBRKT (errorDescriptor | serviceChangeDescriptor) RBRKT):?
  {% (d) => ({ command: "ServiceChange", terminationIds: d[2], descriptors: d[3] === null ? [] : [d[3][1][0]] }) %}
ammsToken -> AddToken {% id %} | ModifyToken {% id %} | MoveToken {% id %} | SubtractToken {% id %}
  | AuditValueToken {% id %} | AuditCapToken {% id %}
terminationAudit -> auditReturnParameter (COMMA auditReturnParameter):* {% (d) => list(d[0], d[1]) %}
auditReturnParameter -> auditItem {% id %} | observedEventsDescriptor {% id %} | errorDescriptor {% id %}

terminationIDs -> TerminationID                           {% (d) => [d[0]] %}
  | LSBRKT TerminationID (COMMA TerminationID):* RSBRKT    {% (d) => list(d[1], d[2]) %}
TerminationID -> [A-Za-z0-9_*$] [A-Za-z0-9_*$/@.\-]:* _
  {% (d, _l, reject) => { const t = d[0] + text(d[1]); return t.length > 64 ? reject : t; } %}

# ---- descriptors -------------------------------------------------------------------------------------------------

mediaDescriptor -> MediaToken LBRKT mediaParm (COMMA mediaParm):* RBRKT {% (d) => ({ kind: "media", items: list(d[2], d[3]) }) %}
mediaParm -> streamParm {% id %} | terminationStateDescriptor {% id %}
  | StreamToken EQUAL UINT32 LBRKT streamParm (COMMA streamParm):* RBRKT
  {% (d) => ({ kind: "stream", streamId: d[2], parms: list(d[4], d[5]) }) %}
streamParm -> localControlDescriptor {% id %} | statisticsDescriptor {% id %}
  | LocalToken "{" octetString "}" _                      {% (d) => ({ kind: "local", sdp: sdp(d[2]) }) %}
  | RemoteToken "{" octetString "}" _                     {% (d) => ({ kind: "remote", sdp: sdp(d[2]) }) %}

# octetString = *(nonEscapeChar), nonEscapeChar = "\}" / %x01-7C / %x7E-FF: "\}" stands for a "}" of the text (the
# encoder writes each "}" so), and any other backslash for itself; read as the fast path reads it.
octetString -> octetPiece:*                               {% (d) => d[0].join("") %}
octetPiece -> [^}\\]                                      {% (d) => d[0] %}
  | "\\":+ [^}\\]                                        {% (d) => d[0].join("") + d[1] %}
  | "\\":+ "}"                                            {% (d) => d[0].slice(1).join("") + "}" %}

localControlDescriptor -> LocalControlToken LBRKT localParm (COMMA localParm):* RBRKT
  {% (d) => ({ kind: "localControl", items: list(d[2], d[3]) }) %}
localParm -> ModeToken                                    {% () => ({ kind: "mode" }) %}
  | ModeToken EQUAL streamMode                            {% (d) => ({ kind: "mode", mode: d[2] }) %}
  | ReservedValueToken                                    {% () => ({ kind: "reservedValue" }) %}
  | ReservedValueToken EQUAL onOff                        {% (d) => ({ kind: "reservedValue", on: d[2] }) %}
  | ReservedGroupToken                                    {% () => ({ kind: "reservedGroup" }) %}
  | ReservedGroupToken EQUAL onOff                        {% (d) => ({ kind: "reservedGroup", on: d[2] }) %}
  | propertyParmOptional                                  {% id %}
streamMode -> SendonlyToken {% id %} | RecvonlyToken {% id %} | SendrecvToken {% id %} | InactiveToken {% id %}
  | LoopbackToken {% id %}

terminationStateDescriptor -> TerminationStateToken LBRKT terminationStateParm (COMMA terminationStateParm):* RBRKT
  {% (d) => ({ kind: "terminationState", items: list(d[2], d[3]) }) %}
terminationStateParm -> ServiceStatesToken                {% () => ({ kind: "serviceStates" }) %}
  | ServiceStatesToken EQUAL (TestToken | OutOfSvcToken | InSvcToken) {% (d) => ({ kind: "serviceStates", state: d[2][0] }) %}
  | BufferToken                                           {% () => ({ kind: "buffer" }) %}
  | BufferToken EQUAL (OffToken | LockStepToken)
  {% (d) => ({ kind: "buffer", control: d[2][0] === false ? "OFF" : "LockStep" }) %}
  | propertyParmOptional                                  {% id %}

# propertyParm = pkgdName parmValue; in audits and statistics the value may be left out
propertyParm -> pkgdName parmValue                        {% (d) => property(d[0], d[1]) %}
propertyParmOptional -> pkgdName parmValue:?              {% (d) => property(d[0], d[1]) %}
parmValue -> EQUAL VALUE                                  {% (d) => ({ kind: "equal", value: d[1] }) %}
  | [><#] _ VALUE                                         {% (d) => ({ kind: "inequal", op: d[0], value: d[2] }) %}
  | EQUAL LSBRKT VALUE (COMMA VALUE):* RSBRKT             {% (d) => ({ kind: "all", values: list(d[2], d[3]) }) %}
  | EQUAL LSBRKT VALUE ":" _ VALUE RSBRKT                 {% (d) => ({ kind: "range", low: d[2], high: d[5] }) %}
  | EQUAL LBRKT VALUE (COMMA VALUE):* RBRKT               {% (d) => ({ kind: "oneOf", values: list(d[2], d[3]) }) %}

eventsDescriptor -> EventsToken                           {% () => ({ kind: "events", events: [] }) %}
  | eventsFull                                            {% id %}
eventsFull -> EventsToken EQUAL UINT32 LBRKT requestedEvent (COMMA requestedEvent):* RBRKT
  {% (d) => ({ kind: "events", requestId: d[2], events: list(d[4], d[5]) }) %}
requestedEvent -> pkgdName (LBRKT eventParameter (COMMA eventParameter):* RBRKT):?
  {% (d) => ({ name: d[0], parameters: d[1] === null ? [] : list(d[1][1], d[1][2]) }) %}
eventParameter -> StreamToken EQUAL UINT32                {% (d) => ({ kind: "stream", streamId: d[2] }) %}
  | KeepActiveToken                                       {% () => ({ kind: "keepActive" }) %}
  | DigitMapToken EQUAL LBRKT digitMapValue RBRKT         {% (d) => ({ kind: "digitMap", value: d[3] }) %}
  | DigitMapToken EQUAL digitMapName                      {% (d) => ({ kind: "digitMap", name: d[2] }) %}
  | embed                                                 {% (d) => ({ kind: "embed", ...d[0] }) %}
  | NotifyImmediateToken                                  {% () => ({ kind: "notifyBehaviour", behaviour: "ImmediateNotify" }) %}
  | NeverNotifyToken                                      {% () => ({ kind: "notifyBehaviour", behaviour: "NeverNotify" }) %}
  | NotifyRegulatedToken                                  {% () => ({ kind: "notifyBehaviour", behaviour: "RegulatedNotify" }) %}
  | NotifyRegulatedToken LBRKT embed RBRKT
  {% (d) => ({ kind: "notifyBehaviour", behaviour: "RegulatedNotify", embed: d[2] }) %}
  | ResetEventsDescriptorToken                            {% () => ({ kind: "resetEventsDescriptor" }) %}
  | parameterName parmValue
  {% (d, _l, reject) => (EVENT_KEYWORDS.has(d[0].toUpperCase()) ? reject : property(d[0], d[1])) %}
embed -> EmbedToken LBRKT signalsDescriptor RBRKT          {% (d) => ({ signals: d[2] }) %}
  | EmbedToken LBRKT signalsDescriptor COMMA eventsDescriptor RBRKT {% (d) => ({ signals: d[2], events: d[4] }) %}
  | EmbedToken LBRKT eventsDescriptor RBRKT               {% (d) => ({ events: d[2] }) %}

signalsDescriptor -> SignalsToken                         {% () => ({ kind: "signals", signals: [] }) %}
  | signalsFull                                           {% id %}
signalsFull -> SignalsToken LBRKT RBRKT                   {% () => ({ kind: "signals", signals: [] }) %}
  | SignalsToken LBRKT signalParm (COMMA signalParm):* RBRKT {% (d) => ({ kind: "signals", signals: list(d[2], d[3]) }) %}
signalParm -> signalRequest {% id %}
  | SignalListToken EQUAL UINT32 LBRKT signalRequest (COMMA signalRequest):* RBRKT
  {% (d) => ({ kind: "signalList", listId: d[2], signals: list(d[4], d[5]) }) %}
signalRequest -> pkgdName (LBRKT sigParameter (COMMA sigParameter):* RBRKT):?
  {% (d) => ({ kind: "signal", name: d[0], parameters: d[1] === null ? [] : list(d[1][1], d[1][2]) }) %}
sigParameter -> StreamToken EQUAL UINT32                  {% (d) => ({ kind: "stream", streamId: d[2] }) %}
  | SignalTypeToken EQUAL (OnOffToken | TimeOutToken | BriefToken) {% (d) => ({ kind: "signalType", type: d[2][0] }) %}
  | DurationToken EQUAL UINT32                            {% (d) => ({ kind: "duration", duration: d[2] }) %}
  | NotifyCompletionToken EQUAL notificationReason        {% (d) => ({ kind: "notifyCompletion", reasons: [d[2]] }) %}
  | NotifyCompletionToken EQUAL LBRKT notificationReason (COMMA notificationReason):* RBRKT
  {% (d) => ({ kind: "notifyCompletion", reasons: list(d[3], d[4]) }) %}
  | KeepActiveToken                                       {% () => ({ kind: "keepActive" }) %}
  | DirectionToken EQUAL (ExternalToken | InternalToken | BothToken) {% (d) => ({ kind: "direction", direction: d[2][0] }) %}
  | RequestIDToken EQUAL UINT32                           {% (d) => ({ kind: "requestId", requestId: d[2] }) %}
  | IntsigDelayToken EQUAL UINT32                         {% (d) => ({ kind: "intersignalDelay", delay: d[2] }) %}
  | parameterName parmValue
  {% (d, _l, reject) => (SIGNAL_KEYWORDS.has(d[0].toUpperCase()) ? reject : property(d[0], d[1])) %}
notificationReason -> TimeOutToken {% id %} | InterruptByEventToken {% id %}
  | InterruptByNewSignalsDescrToken {% id %} | OtherReasonToken {% id %} | IterationToken {% id %}

digitMapDescriptor -> DigitMapToken EQUAL LBRKT digitMapValue RBRKT {% (d) => ({ kind: "digitMap", value: d[3] }) %}
  | DigitMapToken EQUAL digitMapName                      {% (d) => ({ kind: "digitMap", name: d[2] }) %}
  | DigitMapToken EQUAL digitMapName LBRKT digitMapValue RBRKT {% (d) => ({ kind: "digitMap", name: d[2], value: d[4] }) %}
digitMapName -> NAME _                                    {% id %}
# digitMapValue = ["T" COLON Timer COMMA] ["S" COLON Timer COMMA] ["L" COLON Timer COMMA] ["Z" COLON Timer COMMA] digitMap
digitMapValue -> ([Tt] ":" timer COMMA):? ([Ss] ":" timer COMMA):? ([Ll] ":" timer COMMA):? ([Zz] ":" timer COMMA):?
    [^ \t\r\n},:] [^},:]:*
  {% (d) => {
    const v: any = {};
    if (d[0] !== null) v.start = d[0][2];
    if (d[1] !== null) v.short = d[1][2];
    if (d[2] !== null) v.long = d[2][2];
    if (d[3] !== null) v.duration = d[3][2];
    v.body = (d[4] + text(d[5])).trimEnd();
    return v;
  } %}
timer -> [0-9] [0-9]:? _                                  {% (d) => Number(d[0] + (d[1] ?? "")) %}

eventBufferDescriptor -> EventBufferToken                 {% () => ({ kind: "eventBuffer", events: [] }) %}
  | eventBufferFull                                       {% id %}
eventBufferFull -> EventBufferToken LBRKT eventSpec (COMMA eventSpec):* RBRKT
  {% (d) => ({ kind: "eventBuffer", events: list(d[2], d[3]) }) %}
eventSpec -> pkgdName (LBRKT eventSpecParameter (COMMA eventSpecParameter):* RBRKT):?
  {% (d) => ({ name: d[0], parameters: d[1] === null ? [] : list(d[1][1], d[1][2]) }) %}
eventSpecParameter -> StreamToken EQUAL UINT32            {% (d) => ({ kind: "stream", streamId: d[2] }) %}
  | parameterName parmValue
  {% (d, _l, reject) => (EVENT_KEYWORDS.has(d[0].toUpperCase()) ? reject : property(d[0], d[1])) %}

observedEventsDescriptor -> ObservedEventsToken EQUAL UINT32 LBRKT observedEvent (COMMA observedEvent):* RBRKT
  {% (d) => ({ kind: "observedEvents", requestId: d[2], events: list(d[4], d[5]) }) %}
observedEvent -> (TimeStamp ":" _):? pkgdName (LBRKT observedEventParameter (COMMA observedEventParameter):* RBRKT):?
  {% (d) => {
    const e: any = {};
    if (d[0] !== null) e.timestamp = d[0][0];
    e.name = d[1];
    e.parameters = d[2] === null ? [] : list(d[2][1], d[2][2]);
    return e;
  } %}
observedEventParameter -> StreamToken EQUAL UINT32        {% (d) => ({ kind: "stream", streamId: d[2] }) %}
  | parameterName parmValue
  {% (d, _l, reject) => (OBSERVED_KEYWORDS.has(d[0].toUpperCase()) ? reject : property(d[0], d[1])) %}
# TimeStamp = Date "T" Time; Date = 8(DIGIT); Time = 8(DIGIT)
TimeStamp -> [0-9] [0-9] [0-9] [0-9] [0-9] [0-9] [0-9] [0-9] [Tt] [0-9] [0-9] [0-9] [0-9] [0-9] [0-9] [0-9] [0-9] _
  {% (d) => text(d.slice(0, 17)) %}

statisticsDescriptor -> StatsToken LBRKT propertyParmOptional (COMMA propertyParmOptional):* RBRKT
  {% (d) => ({ kind: "statistics", statistics: list(d[2], d[3]) }) %}

packagesDescriptor -> PackagesToken LBRKT packagesItem (COMMA packagesItem):* RBRKT
  {% (d) => ({ kind: "packages", packages: list(d[2], d[3]) }) %}
packagesItem -> NAME "-" [0-9]:+ _
  {% (d, _l, reject) => (d[2].length > 5 ? reject : { name: d[0], version: Number(text(d[2])) }) %}

errorDescriptor -> ErrorToken EQUAL [0-9]:+ _ LBRKT quotedString:? RBRKT
  {% (d, _l, reject) => {
    if (d[2].length > 4) return reject;
    const e: any = { kind: "error", code: Number(text(d[2])) };
    if (d[5] !== null) e.text = d[5];
    return e;
  } %}

auditDescriptor -> AuditToken LBRKT RBRKT                 {% () => ({ kind: "audit", items: [] }) %}
  | AuditToken LBRKT auditItem (COMMA auditItem):* RBRKT   {% (d) => ({ kind: "audit", items: list(d[2], d[3]) }) %}
auditItem -> auditReturnToken                             {% (d) => ({ kind: "token", token: d[0] }) %}
  | mediaDescriptor {% id %} | eventsFull {% id %} | signalsFull {% id %} | digitMapDescriptor {% id %}
  | eventBufferFull {% id %} | statisticsDescriptor {% id %} | packagesDescriptor {% id %}
auditReturnToken -> MediaToken {% id %} | ModemToken {% id %} | MuxToken {% id %} | EventsToken {% id %}
  | SignalsToken {% id %} | DigitMapToken {% id %} | StatsToken {% id %} | ObservedEventsToken {% id %}
  | EventBufferToken {% id %} | PackagesToken {% id %}

serviceChangeDescriptor -> ServicesToken LBRKT serviceChangeParm (COMMA serviceChangeParm):* RBRKT
  {% (d) => ({ kind: "services", parms: list(d[2], d[3]) }) %}
serviceChangeParm -> MethodToken EQUAL serviceChangeMethod {% (d) => ({ kind: "method", method: d[2] }) %}
  | ReasonToken EQUAL VALUE                               {% (d) => ({ kind: "reason", reason: d[2] }) %}
  | DelayToken EQUAL UINT32                               {% (d) => ({ kind: "delay", delay: d[2] }) %}
  | ServiceChangeAddressToken EQUAL [0-9]:+ _
  {% (d, _l, reject) => (d[2].length > 5 || Number(text(d[2])) > 65535 ? reject : { kind: "address", address: Number(text(d[2])) }) %}
  | ServiceChangeAddressToken EQUAL mId _                 {% (d) => ({ kind: "address", address: d[2] }) %}
  | ProfileToken EQUAL [A-Za-z] [A-Za-z0-9_\-]:* "/" [0-9] [0-9]:? _
  {% (d, _l, reject) => (d[3].length > 63 ? reject : { kind: "profile", profile: d[2] + text(d[3]) + "/" + d[5] + (d[6] ?? "") }) %}
  | VersionToken EQUAL [0-9] [0-9]:? _                    {% (d) => ({ kind: "version", version: Number(d[2] + (d[3] ?? "")) }) %}
  | MgcIdToken EQUAL mId _                                {% (d) => ({ kind: "mgcId", mId: d[2] }) %}
  | ServiceChangeIncToken                                 {% () => ({ kind: "incomplete" }) %}
  | TimeStamp                                             {% (d) => ({ kind: "timestamp", timestamp: d[0] }) %}
  | [Xx] [\-+] [A-Za-z0-9]:+ _ parmValue
  {% (d, _l, reject) => (d[2].length > 6 ? reject : property(d[0] + d[1] + text(d[2]), d[4])) %}
serviceChangeMethod -> FailoverToken {% id %} | ForcedToken {% id %} | GracefulToken {% id %}
  | RestartToken {% id %} | DisconnectedToken {% id %} | HandOffToken {% id %}

# ---- words -------------------------------------------------------------------------------------------------------

# NAME = ALPHA *63(ALPHA / DIGIT / "_")
NAME -> [A-Za-z] [A-Za-z0-9_]:*                           {% (d, _l, reject) => (d[1].length > 63 ? reject : d[0] + text(d[1])) %}
# pkgdName = (NAME / "*") SLASH (NAME / "*")
pkgdName -> (NAME | "*") "/" (NAME | "*") _               {% (d) => d[0][0] + "/" + d[2][0] %}
parameterName -> NAME _ {% id %} | pkgdName {% id %}
# VALUE = quotedString / 1*(SafeChar)
VALUE -> quotedString {% id %} | SafeChar:+ _             {% (d) => text(d[0]) %}
SafeChar -> [A-Za-z0-9+\-&!_/'?@^`~*$\\()%|.]
quotedString -> "\"" [^"\r\n]:* "\"" _                    {% (d) => text(d[1]) %}
uint32 -> [0-9]:+                                          {% (d, _l, reject) => (d[0].length > 10 || Number(text(d[0])) > 0xffffffff ? reject : Number(text(d[0]))) %}
uint16 -> [0-9]:+                                          {% (d, _l, reject) => (d[0].length > 5 || Number(text(d[0])) > 65535 ? reject : Number(text(d[0]))) %}
UINT32 -> uint32 _                                        {% id %}

# ---- punctuation and white space (each consumes the LWSP after it) ------------------------------------------------
EQUAL -> "=" _
LBRKT -> "{" _
RBRKT -> "}" _
LSBRKT -> "[" _
RSBRKT -> "]" _
COMMA -> "," _
SEP -> ([ \t\r\n] | COMMENT) _
_ -> ([ \t\r\n] | COMMENT):*                              {% () => null %}
COMMENT -> ";" [^\r\n]:* [\r\n]

# ---- tokens (B.2: long / short form) ------------------------------------------------------------------------------
AddToken -> ("Add"i | "A"i) _                             {% kw("Add") %}
AuditToken -> ("Audit"i | "AT"i) _                        {% kw("Audit") %}
AuditCapToken -> ("AuditCapability"i | "AC"i) _           {% kw("AuditCapability") %}
AuditValueToken -> ("AuditValue"i | "AV"i) _              {% kw("AuditValue") %}
BothToken -> ("Both"i | "B"i) _                           {% kw("Both") %}
BothwayToken -> ("Bothway"i | "BW"i) _                    {% kw("Bothway") %}
BriefToken -> ("Brief"i | "BR"i) _                        {% kw("Brief") %}
BufferToken -> ("Buffer"i | "BF"i) _                      {% kw("Buffer") %}
CtxToken -> ("Context"i | "C"i) _                         {% kw("Context") %}
ContextAuditToken -> ("ContextAudit"i | "CA"i) _          {% kw("ContextAudit") %}
ContextAttrToken -> ("ContextAttr"i | "CT"i) _            {% kw("ContextAttr") %}
ContextListToken -> ("ContextList"i | "CLT"i) _           {% kw("ContextList") %}
DigitMapToken -> ("DigitMap"i | "DM"i) _                  {% kw("DigitMap") %}
DirectionToken -> ("SPADirection"i | "SPADI"i | "Direction"i | "DI"i) _ {% kw("SPADirection") %}
DisconnectedToken -> ("Disconnected"i | "DC"i) _          {% kw("Disconnected") %}
DelayToken -> ("Delay"i | "DL"i) _                        {% kw("Delay") %}
DurationToken -> ("Duration"i | "DR"i) _                  {% kw("Duration") %}
EmbedToken -> ("Embed"i | "EM"i) _                        {% kw("Embed") %}
EmergencyToken -> ("Emergency"i | "EG"i) _                {% kw("Emergency") %}
EmergencyOffToken -> ("EmergencyOff"i | "EmergencyOffToken"i | "EGO"i) _ {% kw("EmergencyOff") %}
EmergencyValueToken -> ("EmergencyValue"i | "EGV"i) _     {% kw("EmergencyValue") %}
ErrorToken -> ("Error"i | "ER"i) _                        {% kw("Error") %}
EventBufferToken -> ("EventBuffer"i | "EB"i) _            {% kw("EventBuffer") %}
EventsToken -> ("Events"i | "E"i) _                       {% kw("Events") %}
ExternalToken -> ("External"i | "EX"i) _                  {% kw("External") %}
FailoverToken -> ("Failover"i | "FL"i) _                  {% kw("Failover") %}
ForcedToken -> ("Forced"i | "FO"i) _                      {% kw("Forced") %}
GracefulToken -> ("Graceful"i | "GR"i) _                  {% kw("Graceful") %}
HandOffToken -> ("HandOff"i | "HO"i) _                    {% kw("HandOff") %}
IEPSToken -> ("IEPSCall"i | "IEPS"i) _                    {% kw("IEPSCall") %}
ImmAckRequiredToken -> ("ImmAckRequired"i | "IA"i) _      {% kw("ImmAckRequired") %}
InactiveToken -> ("Inactive"i | "IN"i) _                  {% kw("Inactive") %}
InternalToken -> ("Internal"i | "IT"i) _                  {% kw("Internal") %}
IntsigDelayToken -> ("Intersignal"i | "SPAIS"i) _         {% kw("Intersignal") %}
InterruptByEventToken -> ("IntByEvent"i | "IBE"i) _       {% kw("IntByEvent") %}
InterruptByNewSignalsDescrToken -> ("IntBySigDescr"i | "IBS"i) _ {% kw("IntBySigDescr") %}
IsolateToken -> ("Isolate"i | "IS"i) _                    {% kw("Isolate") %}
InSvcToken -> ("InService"i | "IV"i) _                    {% kw("InService") %}
IterationToken -> ("Iteration"i | "IR"i) _                {% kw("Iteration") %}
KeepActiveToken -> ("KeepActive"i | "KA"i) _              {% kw("KeepActive") %}
LocalToken -> ("Local"i | "L"i) _                         {% kw("Local") %}
LocalControlToken -> ("LocalControl"i | "O"i) _           {% kw("LocalControl") %}
LockStepToken -> ("LockStep"i | "SP"i) _                  {% kw("LockStep") %}
LoopbackToken -> ("Loopback"i | "LB"i) _                  {% kw("Loopback") %}
MediaToken -> ("Media"i | "M"i) _                         {% kw("Media") %}
MessageSegmentToken -> ("Segment"i | "SM"i) _             {% kw("Segment") %}
MethodToken -> ("Method"i | "MT"i) _                      {% kw("Method") %}
MgcIdToken -> ("MgcIdToTry"i | "MG"i) _                   {% kw("MgcIdToTry") %}
ModeToken -> ("Mode"i | "MO"i) _                          {% kw("Mode") %}
ModifyToken -> ("Modify"i | "MF"i) _                      {% kw("Modify") %}
ModemToken -> ("Modem"i | "MD"i) _                        {% kw("Modem") %}
MoveToken -> ("Move"i | "MV"i) _                          {% kw("Move") %}
MuxToken -> ("Mux"i | "MX"i) _                            {% kw("Mux") %}
NeverNotifyToken -> ("NeverNotify"i | "NBNN"i) _          {% kw("NeverNotify") %}
NotifyToken -> ("Notify"i | "N"i) _                       {% kw("Notify") %}
NotifyCompletionToken -> ("NotifyCompletion"i | "NC"i) _  {% kw("NotifyCompletion") %}
NotifyImmediateToken -> ("ImmediateNotify"i | "NBIN"i) _  {% kw("ImmediateNotify") %}
NotifyRegulatedToken -> ("RegulatedNotify"i | "NBRN"i) _  {% kw("RegulatedNotify") %}
ObservedEventsToken -> ("ObservedEvents"i | "OE"i) _      {% kw("ObservedEvents") %}
OffToken -> "OFF"i _                                      {% () => false %}
OnToken -> "ON"i _                                        {% () => true %}
OnewayToken -> ("Oneway"i | "OW"i) _                      {% kw("Oneway") %}
OnewayBothToken -> ("OnewayBoth"i | "OWB"i) _             {% kw("OnewayBoth") %}
OnewayExternalToken -> ("OnewayExternal"i | "OWE"i) _     {% kw("OnewayExternal") %}
OnOffToken -> ("OnOff"i | "OO"i) _                        {% kw("OnOff") %}
OtherReasonToken -> ("OtherReason"i | "OR"i) _            {% kw("OtherReason") %}
OutOfSvcToken -> ("OutOfService"i | "OS"i) _              {% kw("OutOfService") %}
PackagesToken -> ("Packages"i | "PG"i) _                  {% kw("Packages") %}
PendingToken -> ("Pending"i | "PN"i) _                    {% kw("Pending") %}
PriorityToken -> ("Priority"i | "PR"i) _                  {% kw("Priority") %}
ProfileToken -> ("Profile"i | "PF"i) _                    {% kw("Profile") %}
ReasonToken -> ("Reason"i | "RE"i) _                      {% kw("Reason") %}
RecvonlyToken -> ("ReceiveOnly"i | "RC"i) _               {% kw("ReceiveOnly") %}
ReplyToken -> ("Reply"i | "P"i) _                         {% kw("Reply") %}
ResetEventsDescriptorToken -> ("ResetEventsDescriptor"i | "RSE"i) _ {% kw("ResetEventsDescriptor") %}
RestartToken -> ("Restart"i | "RS"i) _                    {% kw("Restart") %}
RemoteToken -> ("Remote"i | "R"i) _                       {% kw("Remote") %}
RequestIDToken -> ("SPARequestID"i | "SPARQ"i | "RequestID"i | "RQ"i) _ {% kw("SPARequestID") %}
ReservedGroupToken -> ("ReservedGroup"i | "RG"i) _        {% kw("ReservedGroup") %}
ReservedValueToken -> ("ReservedValue"i | "RV"i) _        {% kw("ReservedValue") %}
SendonlyToken -> ("SendOnly"i | "SO"i) _                  {% kw("SendOnly") %}
SendrecvToken -> ("SendReceive"i | "SR"i) _               {% kw("SendReceive") %}
ServicesToken -> ("Services"i | "SV"i) _                  {% kw("Services") %}
ServiceStatesToken -> ("ServiceStates"i | "SI"i) _        {% kw("ServiceStates") %}
ServiceChangeToken -> ("ServiceChange"i | "SC"i) _        {% kw("ServiceChange") %}
ServiceChangeAddressToken -> ("ServiceChangeAddress"i | "AD"i) _ {% kw("ServiceChangeAddress") %}
ServiceChangeIncToken -> ("ServiceChangeInc"i | "SIC"i) _ {% kw("ServiceChangeInc") %}
SignalListToken -> ("SignalList"i | "SL"i) _              {% kw("SignalList") %}
SignalsToken -> ("Signals"i | "SG"i) _                    {% kw("Signals") %}
SignalTypeToken -> ("SignalType"i | "SY"i) _              {% kw("SignalType") %}
StatsToken -> ("Statistics"i | "SA"i) _                   {% kw("Statistics") %}
StreamToken -> ("Stream"i | "ST"i) _                      {% kw("Stream") %}
SubtractToken -> ("Subtract"i | "S"i) _                   {% kw("Subtract") %}
TerminationStateToken -> ("TerminationState"i | "TS"i) _  {% kw("TerminationState") %}
TestToken -> ("Test"i | "TE"i) _                          {% kw("Test") %}
TimeOutToken -> ("TimeOut"i | "TO"i) _                    {% kw("TimeOut") %}
TopologyToken -> ("Topology"i | "TP"i) _                  {% kw("Topology") %}
TransToken -> ("Transaction"i | "T"i) _                   {% kw("Transaction") %}
ResponseAckToken -> ("TransactionResponseAck"i | "K"i) _  {% kw("TransactionResponseAck") %}
VersionToken -> ("Version"i | "V"i) _                     {% kw("Version") %}
