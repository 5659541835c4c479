// A SipTransport that keeps the runtime audit trail: every SIP message a node sends or receives goes into the
// call's trace (by Call-ID), a sent one with the rule and clause ids the executor annotated it with. The same
// request object sent again is a retransmission: counted, not traced twice.
import { callIdOf, cseqOf, headerValue } from "../sip/messages/header-access.ts";
import type { SipMessage, SipRequest, SipResponse } from "../sip/messages/message.ts";
import { serializeMessage } from "../sip/messages/serialize-message.ts";
import type {
  Destination,
  Flow,
  InboundHandler,
  Outgoing,
  SipTransport,
  TransportErrorListener,
  TransportName,
} from "../sip/transport/transport.ts";
import { ownStrings } from "../store/own-strings.ts";
import type { CallTraces, RecordedEntry, TracedField, WireAddresses } from "../trace/call-trace.ts";

/** What the executor says of a message it built from a plan. */
export interface PlanAnnotation {
  rule: string;
  trace: string[];
  /** The sent fields, or a function listing them when the trace is read. */
  fields?: TracedField[] | (() => TracedField[]);
}

/** A base whose constructor returns the object it is given, so a subclass's private fields land on that object. */
class Stamped {
  constructor(target: object) {
    // biome-ignore lint/correctness/noConstructorReturn: stamping private fields onto an existing object is the point
    return target;
  }
}

/**
 * What the tracer keeps on a message it handles: the plan annotation, and whether it was traced already (the
 * same object sent again is a retransmission). Private fields stamped onto the message, not a WeakMap and a
 * WeakSet: those cost about 1.5 µs a message (inserts, and their ephemeron tables at each GC); a private field is
 * an ordinary hidden property, invisible to JSON, structuredClone and test equality.
 */
class TraceMarks extends Stamped {
  #note: PlanAnnotation | undefined;
  /** The tracer that traced it (each TracedTransport counts its own retransmissions). */
  #tracedBy: object | undefined;

