// A bound UDP socket as the transport layer uses it: datagrams in, and datagrams out with a callback once each has
// gone or failed. Two kinds: a socket on the node's own thread, and one on an I/O thread. The I/O thread takes the
// send and receive system calls, and the event-loop round trip per datagram, off the thread that runs the stack: a
// node sending thousands of BYEs at once spends about a quarter of its time there. One I/O thread can carry several
// sockets (a node's SIP sockets and its H.248 one), so what the node sends keeps its order across them.
//
// Datagrams cross between the threads in batches, once per turn of each side's event loop (at its end, never on a
// timer: a lone datagram is not held back): one ArrayBuffer with every datagram of the turn, transferred, not
// cloned, so a batch costs one message and no object per datagram on the way.
import { createSocket } from "node:dgram";
import { lookup as dnsLookup, type LookupOneOptions } from "node:dns";
import { isIP } from "node:net";
import { Worker } from "node:worker_threads";
import type { ReportedBuffers } from "../../net/reported-buffers.ts";
import { isIPv4address } from "../messages/host.ts";

export interface UdpEndpointOptions {
  family: 4 | 6;
  address: string;
  /** 0 for an ephemeral port */
  port: number;
  /** Receive and send buffer sizes (the kernel caps them at net.core.rmem_max / wmem_max). */
  bufferBytes: number;
}

/**
 * A socket's buffer sizes as the kernel reports them (getsockopt SO_RCVBUF / SO_SNDBUF): Linux reports twice the
 * size it granted (socket(7): the doubled part is its bookkeeping), capped at net.core.rmem_max / wmem_max.
 */
export type { ReportedBuffers };

export type DatagramHandler = (data: Buffer, address: string, port: number) => void;
export type SendDone = (err: Error | null) => void;

