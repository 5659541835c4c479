// A wiretap on loopback for tests: a UDP relay between a node and a peer that forwards every datagram unchanged and
// keeps a copy of each, so a test can assert the exact octets a node sent (a SIP-I body with binary ISUP, which
// SIPp's message log cuts at the first NUL). `drop` lets a test lose chosen datagrams, as a network may; `seededLoss`
// loses a fraction of them at random, repeatably.
import { createSocket, type Socket } from "node:dgram";
import { raiseSocketBufferCaps } from "./socket-buffers.ts";

export interface TappedDatagram {
  /** "to-peer": from the node to the peer; "from-peer": the peer's answers back through the tap. */
  direction: "to-peer" | "from-peer";
  data: Buffer;
  at: number;
}

export interface UdpTap {
  readonly port: number;
  readonly datagrams: TappedDatagram[];
  /** Datagrams the node sent to the peer, as latin1 text (one character per octet). */
  sent(): string[];
  /** Drops a datagram when the predicate says so (it is still recorded, with dropped set). */
  drop: ((d: TappedDatagram) => boolean) | undefined;
  readonly dropped: TappedDatagram[];
  close(): Promise<void>;
}

/** A tap's socket buffers: a release burst of a thousand answers must not overflow the relay itself. */
const TAP_BUFFER_BYTES = 8 * 1024 * 1024;

/**
 * Listens on 127.0.0.1:port (0: any free) and relays to `peer`; the other party is whoever sends first. The tap
 * loses only what `drop` says: its buffers are large (the kernel's caps raised when root), since a datagram lost in
 * the relay is one the test did not mean to lose (a UAS that answered a BYE whose 200 the tap lost has ended its
 * call, and answers the BYE's retransmissions no more).
 */
export async function startUdpTap(peer: { address: string; port: number }, port = 0): Promise<UdpTap> {
  raiseSocketBufferCaps(TAP_BUFFER_BYTES);
  const socket: Socket = createSocket({
    type: "udp4",
    recvBufferSize: TAP_BUFFER_BYTES,
    sendBufferSize: TAP_BUFFER_BYTES,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(port, "127.0.0.1", () => resolve());
  });
  let node: { address: string; port: number } | undefined;
  const tap: UdpTap = {
    port: socket.address().port,
    datagrams: [],
    dropped: [],
    drop: undefined,
    sent: () => tap.datagrams.filter((d) => d.direction === "to-peer").map((d) => d.data.toString("latin1")),
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
  socket.on("message", (data, from) => {
    const fromPeer = from.port === peer.port && from.address === peer.address;
    if (!fromPeer) node = { address: from.address, port: from.port };
    const d: TappedDatagram = { direction: fromPeer ? "from-peer" : "to-peer", data, at: performance.now() };
    if (tap.drop?.(d)) {
      tap.dropped.push(d);
      return;
    }
    tap.datagrams.push(d);
    const to = fromPeer ? node : peer;
    if (to !== undefined) socket.send(data, to.port, to.address);
  });
  return tap;
}

/**
 * A `drop` that loses each datagram with probability `rate`, drawn from a PRNG (mulberry32) seeded with `seed`:
 * the same traffic through the tap loses the same datagrams on every run. `only` limits it to one direction.
 */
export function seededLoss(
  rate: number,
  seed: number,
  only?: TappedDatagram["direction"],
): (d: TappedDatagram) => boolean {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return (d) => (only === undefined || d.direction === only) && next() < rate;
}
