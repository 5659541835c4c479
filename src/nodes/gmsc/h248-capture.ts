// The H.248 datagrams between the GMSC's MGC and its MGW, as they crossed the wire: copied to the node's HEP3
// mirror (Homer) with both ends, and joined to the call's trace, so a call's capture (pcap) holds its Add, Modify
// and Subtract and their replies beside its SIP. The trace entry of a request is the last one the media gateway
// recorded before the datagram went out; a reply belongs to the call its request's TransactionId was sent for.

import type { H248Peer } from "../../h248/mgc.ts";
import type { CallTraces, RecordedEntry, WireAddresses } from "../../trace/call-trace.ts";
import type { HepMirror } from "../../trace/hep.ts";

const requestId = /\b(?:T|Transaction)\s*=\s*(\d+)/;
const replyId = /\b(?:P|Reply)\s*=\s*(\d+)/;

const sameEnd = (a: H248Peer, b: H248Peer) => a.address === b.address && a.port === b.port;

/** Every H.248 datagram copied to the HEP mirror and joined to the call traces. */
export class H248Capture {
  /** The last H.248 request entry recorded and not yet seen on the wire. */
  private awaitingSend?: RecordedEntry;
  private pendingCall?: string;
  /** TransactionId → the call it was sent for (bounded: the oldest go first). */
  private readonly callOf = new Map<string, string>();
  /** A reply seen on the wire, waiting for the media gateway to record it. */
  private readonly replies = new Map<string, { raw: string; wire: WireAddresses }>();

  constructor(private readonly hep?: HepMirror) {}

  /** A recorder for the media gateway: the call traces, with each H.248 entry joined to its datagram. */
  recorder(traces: CallTraces): Pick<CallTraces, "record"> {
    return {
      record: (callId, entry) => {
        if (entry.protocol === "H.248" && entry.direction === "sent") {
          this.awaitingSend = entry;
          this.pendingCall = callId;
        } else if (entry.protocol === "H.248") {
          const reply = this.replies.get(callId);
          if (reply) {
            entry.raw = reply.raw;
            entry.wire = reply.wire;
            this.replies.delete(callId);
          }
        }
        traces.record(callId, entry);
      },
    };
  }

  /** The ends of the last datagram each way: the MGC talks to one MGW, so every entry shares one pair (read-only). */
  private sentWire?: WireAddresses;
  private receivedWire?: WireAddresses;

  private wireOf(direction: "sent" | "received", local: H248Peer, peer: H248Peer): WireAddresses {
    const [src, dst] = direction === "sent" ? [local, peer] : [peer, local];
    const last = direction === "sent" ? this.sentWire : this.receivedWire;
    if (last && sameEnd(last.src, src) && sameEnd(last.dst, dst)) return last;
    const wire: WireAddresses = { transport: "UDP", src: { ...src }, dst: { ...dst } };
    if (direction === "sent") this.sentWire = wire;
    else this.receivedWire = wire;
    return wire;
  }

  /** The MGC transport's tap: every datagram, sent or received. */
  readonly tap = (direction: "sent" | "received", text: string, local: H248Peer, peer: H248Peer): void => {
    const wire = this.wireOf(direction, local, peer);
    this.hep?.mirror({ time: Date.now(), wire, protocol: "H.248", payload: Buffer.from(text, "utf8") });
    if (direction === "sent") {
      const id = requestId.exec(text)?.[1];
      if (this.awaitingSend && this.pendingCall !== undefined && id !== undefined && !this.callOf.has(id)) {
        this.awaitingSend.raw = text;
        this.awaitingSend.wire = wire;
        this.callOf.set(id, this.pendingCall);
        if (this.callOf.size > 4096) this.callOf.delete(this.callOf.keys().next().value as string);
        this.awaitingSend = undefined;
      }
      return;
    }
    const id = replyId.exec(text)?.[1];
    const callId = id === undefined ? undefined : this.callOf.get(id);
    if (callId !== undefined) {
      this.replies.set(callId, { raw: text, wire });
      this.callOf.delete(id as string);
    }
  };
}