export interface UdpEndpoint {
  /** The bound port (an ephemeral one resolved). */
  readonly port: number;
  /** The bound address. */
  readonly address: string;
  /** The buffers the kernel gave the socket, read once it was bound. */
  readonly buffers: ReportedBuffers;
  /** Sends one datagram (a string goes as UTF-8); `done` is called once, after it has gone or with the error. */
  send(bytes: Uint8Array | string, port: number, address: string, done: SendDone): void;
  onDatagram(handler: DatagramHandler): void;
  /** A socket error that is not one send's (a send's goes to its `done`). */
  onError(handler: (err: Error) => void): void;
  /**
   * Datagrams dropped because the node did not read them fast enough: the I/O thread holds at most `bufferBytes`
   * the node has not taken yet, as a socket buffer would (the kernel drops on this thread's socket, uncounted).
   */
  onOverflow(handler: (dropped: number) => void): void;
  close(): Promise<void>;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/** dgram's lookup: an IP literal (every destination: next hops are resolved above) is answered at once. */
function ipLiteralLookup(hostname: string, options: LookupOneOptions, callback: LookupCallback): void {
  const family = isIPv4address(hostname) ? 4 : hostname.includes(":") ? 6 : isIP(hostname);
  if (family !== 0) callback(null, hostname, family);
  else dnsLookup(hostname, options, callback);
}

/** A UDP socket on this thread. */
export async function openUdpSocket(o: UdpEndpointOptions): Promise<UdpEndpoint> {
  const udp = createSocket({
    type: o.family === 6 ? "udp6" : "udp4",
    ipv6Only: o.family === 6,
    recvBufferSize: o.bufferBytes,
    sendBufferSize: o.bufferBytes,
    // Destinations are IP addresses already (next-hop resolution is done above): no resolver round per send.
    lookup: ipLiteralLookup,
  });
  await new Promise<void>((resolve, reject) => {
    udp.once("error", reject);
    udp.bind(o.port, o.address, () => {
      udp.off("error", reject);
      resolve();
    });
  });
  return {
    port: udp.address().port,
    address: udp.address().address,
    buffers: { receive: udp.getRecvBufferSize(), send: udp.getSendBufferSize() },
    send(bytes, port, address, done) {
      try {
        udp.send(bytes, port, address, done);
      } catch (e) {
        // A bad port or address throws at once; the caller hears of it as of any failed send, never from inside.
        queueMicrotask(() => done(e as Error));
      }
    },
    onDatagram: (handler) => udp.on("message", (data, rinfo) => handler(data, rinfo.address, rinfo.port)),
    onError: (handler) => udp.on("error", handler),
    onOverflow: () => {},
    close: () => new Promise((resolve) => udp.close(() => resolve())),
  };
}

// A batch is one ArrayBuffer of records, each a fixed head, the address (latin1: an IP literal) and the bytes.
//   to the thread:   socket u8, address length u8, port u16, send id u32, length u32, address, bytes
//   from the thread: socket u8, address length u8, port u16, length u32, address, bytes
// Little-endian. The send ids are the node's, in the order it sent; the thread reports them back as runs
// [first id, count, …] of sends that went, and [id, message, …] of those that failed.

// The I/O thread's program, plain JavaScript (it is evaluated as given, from the bundle and under tsx alike).
// To it: ["open", socket, options], ["close", socket], ["out", ArrayBuffer or null, taken bytes per socket or
// null], "exit". From it: ["bound", socket, port, address, receive buffer, send buffer] (the sizes as the kernel reports
// them), ["bind-error", socket, message], ["closed", socket],
// ["in", ArrayBuffer or null, runs of sends gone or null, failed sends or null, drops per socket or null],
// ["error", socket, message]. It flushes what it has for the node once per turn of its event loop (or every
// IN_BATCH datagrams), and holds at most bufferBytes per socket the node has not taken (more is dropped, and
// counted).
const IO_THREAD = `
const { parentPort } = require("node:worker_threads");
const { createSocket } = require("node:dgram");
const { isIP } = require("node:net");
const { lookup } = require("node:dns");
const IN_BATCH = 256;
const sockets = [];
let inData = [], inSocket = [], inAddress = [], inPort = [], inBytes = 0;
let okRuns = [], runFirst = -1, runCount = 0, failed = null, dropped = null;
let flushing = false;
const flush = () => {
  flushing = false;
  if (runCount > 0) { okRuns.push(runFirst, runCount); runCount = 0; }
  const n = inData.length;
  if (n === 0 && okRuns.length === 0 && failed === null && dropped === null) return;
  let ab = null;
  if (n > 0) {
    ab = new ArrayBuffer(inBytes);
    const b = Buffer.from(ab);
    let at = 0;
    for (let i = 0; i < n; i++) {
      const d = inData[i], a = inAddress[i];
      b[at] = inSocket[i];
      b[at + 1] = a.length;
      b.writeUInt16LE(inPort[i], at + 2);
      b.writeUInt32LE(d.length, at + 4);
      b.latin1Write(a, at + 8);
      at += 8 + a.length;
      d.copy(b, at);
      at += d.length;
    }
  }
  parentPort.postMessage(["in", ab, okRuns.length > 0 ? okRuns : null, failed, dropped], ab ? [ab] : []);
  inData = []; inSocket = []; inAddress = []; inPort = []; inBytes = 0;
  okRuns = []; failed = null; dropped = null;
};
const later = () => {
  if (!flushing) { flushing = true; setImmediate(flush); }
};
const ack = (id, err) => {
  if (err) (failed ??= []).push(id, String(err.message));
  else if (runCount > 0 && id === runFirst + runCount) runCount++;
  else {
    if (runCount > 0) okRuns.push(runFirst, runCount);
    runFirst = id;
    runCount = 1;
  }
  later();
};
const open = (index, o) => {
  const udp = createSocket({
    type: o.family === 6 ? "udp6" : "udp4",
    ipv6Only: o.family === 6,
    recvBufferSize: o.bufferBytes,
    sendBufferSize: o.bufferBytes,
    lookup: (host, options, cb) => (isIP(host) !== 0 ? cb(null, host, isIP(host)) : lookup(host, options, cb)),
  });
  const s = { udp, limit: o.bufferBytes, untaken: 0, bound: false };
  sockets[index] = s;
  udp.on("error", (err) => {
    if (s.bound) parentPort.postMessage(["error", index, String(err.message)]);
    else {
      sockets[index] = undefined;
      parentPort.postMessage(["bind-error", index, String(err.message)]);
    }
  });
  udp.on("message", (data, rinfo) => {
    if (s.untaken + data.length > s.limit) {
      (dropped ??= [])[index] = (dropped[index] ?? 0) + 1;
    } else {
      s.untaken += data.length;
      inData.push(data);
      inSocket.push(index);
      inAddress.push(rinfo.address);
      inPort.push(rinfo.port);
      inBytes += 8 + rinfo.address.length + data.length;
      if (inData.length >= IN_BATCH) flush();
    }
    later();
  });
  udp.bind(o.port, o.address, () => {
    s.bound = true;
    const a = udp.address();
    parentPort.postMessage(["bound", index, a.port, a.address, udp.getRecvBufferSize(), udp.getSendBufferSize()]);
  });
};
const close = (index, then) => {
  const s = sockets[index];
  sockets[index] = undefined;
  if (!s) return then();
  // The sends it cancels are reported before "closed".
  s.udp.close(() => setImmediate(() => { flush(); then(); }));
};
const send = (b, at) => {
  const index = b[at], alen = b[at + 1], port = b.readUInt16LE(at + 2), id = b.readUInt32LE(at + 4);
  const len = b.readUInt32LE(at + 8);
  const address = b.latin1Slice(at + 12, at + 12 + alen);
  const from = at + 12 + alen;
  const s = sockets[index];
  try {
    if (!s) throw new Error("the UDP socket is closed");
    s.udp.send(b.subarray(from, from + len), port, address, (err) => ack(id, err));
  } catch (err) {
    ack(id, err);
  }
  return from + len;
};
parentPort.on("message", (m) => {
  if (m === "exit") {
    let left = sockets.length;
    const one = () => { if (--left <= 0) { flush(); parentPort.close(); } };
    if (left === 0) one();
    for (let i = 0; i < sockets.length; i++) close(i, one);
    return;
  }
  const kind = m[0];
  if (kind === "out") {
    const ab = m[1];
    if (ab) {
      const b = Buffer.from(ab);
      for (let at = 0; at < b.length; ) at = send(b, at);
    }
    const taken = m[2];
    if (taken) for (let i = 0; i < taken.length; i++) if (taken[i] && sockets[i]) sockets[i].untaken -= taken[i];
  } else if (kind === "open") open(m[1], m[2]);
  else if (kind === "close") close(m[1], () => parentPort.postMessage(["closed", m[1]]));
});
`;

/** What the I/O thread tells the node (see IO_THREAD). */
type FromThread =
  | ["bound", number, number, string, number, number]
  | ["bind-error", number, string]
  | ["closed", number]
  | ["in", ArrayBuffer | null, number[] | null, Array<number | string> | null, number[] | null]
  | ["error", number, string];

/** Sends handed to the I/O thread at once when this many are waiting, so it starts on a burst while it grows. */
const OUT_BATCH = 64;

/** One socket on the thread, as the node holds it. */
interface ThreadSocket {
  onDatagram: DatagramHandler;
  onError: (err: Error) => void;
  onOverflow: (dropped: number) => void;
  bound?: (port: number, address: string, buffers: ReportedBuffers) => void;
  failed?: (err: Error) => void;
  closed?: () => void;
}

const STOPPED = "the UDP I/O thread has stopped";

/**
 * An I/O thread carrying UDP sockets. Sends made in one turn of the event loop go over together (or every
 * OUT_BATCH); their callbacks run when the thread reports them. Received datagrams come in batches, in arrival
 * order. If the thread ever stops, the sends waiting and every later one fail (a transport error), and every
 * socket's `onError` hears it.
 */
export class UdpIoThread {
  /** The worker (for diagnostics, and for tests that stop it). */
  readonly worker: Worker;
  private readonly sockets: Array<ThreadSocket | undefined> = [];
  // The sends not yet reported, by id: `waiting[i]` is id `base + i`; ids below `base + head` are all reported.
  private waiting: Array<SendDone | undefined> = [];
  private base = 0;
  private head = 0;
  // This turn's sends, written into one ArrayBuffer when the turn ends.
  private outData: Array<Uint8Array | string> = [];
  private outSocket: number[] = [];
  private outPort: number[] = [];
  private outAddress: string[] = [];
  private outBytes = 0;
  /** Bytes of received datagrams the node has taken since the last report, per socket. */
  private taken: number[] | null = null;
  private flushing = false;
  private exiting = false;
  private stopped?: Error;
  private readonly exited: Promise<void>;