  private static stamp(message: SipMessage): void {
    if (!(#note in message)) new TraceMarks(message);
  }

  static annotate(message: SipMessage, note: PlanAnnotation): void {
    TraceMarks.stamp(message);
    (message as unknown as TraceMarks).#note = note;
  }

  static noteOf(message: SipMessage): PlanAnnotation | undefined {
    return #note in message ? (message as unknown as TraceMarks).#note : undefined;
  }

  /** Marks the message traced by `tracer`; false if it was already (a retransmission). */
  static firstTracing(message: SipMessage, tracer: object): boolean {
    TraceMarks.stamp(message);
    const marked = message as unknown as TraceMarks;
    if (marked.#tracedBy === tracer) return false;
    marked.#tracedBy = tracer;
    return true;
  }
}

export function annotate(message: SipMessage, annotation: PlanAnnotation): void {
  TraceMarks.annotate(message, annotation);
}

/** The URI of a From or To value (in angle brackets, or up to its parameters). */
function uriOf(value: string): string {
  return /<([^>]*)>/.exec(value)?.[1] ?? value.split(";")[0].trim();
}

function partiesOf(message: SipMessage): { from: string; to: string } | undefined {
  const from = headerValue(message, "From");
  const to = headerValue(message, "To");
  return from === undefined || to === undefined ? undefined : { from: uriOf(from), to: uriOf(to) };
}

export function labelOf(m: SipMessage): string {
  if (m.kind === "request") return m.method;
  const method = cseqOf(m)?.method;
  return `${m.status} ${m.reason}${method ? ` (${method})` : ""}`;
}

/** A peer's column name, and the ends of the last message to and from it (one object for all its messages). */
interface Peer {
  name: string;
  /** A request sent to it (our socket's sent-by, its address). */
  sent?: WireAddresses;
  /** A message received from it, or a response sent back on that flow. */
  received?: WireAddresses;
  answered?: WireAddresses;
}

/**
 * Peers remembered by address and port: every traced message names its peer and the ends it crossed, and a node
 * talks to few, so the name and the ends are built once rather than per message. Bounded: many sources only cost
 * the memo its contents.
 */
class Peers {
  private readonly byAddress = new Map<string, Map<number, Peer>>();
  private size = 0;

  constructor(
    private readonly name: (address: string, port: number) => string,
    private readonly max = 4096,
  ) {}

  of(address: string, port: number): Peer {
    let ports = this.byAddress.get(address);
    let known = ports?.get(port);
    if (known !== undefined) return known;
    if (this.size >= this.max) {
      this.byAddress.clear();
      this.size = 0;
      ports = undefined;
    }
    if (ports === undefined) {
      ports = new Map();
      // A copy of its own: the address may be cut from a parsed message (a Route, a Via), whose text it would hold.
      this.byAddress.set(ownStrings(address), ports);
    }
    known = { name: this.name(address, port) };
    ports.set(port, known);
    this.size++;
    return known;
  }
}

/** `wire` if it is these ends (shared by every message between them: nobody writes to a WireAddresses). */
const same = (wire: WireAddresses | undefined, transport: string, src: Address, dst: Address) =>
  wire !== undefined &&
  wire.transport === transport &&
  wire.src.address === src.address &&
  wire.src.port === src.port &&
  wire.dst.address === dst.address &&
  wire.dst.port === dst.port;

type Address = WireAddresses["src"];

/** An Outgoing whose every sending again counts as a retransmission. */
class CountedRetransmissions implements Outgoing {
  constructor(
    private readonly inner: Outgoing,
    private readonly counted: () => void,
  ) {}

  again(): void {
    this.counted();
    this.inner.again();
  }
}

export class TracedTransport implements SipTransport {
  private readonly peers: Peers;

  /** Inbound messages pass this first; a refused one goes to `refuse` and no further (admission control). */
  admit: ((message: SipMessage, flow: Flow) => boolean) | undefined;
  refuse: (message: SipMessage, flow: Flow) => void = () => {};

  constructor(
    private readonly inner: SipTransport,
    private readonly traces: CallTraces,
    /** The node's own column in a ladder ("S-CSCF"). */
    private readonly self: string,
    /** A peer's column: a configured name for the address, else address:port. */
    party: (address: string, port: number) => string,
    private readonly onRetransmission: () => void = () => {},
    /** Keep each message for its text (written when the trace is read with it, or captured). */
    private readonly keepMessages = true,
    /** Every message sent or received, once, with the ends it crossed (HEP mirroring). */
    private readonly mirror?: (message: SipMessage, wire: WireAddresses, callId: string | undefined) => void,
  ) {
    this.peers = new Peers(party);
  }

  get counters() {
    return this.inner.counters;
  }

  onMessage(handler: InboundHandler): void {
    this.inner.onMessage((message, flow) => {
      if (this.admit && !this.admit(message, flow)) return this.refuse(message, flow);
      const peer = this.peers.of(flow.remote.address, flow.remote.port);
      if (!same(peer.received, flow.transport, flow.remote, flow.local))
        peer.received = { transport: flow.transport, src: { ...flow.remote }, dst: { ...flow.local } };
      this.record(message, "received", peer.name, peer.received as WireAddresses);
      handler(message, flow);
    });
  }

  send(message: SipRequest | SipResponse, to: Destination): Promise<void> {
    const peer = this.peers.of(to.address, to.port);
    this.outbound(message, peer.name, this.wireTo(peer, to));
    return this.inner.send(message, to);
  }

  sendRetransmittable(request: SipRequest, to: Destination, listener: TransportErrorListener): Outgoing {
    // Traced once; each sending again is a retransmission (counted, not traced).
    const peer = this.peers.of(to.address, to.port);
    this.record(request, "sent", peer.name, this.wireTo(peer, to));
    return new CountedRetransmissions(this.inner.sendRetransmittable(request, to, listener), this.onRetransmission);
  }

  sendResponse(response: SipResponse, flow: Flow): Promise<void> {
    const peer = this.peers.of(flow.remote.address, flow.remote.port);
    if (!same(peer.answered, flow.transport, flow.local, flow.remote))
      peer.answered = { transport: flow.transport, src: { ...flow.local }, dst: { ...flow.remote } };
    this.outbound(response, peer.name, peer.answered as WireAddresses);
    return this.inner.sendResponse(response, flow);
  }

  sentBy(transport: TransportName, family?: 4 | 6): { host: string; port: number } {
    return this.inner.sentBy(transport, family);
  }

  isReliable(transport: TransportName): boolean {
    return this.inner.isReliable(transport);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private outbound(message: SipMessage, peer: string, wire: WireAddresses): void {
    if (!TraceMarks.firstTracing(message, this)) {
      this.onRetransmission();
      return;
    }
    this.record(message, "sent", peer, wire);
  }

  /** Our side of a request sent to `to`: the address our socket for that transport and family sends from. */
  private wireTo(peer: Peer, to: Destination): WireAddresses {
    const local = this.inner.sentBy(to.transport, to.address.includes(":") ? 6 : 4);
    const src = { address: local.host, port: local.port };
    if (same(peer.sent, to.transport, src, to)) return peer.sent as WireAddresses;
    // The next hop's address may be cut from a parsed message (a Route, a Via): a copy of its own, or the trace
    // would hold that message's whole text for as long as it keeps the call.
    peer.sent = { transport: to.transport, src, dst: { address: ownStrings(to.address), port: to.port } };
    return peer.sent;
  }

  private record(message: SipMessage, direction: "sent" | "received", peer: string, wire: WireAddresses): void {
    const callId = callIdOf(message);
    this.mirror?.(message, wire, callId);
    if (callId === undefined) return;
    const note = direction === "sent" ? TraceMarks.noteOf(message) : undefined;
    const entry: RecordedEntry = {
      protocol: "SIP",
      direction,
      from: direction === "sent" ? this.self : peer,
      to: direction === "sent" ? peer : this.self,
      label: labelOf(message),
      wire,
    };
    if (this.keepMessages) entry.raw = () => serializeMessage(message).toString("utf8");
    // Read only for a call's first request (the trace keeps one pair a call).
    if (message.kind === "request") entry.parties = () => partiesOf(message);
    if (note) {
      entry.rule = note.rule;
      entry.trace = note.trace;
      if (note.fields) entry.fields = note.fields;
    }
    this.traces.record(callId, entry);
  }
}
