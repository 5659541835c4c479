// A bound UDP socket as the transport layer uses it: datagrams in, and datagrams out with a callback once each has
// gone or failed. Two kinds: a socket on the node's own thread, and one on an I/O thread of its own. The I/O
// thread takes the send and receive system calls, and the event-loop round trip per datagram, off the thread that
// runs the stack: a node sending thousands of BYEs at once spends about a quarter of its time there. Datagrams
// cross between the threads in batches.
import { createSocket } from "node:dgram";
import { lookup as dnsLookup, type LookupOneOptions } from "node:dns";
import { isIP } from "node:net";
import { Worker } from "node:worker_threads";
import { isIPv4address } from "../messages/host.ts";

export interface UdpEndpointOptions {
  family: 4 | 6;
  address: string;
  /** 0 for an ephemeral port */
  port: number;
  /** Receive and send buffer sizes (the kernel caps them at net.core.rmem_max / wmem_max). */
  bufferBytes: number;
}

export type DatagramHandler = (data: Buffer, address: string, port: number) => void;
export type SendDone = (err: Error | null) => void;

export interface UdpEndpoint {
  /** The bound port (an ephemeral one resolved). */
  readonly port: number;
  /** Sends one datagram; `done` is called once, after it has gone or with the error. */
  send(bytes: Buffer, port: number, address: string, done: SendDone): void;
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

// The I/O thread's program, plain JavaScript (it is evaluated as given, from the bundle and under tsx alike).
// To it: arrays [id, bytes, port, address, …] to send, a number (bytes of datagrams the node has taken), or
// "close". From it: ["bound", port], ["bind-error", message], ["in", [bytes, address, port, …], dropped],
// ["sent", [id, error message or null, …]], ["error", message]. It flushes what it has for the node once per turn
// of its event loop, and holds at most bufferBytes the node has not taken (more is dropped, and counted).
const IO_THREAD = `
const { parentPort, workerData: o } = require("node:worker_threads");
const { createSocket } = require("node:dgram");
const { isIP } = require("node:net");
const { lookup } = require("node:dns");
const udp = createSocket({
  type: o.family === 6 ? "udp6" : "udp4",
  ipv6Only: o.family === 6,
  recvBufferSize: o.bufferBytes,
  sendBufferSize: o.bufferBytes,
  lookup: (host, options, cb) => (isIP(host) !== 0 ? cb(null, host, isIP(host)) : lookup(host, options, cb)),
});
let inbox = [];
let acks = [];
let untaken = 0;
let dropped = 0;
let flushing = false;
const flush = () => {
  flushing = false;
  if (inbox.length > 0 || dropped > 0) parentPort.postMessage(["in", inbox, dropped]);
  if (acks.length > 0) parentPort.postMessage(["sent", acks]);
  inbox = [];
  acks = [];
  dropped = 0;
};
const later = () => {
  if (!flushing) {
    flushing = true;
    setImmediate(flush);
  }
};
const ack = (id, err) => {
  acks.push(id, err ? String(err.message) : null);
  later();
};
let bound = false;
udp.on("error", (err) => parentPort.postMessage([bound ? "error" : "bind-error", String(err.message)]));
udp.on("message", (data, rinfo) => {
  if (untaken + data.length > o.bufferBytes) dropped++;
  else {
    untaken += data.length;
    inbox.push(data, rinfo.address, rinfo.port);
  }
  later();
});
udp.bind(o.port, o.address, () => {
  bound = true;
  parentPort.postMessage(["bound", udp.address().port]);
});
parentPort.on("message", (m) => {
  if (typeof m === "number") {
    untaken -= m;
    return;
  }
  if (m === "close") {
    udp.close(() => {
      flush();
      parentPort.close();
    });
    return;
  }
  for (let i = 0; i < m.length; i += 4) {
    const id = m[i];
    try {
      udp.send(m[i + 1], m[i + 2], m[i + 3], (err) => ack(id, err));
    } catch (err) {
      ack(id, err);
    }
  }
});
`;

/** What the I/O thread tells the node (see IO_THREAD). */
type FromThread =
  | ["bound", number]
  | ["bind-error", string]
  | ["in", Array<Uint8Array | string | number>, number]
  | ["sent", Array<number | string | null>]
  | ["error", string];

/** Sends handed to the I/O thread at once when this many are waiting, so it starts on a burst while it grows. */
const BATCH = 32;

/**
 * A UDP socket on an I/O thread. Sends made in one turn of the event loop go over together (or every BATCH);
 * their callbacks run when the thread reports them. Received datagrams come in batches, in arrival order.
 * If the thread ever stops, the sends waiting and every later one fail (a transport error), and `onError` hears it.
 */
export async function openUdpThread(o: UdpEndpointOptions): Promise<UdpEndpoint & { readonly thread: Worker }> {
  // No execArgv: the thread needs no loader or preload of the node's (it requires Node's own modules only).
  const worker = new Worker(IO_THREAD, { eval: true, workerData: o, execArgv: [] });
  let onDatagram: DatagramHandler = () => {};
  let onError: (err: Error) => void = () => {};
  let onOverflow: (dropped: number) => void = () => {};
  const waiting = new Map<number, SendDone>();
  let nextId = 0;
  let outbox: Array<number | Buffer | string> = [];
  let flushing = false;
  let closing = false;
  let stopped: Error | undefined;
  const flush = () => {
    flushing = false;
    if (outbox.length === 0 || stopped) return;
    worker.postMessage(outbox);
    outbox = [];
  };
  const port = await new Promise<number>((resolve, reject) => {
    const failed = (err: Error) => reject(err);
    worker.once("error", failed);
    worker.on("message", function first(m: FromThread) {
      if (m[0] === "bound") resolve(m[1]);
      else if (m[0] === "bind-error") {
        reject(new Error(`UDP ${o.address}:${o.port}: ${m[1]}`));
        void worker.terminate();
      } else return;
      worker.off("message", first);
      worker.off("error", failed);
    });
  });
  worker.on("message", (m: FromThread) => {
    if (m[0] === "in") {
      const [, batch, dropped] = m;
      let taken = 0;
      for (let i = 0; i < batch.length; i += 3) {
        const u = batch[i] as Uint8Array;
        taken += u.byteLength;
        onDatagram(Buffer.from(u.buffer, u.byteOffset, u.byteLength), batch[i + 1] as string, batch[i + 2] as number);
      }
      // Taken: the thread may hold as much again.
      if (taken > 0 && !stopped) worker.postMessage(taken);
      if (dropped > 0) onOverflow(dropped);
    } else if (m[0] === "sent") {
      const acks = m[1];
      for (let i = 0; i < acks.length; i += 2) {
        const id = acks[i] as number;
        const done = waiting.get(id);
        waiting.delete(id);
        done?.(acks[i + 1] === null ? null : new Error(acks[i + 1] as string));
      }
    } else if (m[0] === "error") onError(new Error(m[1]));
  });
  worker.on("error", (err) => onError(err));
  worker.on("exit", () => {
    stopped = new Error("the UDP I/O thread has stopped");
    outbox = [];
    // Sends it never reported: failed if it stopped by itself; on close, ended as sends after close end.
    for (const done of waiting.values()) done(closing ? null : stopped);
    waiting.clear();
    if (!closing) onError(stopped);
  });
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  return {
    port,
    /** The I/O thread (for diagnostics, and for tests that stop it). */
    thread: worker,
    send(bytes, toPort, address, done) {
      if (stopped) {
        const err = stopped;
        queueMicrotask(() => done(closing ? null : err));
        return;
      }
      const id = nextId++;
      waiting.set(id, done);
      outbox.push(id, bytes, toPort, address);
      if (outbox.length >= 4 * BATCH) flush();
      else if (!flushing) {
        flushing = true;
        setImmediate(flush);
      }
    },
    onDatagram: (h) => {
      onDatagram = h;
    },
    onError: (h) => {
      onError = h;
    },
    onOverflow: (h) => {
      onOverflow = h;
    },
    async close() {
      if (closing) return exited;
      flush();
      closing = true;
      worker.postMessage("close");
      return exited;
    },
  };
}
