// The H.248.1 message model (clause 7 descriptors, clause 8 transactions, Annex B text), as the codec decodes it.
// Why ordered item lists rather than records: the text encoding lets parameters come in any order and repeat
// (Annex B), so a list keeps what was sent; tokens are canonical (the long form of Annex B), so a message written
// with short tokens decodes to the same model as the same message written with long ones.

export type ContextId = number | "$" | "-" | "*";
/** A TerminationID as written: ROOT, "$" (CHOOSE), "*" (ALL), or a pathNAME such as ip/1/1/3 or a/b/* . */
export type TerminationId = string;

/** mId (Annex B): the sender's identity in the message header. */
export type MId =
  | { kind: "ip4"; address: string; port?: number }
  | { kind: "ip6"; address: string; port?: number }
  | { kind: "domain"; name: string; port?: number }
  | { kind: "device"; name: string }
  | { kind: "mtp"; address: string };

export interface Message {
  /** Protocol version of the header, MEGACO/1 … MEGACO/3. */
  version: number;
  mId: MId;
  body: MessageBody;
}

export type MessageBody =
  | { kind: "transactions"; transactions: Transaction[] }
  | { kind: "error"; error: ErrorDescriptor };

export type Transaction =
  | TransactionRequest
  | TransactionReply
  | TransactionPending
  | TransactionResponseAck
  | SegmentReply;

export interface TransactionRequest {
  kind: "request";
  transactionId: number;
  actions: ActionRequest[];
}

/** A reply carries either an error for the whole transaction or one ActionReply per context. */
export interface TransactionReply {
  kind: "reply";
  transactionId: number;
  /** H.248.1 v3 segmentation (clause 8.1.1): segment number and whether it is the last segment. */
  segmentNumber?: number;
  segmentationComplete?: true;
  immAckRequired?: true;
  error?: ErrorDescriptor;
  actions: ActionReply[];
}

export interface TransactionPending {
  kind: "pending";
  transactionId: number;
}

export interface TransactionAckRange {
  first: number;
  last?: number;
}

export interface TransactionResponseAck {
  kind: "responseAck";
  ranges: TransactionAckRange[];
}

export interface SegmentReply {
  kind: "segmentReply";
  transactionId: number;
  segmentNumber: number;
  segmentationComplete?: true;
}

export interface ActionRequest {
  contextId: ContextId;
  properties: ContextProperty[];
  audit?: ContextAuditItem[];
  commands: CommandRequest[];
}

export interface ActionReply {
  contextId: ContextId;
  properties: ContextProperty[];
  commands: CommandReply[];
  error?: ErrorDescriptor;
}

export type ContextProperty =
  | { kind: "topology"; triples: TopologyTriple[] }
  | { kind: "priority"; priority: number }
  | { kind: "emergency" }
  | { kind: "emergencyOff" }
  | { kind: "iepsCall"; on: boolean }
  | { kind: "contextAttr"; items: ContextAttrItem[] };

export type TopologyDirection = "Bothway" | "Isolate" | "Oneway";

export interface TopologyTriple {
  from: TerminationId;
  to: TerminationId;
  direction: TopologyDirection;
  /** v3 topologyDirectionExtension. */
  extension?: "OnewayExternal" | "OnewayBoth";
}

export type ContextAttrItem = PropertyParm | { kind: "contextList"; contextIds: number[] };

export type ContextAuditItem =
  | { kind: "token"; token: "Topology" | "Emergency" | "Priority" | "IEPSCall" }
  | { kind: "property"; name: string }
  | { kind: "priority"; priority: number }
  | { kind: "emergencyValue"; value: "Emergency" | "EmergencyOff" }
  | { kind: "iepsCall"; on: boolean }
  | { kind: "select"; logic: "and" | "or" };

export type CommandName =
  | "Add"
  | "Modify"
  | "Move"
  | "Subtract"
  | "AuditValue"
  | "AuditCapability"
  | "Notify"
  | "ServiceChange";

export interface CommandRequest {
  command: CommandName;
  terminationIds: TerminationId[];
  descriptors: Descriptor[];
  /** "O-": the MG may skip the command if it fails (clause 8.2.2). */
  optional?: true;
  /** "W-": one wildcarded reply instead of one per termination. */
  wildcardReply?: true;
}

export interface CommandReply {
  command: CommandName;
  terminationIds: TerminationId[];
  descriptors: Descriptor[];
}

export type Descriptor =
  | MediaDescriptor
  | EventsDescriptor
  | SignalsDescriptor
  | DigitMapDescriptor
  | EventBufferDescriptor
  | ObservedEventsDescriptor
  | StatisticsDescriptor
  | PackagesDescriptor
  | ErrorDescriptor
  | AuditDescriptor
  | ServicesDescriptor
  | AuditToken
  | LocalControlDescriptor
  | LocalDescriptor
  | RemoteDescriptor
  | TerminationStateDescriptor;

/** A descriptor named without contents: an audit item (AT{M,E}) or an empty audit return item (PG, SA). */
export interface AuditToken {
  kind: "token";
  token: AuditTokenName;
}

export type AuditTokenName =
  | "Media"
  | "Modem"
  | "Mux"
  | "Events"
  | "Signals"
  | "DigitMap"
  | "Statistics"
  | "ObservedEvents"
  | "EventBuffer"
  | "Packages";

export interface MediaDescriptor {
  kind: "media";
  items: MediaItem[];
}

export type MediaItem = StreamParm | StreamDescriptor | TerminationStateDescriptor;

