// The transport layer's contract with the transaction layer (RFC 3261 §18): the transport owns the sockets;
// above it, messages travel with the flow they came on, and responses go where §18.2.2 says.
import type { SipMessage, SipRequest, SipResponse } from "../messages/message.ts";

export type TransportName = "UDP" | "TCP";

/** Where a message came from or goes to. `connection` names the TCP connection that carried it. */
export interface Flow {
  transport: TransportName;
  local: { address: string; port: number };
  remote: { address: string; port: number };
  connection?: number;
}

/** A next hop for a request: transport, IP address and port (name resolution is the caller's, RFC 3263). */
export interface Destination {
  transport: TransportName;
  address: string;
  port: number;
}

export interface TransportCounters {
  received: number;
  sent: number;
  /** malformed requests answered 400/505/513 */
  malformedAnswered: number;
  /** malformed messages dropped (no response could be formed, or a response) */
  malformedDropped: number;
  /** CRLF keepalives (RFC 5626 §3.5.1) */
  keepalives: number;
  sendErrors: number;
  /** datagrams dropped because the node was not reading them as fast as they came (the UDP I/O thread's queue) */
  overloadDropped: number;
}

/** A request on its way that can go again as the same bytes, so a client transaction keeps this, not the message. */
export interface Outgoing {
  /** Sends the same bytes again: a retransmission (Timer E, §17.1.2.2) is the request unchanged. */
  again(): void;
}

/** Who hears of a transport error on a request it sent (RFC 3261 §8.1.3.1, §17.1.4). */
export interface TransportErrorListener {
  transportError(error: unknown): void;
}

export type InboundHandler = (message: SipMessage, flow: Flow) => void;

/** What the transaction layer needs from the transport layer. */
export interface SipTransport {
  /** Registers the receiver of every well-formed inbound message (requests already stamped per §18.2.1). */
  onMessage(handler: InboundHandler): void;
  /** Sends a request (or an ACK, or a stateless response) to a destination. */
  send(message: SipRequest | SipResponse, to: Destination): Promise<void>;
  /**
   * Sends a request that a client transaction may retransmit: the bytes are made once, for every sending, and a
   * transport error on any sending goes to `listener`.
   */
  sendRetransmittable(request: SipRequest, to: Destination, listener: TransportErrorListener): Outgoing;
  /** Sends a response to the request that arrived on `flow`, per RFC 3261 §18.2.2 and RFC 3581. */
  sendResponse(response: SipResponse, flow: Flow): Promise<void>;
  /** The sent-by this element puts in its Via for a transport and address family. */
  sentBy(transport: TransportName, family?: 4 | 6): { host: string; port: number };
  isReliable(transport: TransportName): boolean;
  readonly counters: TransportCounters;
  close(): Promise<void>;
}
