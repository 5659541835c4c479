// The SIP transport layer (RFC 3261 §18): owns UDP sockets and TCP listeners/connections on IPv4 and IPv6,
// frames and parses inbound messages, answers malformed requests with 400 when it can (else drops and counts),
// stamps received/rport (§18.2.1, RFC 3581), and sends responses where §18.2.2 says. Never throws from a socket.
import { lookup } from "node:dns/promises";
import { connect, createServer, type Server, type Socket } from "node:net";
import { bracketHost } from "../../net/host-port.ts";
import { respondToMalformed } from "../messages/bad-request.ts";
import { topVia } from "../messages/header-access.ts";
import type { SipRequest, SipResponse } from "../messages/message.ts";
import { parseMessage } from "../messages/parse-message.ts";
import { serializeMessage } from "../messages/serialize-message.ts";
import type { SipFault } from "../messages/sip-fault.ts";
import { responseTarget, stampReceived } from "./received-rport.ts";
import { StreamFramer, type StreamPhase } from "./stream-framer.ts";
import type {
  Destination,
  Flow,
  InboundHandler,
  Outgoing,
  SipTransport,
  TransportCounters,
  TransportErrorListener,
  TransportName,
} from "./transport.ts";
import { openUdpSocket, type ReportedBuffers, type UdpEndpoint, UdpIoThread } from "./udp-endpoint.ts";

export interface ListenSpec {
  transport: TransportName;
  /** IPv4 or IPv6 address to bind */
  address: string;
  /** 0 for an ephemeral port */
  port: number;
}

export interface TransportOptions {
  listen: ListenSpec[];
  maxMessageBytes?: number;
  maxHeaders?: number;
  /** host put in Via sent-by and in the Warning of a 400 (default: the bound address) */
  advertisedHost?: string;
  /** TCP connections idle this long between messages are closed (default 180 s) */
  idleTimeoutMs?: number;
  /**
   * A message's head must be complete this long after its first octet (default 10 s); a connection accepted
   * here must start its first message within it too, so a connection that sends nothing is not held.
   */
  headerTimeoutMs?: number;
  /** A message's body must be complete this long after its head (default 10 s). */
  bodyTimeoutMs?: number;
  /** TCP connections held at once, both ways; one accepted beyond it is closed at once (default: no limit). */
  maxConnections?: number;
  /** TCP connections accepted from one source address at once; beyond it the next is closed at once. */
  maxConnectionsPerSource?: number;
  /** told of every TCP connection this layer closes or refuses, for metrics and logs */
  onConnectionClosed?: (reason: ConnectionCloseReason, remote: { address: string; port: number }) => void;
  /**
   * UDP socket buffer sizes (default 8 MiB; the kernel caps them at net.core.rmem_max / wmem_max). A node that
   * sends thousands of BYEs at once gets their responses in a burst: a small buffer drops them.
   */
  udpBufferBytes?: number;
  /**
   * told of datagrams the I/O thread dropped at a UDP socket because the node did not take them in time (its
   * bound address), for metrics
   */
  onUdpOverflow?: (local: { address: string; port: number }, dropped: number) => void;
  /** UDP sockets on an I/O thread of their own (their system calls off the stack's thread), or on this one. */
  udpIoThread?: boolean;
  /** told of every dropped or answered malformed message, for logs */
  onMalformed?: (fault: SipFault, flow: Flow, action: "answered" | "dropped", why?: string) => void;
}

/** A UDP socket of the layer: where it is bound, the buffer size it asked for and what the kernel reports. */
export interface UdpSocketInfo {
  address: string;
  port: number;
  askedBytes: number;
  buffers: ReportedBuffers;
}

/** Why the transport closed a TCP connection itself. */
export type ConnectionCloseReason =
  | "idle-timeout"
  | "header-timeout"
  | "body-timeout"
  | "total-cap"
  | "per-source-cap"
  | "accept-error";

const timeoutReason: Record<StreamPhase, ConnectionCloseReason> = {
  between: "idle-timeout",
  head: "header-timeout",
  body: "body-timeout",
};

