// HEP3 (the Homer Encapsulation Protocol, version 3) mirroring: a copy of every SIP and H.248 message a node sends
// or receives goes to a capture server (Homer, heplify-server) in one UDP datagram each — the addresses and ports
// it crossed, its time, its protocol, the Call-ID to correlate by, and its text. Fire and forget: a collector that
// is down costs the node nothing but the sends.
import { createSocket, type Socket } from "node:dgram";
import type { WireAddresses } from "./call-trace.ts";
import { ipv4Bytes, ipv6Bytes } from "./pcap.ts";

export type HepProtocol = "SIP" | "H.248";

export interface HepMessage {
  /** Epoch milliseconds. */
  time: number;
  wire: WireAddresses;
  protocol: HepProtocol;
  payload: Buffer;
  /** The Call-ID (SIP), for the collector to put a call's messages together. */
  correlationId?: string;
}

// Chunk types of HEP3 (vendor 0, the generic chunks).
const chunk = {
  family: 0x01,
  ipProtocol: 0x02,
  ipv4Src: 0x03,
  ipv4Dst: 0x04,
  ipv6Src: 0x05,
  ipv6Dst: 0x06,
  srcPort: 0x07,
  dstPort: 0x08,
  seconds: 0x09,
  microseconds: 0x0a,
  protocolType: 0x0b,
  captureId: 0x0c,
  payload: 0x0f,
  correlationId: 0x11,
} as const;

/** HEP protocol type ids: 1 SIP, 7 MEGACO (H.248). */
const protocolTypes: Record<HepProtocol, number> = { SIP: 0x01, "H.248": 0x07 };

function tlv(type: number, value: Buffer): Buffer {
  const head = Buffer.alloc(6);
  head.writeUInt16BE(0, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt16BE(6 + value.length, 4);
  return Buffer.concat([head, value]);
}

const u8 = (n: number) => Buffer.from([n]);
const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};

/** One HEP3 packet. */
export function hep3Packet(m: HepMessage, captureId = 2001): Buffer {
  const v6 = m.wire.src.address.includes(":");
  const chunks = [
    tlv(chunk.family, u8(v6 ? 10 : 2)),
    tlv(chunk.ipProtocol, u8(m.wire.transport === "UDP" ? 17 : 6)),
    v6 ? tlv(chunk.ipv6Src, ipv6Bytes(m.wire.src.address)) : tlv(chunk.ipv4Src, ipv4Bytes(m.wire.src.address)),
    v6 ? tlv(chunk.ipv6Dst, ipv6Bytes(m.wire.dst.address)) : tlv(chunk.ipv4Dst, ipv4Bytes(m.wire.dst.address)),
    tlv(chunk.srcPort, u16(m.wire.src.port)),
    tlv(chunk.dstPort, u16(m.wire.dst.port)),
    tlv(chunk.seconds, u32(Math.floor(m.time / 1000))),
    tlv(chunk.microseconds, u32(Math.round((m.time % 1000) * 1000))),
    tlv(chunk.protocolType, u8(protocolTypes[m.protocol])),
    tlv(chunk.captureId, u32(captureId)),
    ...(m.correlationId ? [tlv(chunk.correlationId, Buffer.from(m.correlationId, "utf8"))] : []),
    tlv(chunk.payload, m.payload),
  ];
  const body = Buffer.concat(chunks);
  return Buffer.concat([Buffer.from("HEP3", "ascii"), u16(6 + body.length), body]);
}

/** Sends HEP3 copies to a collector given as udp://HOST:PORT. */
export class HepMirror {
  private constructor(
    private readonly socket: Socket,
    private readonly host: string,
    private readonly port: number,
  ) {}

  static open(url: string): HepMirror {
    const m = /^udp:\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(url);
    if (!m) throw new Error(`hep: expected udp://HOST:PORT, found ${url}`);
    const host = m[1].replace(/^\[|\]$/g, "");
    const socket = createSocket(host.includes(":") ? "udp6" : "udp4");
    // A collector that is down answers with ICMP errors: they are no fault of the node's.
    socket.on("error", () => {});
    socket.unref();
    return new HepMirror(socket, host, Number(m[2]));
  }

  mirror(message: HepMessage): void {
    this.socket.send(hep3Packet(message), this.port, this.host);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