  constructor() {
    // No execArgv: the thread needs no loader or preload of the node's (it requires Node's own modules only).
    this.worker = new Worker(IO_THREAD, { eval: true, execArgv: [] });
    this.worker.on("message", (m: FromThread) => this.fromThread(m));
    this.worker.on("error", (err) => {
      for (const s of this.sockets) s?.onError(err);
    });
    this.exited = new Promise<void>((resolve) => this.worker.once("exit", () => resolve()));
    this.worker.on("exit", () => this.afterExit());
  }

  /** Binds a socket on this thread. */
  open(o: UdpEndpointOptions): Promise<UdpEndpoint> {
    if (this.stopped || this.exiting) return Promise.reject(this.stopped ?? new Error("the UDP I/O thread is closing"));
    const index = this.sockets.length;
    const s: ThreadSocket = { onDatagram: () => {}, onError: () => {}, onOverflow: () => {} };
    this.sockets.push(s);
    return new Promise<UdpEndpoint>((resolve, reject) => {
      s.failed = (err) => {
        this.sockets[index] = undefined;
        reject(err);
      };
      s.bound = (port, address, buffers) => {
        s.failed = undefined;
        resolve(this.endpoint(index, s, port, address, buffers));
      };
      this.worker.postMessage(["open", index, o]);
    }).catch((err: Error) => {
      throw new Error(`UDP ${o.address}:${o.port}: ${err.message}`);
    });
  }

