// H.248 over UDP (H.248.1 Annex D.1): one datagram is one text message; the default text port is 2944. Replies go
// to the address and port a message came from, so the transport hands the sender's address up with each message.
import { createSocket, type Socket } from "node:dgram";
import { type LookupOneOptions, lookup } from "node:dns";
import { isIP } from "node:net";
import type { ReportedBuffers } from "../net/reported-buffers.ts";

export const H248_TEXT_PORT = 2944;

export interface H248Peer {
  address: string;
  port: number;
}

export function peerKey(p: H248Peer): string {
  return `${p.address}:${p.port}`;
}

/** A socket's buffer sizes as the kernel reports them (getsockopt: Linux reports twice what it granted). */
export type { ReportedBuffers };

export interface H248UdpTransport {
  readonly local: H248Peer;
  /** The socket's buffers, where the socket's opener tells them. */
  readonly buffers?: ReportedBuffers;
  send(text: string, to: H248Peer): void;
  onMessage(handler: (text: string, from: H248Peer) => void): void;
  close(): Promise<void>;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/**
 * dgram's lookup: an IP literal (an MG's address always is) is answered at once, so a datagram reaches the socket
 * in the order it was sent in — a Subtract before the SIP request a node sends after it — not a resolver round later.
 */
function ipLiteralLookup(hostname: string, options: LookupOneOptions, callback: LookupCallback): void {
  const family = isIP(hostname);
  if (family !== 0) callback(null, hostname, family);
  else lookup(hostname, options, callback);
}

/**
 * A bound UDP socket of someone else's (the node's UDP I/O thread): what the transport needs of it. The H.248
 * layer knows no thread; the node hands it one, so its datagrams cross with the node's SIP ones.
 */
export interface DatagramSocket {
  readonly port: number;
  readonly address: string;
  readonly buffers?: ReportedBuffers;
  send(text: string, port: number, address: string, done: (err: Error | null) => void): void;
  onDatagram(handler: (data: Uint8Array, address: string, port: number) => void): void;
  close(): Promise<void>;
}

/** Opens a socket bound to address:port (0: an ephemeral port). */
export type DatagramSocketOpener = (address: string, port: number) => Promise<DatagramSocket>;

// A failed send is not reported: as on this thread's socket, the transaction layer's timers cover it.
const ignore = () => {};

/** The transport over a socket opened by `open` instead of one of its own. */
export async function openUdpTransportOn(
  open: DatagramSocketOpener,
  address = "0.0.0.0",
  port = H248_TEXT_PORT,
): Promise<H248UdpTransport> {
  const socket = await open(address, port);
  let handler: (text: string, from: H248Peer) => void = () => {};
  socket.onDatagram((data, from, fromPort) =>
    handler(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8"), {
      address: from,
      port: fromPort,
    }),
  );
  return {
    local: { address: socket.address, port: socket.port },
    ...(socket.buffers === undefined ? {} : { buffers: socket.buffers }),
    send: (text, to) => socket.send(text, to.port, to.address, ignore),
    onMessage(h) {
      handler = h;
    },
    close: () => socket.close(),
  };
}

/**
 * Binds a UDP socket (IPv4 or IPv6 by the address given) and starts receiving; `bufferBytes` sizes its kernel
 * buffers (default the kernel's: a burst of replies beyond it is dropped, each drop a retransmission timer).
 */
export function openUdpTransport(
  address = "0.0.0.0",
  port = H248_TEXT_PORT,
  bufferBytes?: number,
): Promise<H248UdpTransport> {
  const socket: Socket = createSocket({
    type: address.includes(":") ? "udp6" : "udp4",
    reuseAddr: false,
    lookup: ipLiteralLookup,
    ...(bufferBytes === undefined ? {} : { recvBufferSize: bufferBytes, sendBufferSize: bufferBytes }),
  });
  let handler: (text: string, from: H248Peer) => void = () => {};
  socket.on("message", (msg, rinfo) => handler(msg.toString("utf8"), { address: rinfo.address, port: rinfo.port }));
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(port, address, () => {
      socket.off("error", reject);
      // a send to a closed port may surface as an error event on some systems; the transaction layer's timers
      // already cover a peer that does not answer, so such errors are not fatal
      socket.on("error", () => {});
      const a = socket.address();
      resolve({
        local: { address: a.address, port: a.port },
        buffers: { receive: socket.getRecvBufferSize(), send: socket.getSendBufferSize() },
        send(text, to) {
          socket.send(text, to.port, to.address);
        },
        onMessage(h) {
          handler = h;
        },
        close: () => new Promise((r) => socket.close(() => r())),
      });
    });
  });
}