interface Listening {
  transport: TransportName;
  family: 4 | 6;
  address: string;
  port: number;
  udp?: UdpEndpoint;
  tcp?: Server;
}

interface Connection {
  id: number;
  socket: Socket;
  framer: StreamFramer;
  flow: Flow;
  key: string;
  /** the source address, for the per-source count (inbound connections only) */
  source?: string;
  /** what the connection waits for, and the timer that closes it if that does not come in time */
  phase: StreamPhase;
  timer?: NodeJS.Timeout;
}

// Addresses here are IP literals (listen specs, resolved next hops): a colon is what tells an IPv6 one.
const familyOf = (address: string): 4 | 6 => (address.includes(":") ? 6 : 4);

const remoteKey = (address: string, port: number) => `${address.toLowerCase()}|${port}`;

/**
 * A request's bytes and destination, kept for its retransmissions: one object and one callback per client
 * transaction, however often it is sent, and no promise per sending.
 */
class KeptBytes implements Outgoing {
  private readonly sent: (err: Error | null) => void;

  constructor(
    private readonly layer: TransportLayer,
    private readonly bytes: Buffer,
    private readonly to: Destination,
    listener: TransportErrorListener,
  ) {
    this.sent = (err) => {
      if (err) listener.transportError(err);
    };
    layer.transmit(bytes, to, this.sent);
  }

  again(): void {
    this.layer.transmit(this.bytes, this.to, this.sent);
  }
}

export class TransportLayer implements SipTransport {
  readonly counters: TransportCounters = {
    received: 0,
    sent: 0,
    malformedAnswered: 0,
    malformedDropped: 0,
    keepalives: 0,
    sendErrors: 0,
    overloadDropped: 0,
  };
  private handler: InboundHandler = () => {};
  private readonly listening: Listening[] = [];
  private readonly connections = new Map<number, Connection>();
  private readonly byRemote = new Map<string, number>();
  /** inbound connections held per source address */
  private readonly perSource = new Map<string, number>();
  /** TCP connections this layer closed or refused itself, by why */
  readonly connectionsClosed: Record<ConnectionCloseReason, number> = {
    "idle-timeout": 0,
    "header-timeout": 0,
    "body-timeout": 0,
    "total-cap": 0,
    "per-source-cap": 0,
    "accept-error": 0,
  };
  private nextConnection = 1;
  private closed = false;
  /**
   * The I/O thread the UDP sockets are on (udpIoThread), closed with the layer; other sockets of the node (its
   * H.248 one) may be opened on it, so the node's datagrams cross in one batch a turn and keep their order.
   */
  readonly udpThread?: UdpIoThread;

  private constructor(private readonly opts: TransportOptions) {
    if (opts.udpIoThread && opts.listen.some((l) => l.transport === "UDP")) this.udpThread = new UdpIoThread();
  }

  static async create(opts: TransportOptions): Promise<TransportLayer> {
    const layer = new TransportLayer(opts);
    try {
      for (const spec of opts.listen) await layer.listen(spec);
    } catch (e) {
      await layer.close();
      throw e;
    }
    return layer;
  }

  /** The bound addresses (ports resolved). */
  get addresses(): Array<{ transport: TransportName; address: string; port: number }> {
    return this.listening.map(({ transport, address, port }) => ({ transport, address, port }));
  }

  /** The UDP sockets, with their buffers. */
  get udpSockets(): UdpSocketInfo[] {
    const askedBytes = this.udpBufferBytes;
    return this.listening.flatMap(({ address, port, udp }) =>
      udp ? [{ address, port, askedBytes, buffers: udp.buffers }] : [],
    );
  }

  private get udpBufferBytes(): number {
    return this.opts.udpBufferBytes ?? 8 * 1024 * 1024;
  }

  onMessage(handler: InboundHandler): void {
    this.handler = handler;
  }

  isReliable(transport: TransportName): boolean {
    return transport === "TCP";
  }