  /** Closes every socket on it, then the thread. */
  async close(): Promise<void> {
    if (!this.exiting && !this.stopped) {
      this.flush();
      this.exiting = true;
      this.worker.postMessage("exit");
    }
    return this.exited;
  }

  private endpoint(
    index: number,
    s: ThreadSocket,
    port: number,
    address: string,
    buffers: ReportedBuffers,
  ): UdpEndpoint {
    let closing: Promise<void> | undefined;
    return {
      port,
      address,
      buffers,
      send: (bytes, toPort, address, done) => {
        if (closing || this.stopped || this.exiting) {
          // After close a send ends quietly, as on a closed socket; after the thread stopped by itself it fails.
          const err = closing || this.exiting ? null : (this.stopped ?? null);
          queueMicrotask(() => done(err));
          return;
        }
        this.send(index, bytes, toPort, address, done);
      },
      onDatagram: (h) => {
        s.onDatagram = h;
      },
      onError: (h) => {
        s.onError = h;
      },
      onOverflow: (h) => {
        s.onOverflow = h;
      },
      close: () => {
        if (closing) return closing;
        if (this.stopped || this.exiting) {
          closing = this.exited;
          return closing;
        }
        this.flush();
        closing = new Promise<void>((resolve) => {
          s.closed = resolve;
        });
        this.worker.postMessage(["close", index]);
        return closing;
      },
    };
  }

  private send(index: number, bytes: Uint8Array | string, port: number, address: string, done: SendDone): void {
    this.waiting.push(done);
    this.outData.push(bytes);
    this.outSocket.push(index);
    this.outPort.push(port);
    this.outAddress.push(address);
    // A port that does not fit its field is sent as 0, which the thread's socket refuses (ERR_SOCKET_BAD_PORT).
    const length = typeof bytes === "string" ? Buffer.byteLength(bytes) : bytes.byteLength;
    this.outBytes += 12 + address.length + length;
    if (this.outData.length >= OUT_BATCH) this.flush();
    else this.later();
  }