export interface StreamDescriptor {
  kind: "stream";
  streamId: number;
  parms: StreamParm[];
}

export type StreamParm = LocalControlDescriptor | LocalDescriptor | RemoteDescriptor | StatisticsDescriptor;

/** Local / Remote: SDP carried as text (Annex B octetString); lines end in CRLF, blank lines dropped. */
export interface LocalDescriptor {
  kind: "local";
  sdp: string;
}

export interface RemoteDescriptor {
  kind: "remote";
  sdp: string;
}

export type StreamMode = "SendOnly" | "ReceiveOnly" | "SendReceive" | "Inactive" | "Loopback";

export interface LocalControlDescriptor {
  kind: "localControl";
  items: LocalControlItem[];
}

/** A value may be missing in audit requests (AT{M{O{MO}}}). */
export type LocalControlItem =
  | { kind: "mode"; mode?: StreamMode }
  | { kind: "reservedValue"; on?: boolean }
  | { kind: "reservedGroup"; on?: boolean }
  | PropertyParm;

export interface TerminationStateDescriptor {
  kind: "terminationState";
  items: TerminationStateItem[];
}

export type TerminationStateItem =
  | { kind: "serviceStates"; state?: "Test" | "OutOfService" | "InService" }
  | { kind: "buffer"; control?: "OFF" | "LockStep" }
  | PropertyParm;

export interface PropertyParm {
  kind: "property";
  /** pkgdName (e.g. tdmc/gain) or, inside events and signals, a parameter NAME; as written. */
  name: string;
  value?: PropertyValue;
}

export type PropertyValue =
  | { kind: "equal"; value: string }
  | { kind: "inequal"; op: ">" | "<" | "#"; value: string }
  | { kind: "all"; values: string[] }
  | { kind: "oneOf"; values: string[] }
  | { kind: "range"; low: string; high: string };

export interface EventsDescriptor {
  kind: "events";
  /** Missing for "Events" with no list (clears the requested events). */
  requestId?: number;
  events: RequestedEvent[];
}

export interface RequestedEvent {
  name: string;
  parameters: EventParameter[];
}

export interface Embed {
  signals?: SignalsDescriptor;
  events?: EventsDescriptor;
}

export type EventParameter =
  | { kind: "stream"; streamId: number }
  | { kind: "keepActive" }
  | { kind: "digitMap"; name?: string; value?: DigitMapValue }
  | ({ kind: "embed" } & Embed)
  | { kind: "notifyBehaviour"; behaviour: "ImmediateNotify" | "NeverNotify" | "RegulatedNotify"; embed?: Embed }
  | { kind: "resetEventsDescriptor" }
  | PropertyParm;

export interface SignalsDescriptor {
  kind: "signals";
  signals: SignalParm[];
}

export type SignalParm = SignalRequest | { kind: "signalList"; listId: number; signals: SignalRequest[] };

export interface SignalRequest {
  kind: "signal";
  name: string;
  parameters: SignalParameter[];
}

export type NotifyCompletionReason = "TimeOut" | "IntByEvent" | "IntBySigDescr" | "OtherReason" | "Iteration";

export type SignalParameter =
  | { kind: "stream"; streamId: number }
  | { kind: "signalType"; type: "OnOff" | "TimeOut" | "Brief" }
  | { kind: "duration"; duration: number }
  | { kind: "notifyCompletion"; reasons: NotifyCompletionReason[] }
  | { kind: "keepActive" }
  | { kind: "direction"; direction: "External" | "Internal" | "Both" }
  | { kind: "requestId"; requestId: number }
  | { kind: "intersignalDelay"; delay: number }
  | PropertyParm;

export interface DigitMapValue {
  start?: number;
  short?: number;
  long?: number;
  duration?: number;
  /** The digit map itself, e.g. "(0s|00s|[1-7]xxx)", as written without surrounding white space. */
  body: string;
}

export interface DigitMapDescriptor {
  kind: "digitMap";
  name?: string;
  value?: DigitMapValue;
}

export interface EventBufferDescriptor {
  kind: "eventBuffer";
  events: RequestedEvent[];
}

export interface ObservedEventsDescriptor {
  kind: "observedEvents";
  requestId: number;
  events: ObservedEvent[];
}

export interface ObservedEvent {
  /** Annex B TimeStamp "yyyymmddThhmmssss", when given. */
  timestamp?: string;
  name: string;
  parameters: Array<{ kind: "stream"; streamId: number } | PropertyParm>;
}

export interface StatisticsDescriptor {
  kind: "statistics";
  statistics: PropertyParm[];
}

export interface PackagesDescriptor {
  kind: "packages";
  packages: Array<{ name: string; version: number }>;
}

export interface ErrorDescriptor {
  kind: "error";
  code: number;
  text?: string;
}

export interface AuditDescriptor {
  kind: "audit";
  items: Descriptor[];
}

export type ServiceChangeMethod = "Failover" | "Forced" | "Graceful" | "Restart" | "Disconnected" | "HandOff";

export interface ServicesDescriptor {
  kind: "services";
  parms: ServiceChangeParm[];
}

export type ServiceChangeParm =
  | { kind: "method"; method: ServiceChangeMethod }
  | { kind: "reason"; reason: string }
  | { kind: "delay"; delay: number }
  | { kind: "address"; address: number | MId }
  | { kind: "profile"; profile: string }
  | { kind: "version"; version: number }
  | { kind: "mgcId"; mId: MId }
  | { kind: "timestamp"; timestamp: string }
  | { kind: "incomplete" }
  | PropertyParm;