  sentBy(transport: TransportName, family: 4 | 6 = 4): { host: string; port: number } {
    const l =
      this.listening.find((x) => x.transport === transport && x.family === family) ??
      this.listening.find((x) => x.transport === transport) ??
      this.listening[0];
    return { host: this.opts.advertisedHost ?? bracketHost(l.address), port: l.port };
  }

  private async listen(spec: ListenSpec): Promise<void> {
    const family = familyOf(spec.address);
    if (spec.transport === "UDP") {
      const o = { family, address: spec.address, port: spec.port, bufferBytes: this.udpBufferBytes };
      const udp = await (this.udpThread ? this.udpThread.open(o) : openUdpSocket(o));
      const port = udp.port;
      const local = { address: spec.address, port };
      udp.onDatagram((data, address, remotePort) =>
        this.ingestDatagram(data, { transport: "UDP", local, remote: { address, port: remotePort } }),
      );
      udp.onError(() => this.counters.sendErrors++);
      udp.onOverflow((n) => {
        this.counters.overloadDropped += n;
        this.opts.onUdpOverflow?.(local, n);
      });
      this.listening.push({ transport: "UDP", family, address: spec.address, port, udp });
    } else {
      const tcp = createServer((socket) => this.accept(socket));
      await new Promise<void>((resolve, reject) => {
        tcp.once("error", reject);
        tcp.listen({ port: spec.port, host: spec.address, ipv6Only: family === 6 }, () => {
          tcp.off("error", reject);
          resolve();
        });
      });
      // An accept that fails (EMFILE: no descriptor left) is counted, never a crash; the caps keep it rare.
      tcp.on("error", () => this.closedBy("accept-error", { address: "", port: 0 }));
      const addr = tcp.address();
      const port = typeof addr === "object" && addr ? addr.port : spec.port;
      this.listening.push({ transport: "TCP", family, address: spec.address, port, tcp });
    }
  }

  private ingestDatagram(data: Buffer, flow: Flow): void {
    // CRLF keepalives (RFC 5626 §3.5.1) are not messages.
    if (data.length <= 4 && data.every((b) => b === 13 || b === 10)) {
      this.counters.keepalives++;
      return;
    }
    this.ingest(data, flow, "datagram");
  }

  private ingest(bytes: Buffer, flow: Flow, framing: "datagram" | "stream"): void {
    const r = parseMessage(bytes, {
      maxMessageBytes: this.opts.maxMessageBytes,
      maxHeaders: this.opts.maxHeaders,
      framing,
    });
    if (!r.ok) {
      this.malformed(bytes, r.fault, flow);
      return;
    }
    this.counters.received++;
    const msg = r.message;
    if (msg.kind === "request") stampReceived(msg, flow);
    try {
      this.handler(msg, flow);
    } catch {
      // The layer above must not bring the transport down.
      this.counters.malformedDropped++;
    }
  }

  private malformed(bytes: Buffer, fault: SipFault, flow: Flow): void {
    const host = this.opts.advertisedHost ?? bracketHost(flow.local.address);
    const action = respondToMalformed(bytes, fault, { host });
    if (action.action === "drop") {
      this.counters.malformedDropped++;
      this.opts.onMalformed?.(fault, flow, "dropped", action.reason);
      return;
    }
    this.counters.malformedAnswered++;
    this.opts.onMalformed?.(fault, flow, "answered");
    // The Via of a malformed request is not trusted: answer where the bytes came from.
    void this.sendOnFlow(serializeMessage(action.response), flow);
  }

  // ---- TCP connections ----

  /** Number of TCP connections held (both ways). */
  get connectionCount(): number {
    return this.connections.size;
  }

  private closedBy(reason: ConnectionCloseReason, remote: { address: string; port: number }): void {
    this.connectionsClosed[reason]++;
    this.opts.onConnectionClosed?.(reason, remote);
  }