  private later(): void {
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => this.flush());
    }
  }

  /** Hands this turn's sends (and the bytes taken) to the thread: one transferred ArrayBuffer. */
  private flush(): void {
    this.flushing = false;
    const n = this.outData.length;
    if ((n === 0 && this.taken === null) || this.stopped) return;
    let ab: ArrayBuffer | null = null;
    if (n > 0) {
      ab = new ArrayBuffer(this.outBytes);
      const b = Buffer.from(ab);
      let at = 0;
      let id = this.base + this.waiting.length - n;
      for (let i = 0; i < n; i++) {
        const d = this.outData[i];
        const a = this.outAddress[i];
        const port = this.outPort[i];
        b[at] = this.outSocket[i];
        b[at + 1] = a.length;
        b.writeUInt16LE(Number.isInteger(port) && port >= 0 && port <= 0xffff ? port : 0, at + 2);
        b.writeUInt32LE(id++ >>> 0, at + 4);
        b.write(a, at + 12, "latin1");
        const from = at + 12 + a.length;
        let length = d.length;
        if (typeof d === "string") length = b.write(d, from, "utf8");
        else b.set(d, from);
        b.writeUInt32LE(length, at + 8);
        at = from + length;
      }
      this.outData = [];
      this.outSocket = [];
      this.outPort = [];
      this.outAddress = [];
      this.outBytes = 0;
    }
    const taken = this.taken;
    this.taken = null;
    this.worker.postMessage(["out", ab, taken], ab ? [ab] : []);
  }

  private fromThread(m: FromThread): void {
    const kind = m[0];
    if (kind === "in") {
      if (m[1]) this.received(m[1]);
      if (m[2]) this.gone(m[2]);
      if (m[3]) this.failedSends(m[3]);
      const dropped = m[4];
      if (dropped) for (let i = 0; i < dropped.length; i++) if (dropped[i] > 0) this.sockets[i]?.onOverflow(dropped[i]);
      this.compact();
    } else if (kind === "bound") this.sockets[m[1]]?.bound?.(m[2], m[3], { receive: m[4], send: m[5] });
    else if (kind === "bind-error") this.sockets[m[1]]?.failed?.(new Error(m[2]));
    else if (kind === "error") this.sockets[m[1]]?.onError(new Error(m[2]));
    else if (kind === "closed") {
      const s = this.sockets[m[1]];
      this.sockets[m[1]] = undefined;
      s?.closed?.();
    }
  }

  /** A batch of received datagrams, each handed up as a Buffer of its own (a trace may keep it). */
  private received(ab: ArrayBuffer): void {
    const b = Buffer.from(ab);
    if (this.taken === null) this.taken = [];
    const taken = this.taken;
    for (let at = 0; at < b.length; ) {
      const index = b[at];
      const alen = b[at + 1];
      const port = b.readUInt16LE(at + 2);
      const length = b.readUInt32LE(at + 4);
      const address = b.toString("latin1", at + 8, at + 8 + alen);
      const from = at + 8 + alen;
      at = from + length;
      // A copy from the pool: a view would keep the whole batch alive as long as any message of it is kept.
      const data = Buffer.allocUnsafe(length);
      b.copy(data, 0, from, at);
      taken[index] = (taken[index] ?? 0) + length;
      this.sockets[index]?.onDatagram(data, address, port);
    }
    // Taken: the thread may hold as much again (told with the next sends, at the latest at the end of this turn).
    if (!this.stopped) this.later();
  }

  private gone(runs: number[]): void {
    for (let r = 0; r < runs.length; r += 2) {
      const last = runs[r] + runs[r + 1];
      for (let id = runs[r]; id < last; id++) this.done(id, null);
    }
  }

  private failedSends(failed: Array<number | string>): void {
    for (let i = 0; i < failed.length; i += 2) this.done(failed[i] as number, new Error(failed[i + 1] as string));
  }

  private done(id: number, err: Error | null): void {
    // Ids cross as 32 bits.
    const i = (id - this.base) >>> 0;
    const done = this.waiting[i];
    if (done === undefined) return;
    this.waiting[i] = undefined;
    done(err);
  }

  /** Forgets the ids all reported below the first one still waiting. */
  private compact(): void {
    const w = this.waiting;
    let head = this.head;
    while (head < w.length && w[head] === undefined) head++;
    if (head === w.length) {
      // All reported (sends made by the callbacks above are not: they are still waiting, after head).
      this.base += head;
      this.waiting = [];
      this.head = 0;
    } else if (head > 1024 && head * 2 > w.length) {
      this.base += head;
      this.waiting = w.slice(head);
      this.head = 0;
    } else this.head = head;
  }

  private afterExit(): void {
    const stopped = new Error(STOPPED);
    this.stopped = stopped;
    this.outData = [];
    // Sends it never reported: failed if it stopped by itself; on close, ended as sends after close end.
    const waiting = this.waiting;
    this.waiting = [];
    for (const done of waiting) done?.(this.exiting ? null : stopped);
    for (const s of this.sockets) {
      s?.failed?.(stopped);
      if (!this.exiting) s?.onError(stopped);
      s?.closed?.();
    }
  }
}

/** A UDP socket on an I/O thread of its own (closing the socket ends the thread). */
export async function openUdpThread(o: UdpEndpointOptions): Promise<UdpEndpoint & { readonly thread: Worker }> {
  const io = new UdpIoThread();
  try {
    const e = await io.open(o);
    return { ...e, thread: io.worker, send: e.send, close: () => io.close() };
  } catch (err) {
    await io.close();
    throw err;
  }
}
