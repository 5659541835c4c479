// A call's traced messages as a libpcap capture file (the classic format: a global header, then one record per
// packet), for Wireshark and tshark. The node keeps messages, not packets, so each is wrapped in synthetic IPv4 or
// IPv6 and UDP headers built from the real addresses and ports it crossed (linktype 101, raw IP). A message that
// went over TCP is written as one UDP datagram between the same ends: what a dissector needs to read it as SIP.
import type { WireAddresses } from "./call-trace.ts";

export interface CapturedMessage {
  /** Epoch milliseconds. */
  time: number;
  wire: WireAddresses;
  bytes: Buffer;
}

const LINKTYPE_RAW = 101;

function globalHeader(): Buffer {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0); // magic: microsecond timestamps, little-endian
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeInt32LE(0, 8); // thiszone
  h.writeUInt32LE(0, 12); // sigfigs
  h.writeUInt32LE(65535, 16); // snaplen
  h.writeUInt32LE(LINKTYPE_RAW, 20);
  return h;
}

/** The ones' complement sum of 16-bit words (RFC 1071), folded. */
function onesComplementSum(buffers: Buffer[], initial = 0): number {
  let sum = initial;
  for (const b of buffers) {
    for (let i = 0; i + 1 < b.length; i += 2) sum += b.readUInt16BE(i);
    if (b.length % 2 === 1) sum += b[b.length - 1] << 8;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

export function ipv4Bytes(address: string): Buffer {
  return Buffer.from(address.split(".").map(Number));
}

export function ipv6Bytes(address: string): Buffer {
  const [head, tail = ""] = address.split("::");
  const part = (s: string) => (s === "" ? [] : s.split(":"));
  const hs = part(head);
  const ts = part(tail);
  const groups = address.includes("::") ? [...hs, ...Array(8 - hs.length - ts.length).fill("0"), ...ts] : hs;
  const b = Buffer.alloc(16);
  for (const [i, g] of groups.entries()) b.writeUInt16BE(Number.parseInt(g || "0", 16), i * 2);
  return b;
}

function udp(src: number, dst: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(src, 0);
  h.writeUInt16BE(dst, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  return h;
}

/** An IP packet carrying `payload` in UDP between the message's ends, checksums filled in. */
export function ipPacket(wire: WireAddresses, payload: Buffer, id = 0): Buffer {
  const v6 = wire.src.address.includes(":");
  const u = udp(wire.src.port, wire.dst.port, payload);
  if (!v6) {
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + 8 + payload.length, 2);
    ip.writeUInt16BE(id & 0xffff, 4);
    ip.writeUInt16BE(0x4000, 6); // don't fragment
    ip[8] = 64;
    ip[9] = 17;
    ipv4Bytes(wire.src.address).copy(ip, 12);
    ipv4Bytes(wire.dst.address).copy(ip, 16);
    ip.writeUInt16BE(~onesComplementSum([ip]) & 0xffff, 10);
    const pseudo = Buffer.concat([ip.subarray(12, 20), Buffer.from([0, 17]), Buffer.alloc(2)]);
    pseudo.writeUInt16BE(8 + payload.length, 10);
    const sum = ~onesComplementSum([pseudo, u, payload]) & 0xffff;
    u.writeUInt16BE(sum === 0 ? 0xffff : sum, 6);
    return Buffer.concat([ip, u, payload]);
  }
  const ip = Buffer.alloc(40);
  ip.writeUInt32BE(0x60000000, 0);
  ip.writeUInt16BE(8 + payload.length, 4);
  ip[6] = 17;
  ip[7] = 64;
  ipv6Bytes(wire.src.address).copy(ip, 8);
  ipv6Bytes(wire.dst.address).copy(ip, 24);
  const pseudo = Buffer.alloc(40);
  ip.copy(pseudo, 0, 8, 40);
  pseudo.writeUInt32BE(8 + payload.length, 32);
  pseudo[39] = 17;
  const sum = ~onesComplementSum([pseudo, u, payload]) & 0xffff;
  u.writeUInt16BE(sum === 0 ? 0xffff : sum, 6);
  return Buffer.concat([ip, u, payload]);
}

function record(m: CapturedMessage, id: number): Buffer {
  const packet = ipPacket(m.wire, m.bytes, id);
  const h = Buffer.alloc(16);
  h.writeUInt32LE(Math.floor(m.time / 1000), 0);
  h.writeUInt32LE(Math.round((m.time % 1000) * 1000), 4);
  h.writeUInt32LE(packet.length, 8);
  h.writeUInt32LE(packet.length, 12);
  return Buffer.concat([h, packet]);
}

/** The capture file: messages in time order. */
export function pcapFile(messages: CapturedMessage[]): Buffer {
  const sorted = [...messages].sort((a, b) => a.time - b.time);
  return Buffer.concat([globalHeader(), ...sorted.map((m, i) => record(m, i + 1))]);
}

/** The trace entries that can be captured: those with their text and addresses kept. */
export function capturable(
  entries: Array<{ time?: number | string; wire?: WireAddresses; raw?: string }>,
): CapturedMessage[] {
  return entries.flatMap((e) =>
    e.wire && e.raw !== undefined && e.time !== undefined
      ? [
          {
            time: typeof e.time === "string" ? Date.parse(e.time) : e.time,
            wire: e.wire,
            bytes: Buffer.from(e.raw, "utf8"),
          },
        ]
      : [],
  );
}