  /** An inbound connection: refused at once over the total or the per-source cap, else adopted. */
  private accept(socket: Socket): void {
    const source = (socket.remoteAddress ?? "").toLowerCase();
    const remote = { address: source, port: socket.remotePort ?? 0 };
    const held = this.perSource.get(source) ?? 0;
    const refusal: ConnectionCloseReason | undefined =
      this.connections.size >= (this.opts.maxConnections ?? Number.POSITIVE_INFINITY)
        ? "total-cap"
        : held >= (this.opts.maxConnectionsPerSource ?? Number.POSITIVE_INFINITY)
          ? "per-source-cap"
          : undefined;
    if (refusal) {
      socket.on("error", () => {});
      socket.destroy();
      this.closedBy(refusal, remote);
      return;
    }
    this.perSource.set(source, held + 1);
    this.adopt(socket, undefined, source);
  }

  private adopt(socket: Socket, dest?: Destination, source?: string): Connection {
    const id = this.nextConnection++;
    const remote = { address: socket.remoteAddress ?? dest?.address ?? "", port: socket.remotePort ?? dest?.port ?? 0 };
    const local = { address: socket.localAddress ?? "", port: socket.localPort ?? 0 };
    const flow: Flow = { transport: "TCP", local, remote, connection: id };
    const conn: Connection = {
      id,
      socket,
      framer: new StreamFramer(this.opts.maxMessageBytes),
      flow,
      key: remoteKey(remote.address, remote.port),
      source,
      // A connection accepted here owes its first message; one opened by us waits for nothing yet.
      phase: source === undefined ? "between" : "head",
    };
    this.connections.set(id, conn);
    this.byRemote.set(conn.key, id);
    this.arm(conn);
    socket.on("data", (chunk) => {
      const framed = conn.framer.push(chunk);
      this.progress(conn, framed.length > 0);
      for (const f of framed) {
        if (f.kind === "message") this.ingest(f.bytes, flow, "stream");
        else if (f.kind === "keepalive") {
          this.counters.keepalives++;
          socket.write("\r\n"); // RFC 5626 §3.5.1 pong
        } else {
          const fault: SipFault = { layer: "size", line: 1, column: 1, message: f.reason, status: f.head ? 513 : 400 };
          if (f.head) this.malformed(f.head, fault, flow);
          else this.counters.malformedDropped++;
          if (f.close) socket.destroy();
        }
      }
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => this.forget(conn));
    return conn;
  }

  /**
   * After a read: between messages any octet restarts the idle timer; within a head or a body the deadline runs
   * from where that part began (a sender trickling octets does not extend it) and restarts only when a message
   * was completed or the part changed.
   */
  private progress(conn: Connection, framed: boolean): void {
    const phase = conn.framer.phase;
    if (phase === conn.phase && phase !== "between" && !framed) return;
    conn.phase = phase;
    this.arm(conn);
  }

  private arm(conn: Connection): void {
    if (conn.timer) clearTimeout(conn.timer);
    const phase = conn.phase;
    const ms =
      phase === "head"
        ? (this.opts.headerTimeoutMs ?? 10_000)
        : phase === "body"
          ? (this.opts.bodyTimeoutMs ?? 10_000)
          : (this.opts.idleTimeoutMs ?? 180_000);
    conn.timer = setTimeout(() => {
      this.closedBy(timeoutReason[phase], conn.flow.remote);
      conn.socket.destroy();
    }, ms);
    conn.timer.unref();
  }

  private forget(conn: Connection): void {
    if (conn.timer) clearTimeout(conn.timer);
    if (!this.connections.delete(conn.id)) return;
    if (this.byRemote.get(conn.key) === conn.id) this.byRemote.delete(conn.key);
    if (conn.source !== undefined) {
      const n = (this.perSource.get(conn.source) ?? 1) - 1;
      if (n > 0) this.perSource.set(conn.source, n);
      else this.perSource.delete(conn.source);
    }
  }

  private async connection(dest: Destination): Promise<Connection> {
    const existing = this.byRemote.get(remoteKey(dest.address, dest.port));
    if (existing !== undefined) {
      const c = this.connections.get(existing);
      if (c && !c.socket.destroyed) return c;
    }
    const socket = connect({ host: dest.address, port: dest.port, family: familyOf(dest.address) });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    return this.adopt(socket, dest);
  }

  // ---- sending ----

  send(message: SipRequest | SipResponse, to: Destination): Promise<void> {
    return this.sendBytes(serializeMessage(message), to);
  }

  sendRetransmittable(request: SipRequest, to: Destination, listener: TransportErrorListener): Outgoing {
    return new KeptBytes(this, serializeMessage(request), to, listener);
  }

  private sendBytes(bytes: Buffer, to: Destination): Promise<void> {
    return new Promise((resolve, reject) => this.transmit(bytes, to, (err) => (err ? reject(err) : resolve())));
  }

  /** Sends bytes to a destination: UDP at once, TCP on a connection (opened if need be); `done` once, after. */
  transmit(bytes: Buffer, to: Destination, done: (err: Error | null) => void): void {
    if (this.closed) {
      done(null);
      return;
    }
    if (to.transport !== "UDP") {
      this.sendStream(bytes, to).then(() => done(null), done);
      return;
    }
    const family = familyOf(to.address);
    const l = this.listening.find((x) => x.transport === "UDP" && x.family === family);
    if (!l?.udp) {
      this.counters.sendErrors++;
      // Never from inside the call: the sender has not finished starting its transaction yet.
      const err = new Error(`no UDP socket for IPv${family}`);
      queueMicrotask(() => done(err));
      return;
    }
    l.udp.send(bytes, to.port, to.address, (err) => {
      if (err) this.counters.sendErrors++;
      else this.counters.sent++;
      done(err);
    });
  }

  private async sendStream(bytes: Buffer, to: Destination): Promise<void> {
    try {
      const c = await this.connection(to);
      await new Promise<void>((resolve, reject) => c.socket.write(bytes, (err) => (err ? reject(err) : resolve())));
      this.counters.sent++;
    } catch (e) {
      this.counters.sendErrors++;
      throw e;
    }
  }

  private async sendOnFlow(bytes: Buffer, flow: Flow): Promise<void> {
    try {
      const c = flow.connection !== undefined ? this.connections.get(flow.connection) : undefined;
      if (c && !c.socket.destroyed) {
        c.socket.write(bytes);
        this.counters.sent++;
        return;
      }
      await this.sendBytes(bytes, { transport: flow.transport, address: flow.remote.address, port: flow.remote.port });
    } catch {
      // counted in sendBytes
    }
  }

  async sendResponse(response: SipResponse, flow: Flow): Promise<void> {
    const via = topVia(response);
    if (!via) throw new Error("a response without Via cannot be sent (RFC 3261 §18.2.2)");
    const bytes = serializeMessage(response);
    let target = responseTarget(via, flow);
    if (target.kind === "connection") {
      const c = flow.connection !== undefined ? this.connections.get(flow.connection) : undefined;
      if (c && !c.socket.destroyed) {
        await new Promise<void>((resolve, reject) => c.socket.write(bytes, (err) => (err ? reject(err) : resolve())));
        this.counters.sent++;
        return;
      }
      // The connection is gone: open one to received/sent-by (§18.2.2).
      target = responseTarget(via, { ...flow, connection: undefined });
    }
    if (target.kind === "address") return this.sendBytes(bytes, target.destination);
    if (target.kind === "resolve") {
      const { address } = await lookup(target.host);
      return this.sendBytes(bytes, { transport: target.transport, address, port: target.port });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.connections.values()) {
      if (c.timer) clearTimeout(c.timer);
      c.socket.destroy();
    }
    this.connections.clear();
    this.perSource.clear();
    await Promise.all(
      this.listening.map(
        (l) =>
          new Promise<void>((resolve) => {
            if (l.udp) l.udp.close().then(() => resolve());
            else if (l.tcp) l.tcp.close(() => resolve());
            else resolve();
          }),
      ),
    );
    // Its sockets closed (an H.248 one opened on it is closed by its owner first): the thread ends.
    await this.udpThread?.close();
  }
}

/** Opens the listeners; the returned layer owns every socket it opens. */
export function createTransportLayer(opts: TransportOptions): Promise<TransportLayer> {
  return TransportLayer.create(opts);
}
