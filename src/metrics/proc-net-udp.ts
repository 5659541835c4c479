// The datagrams the kernel dropped at each UDP socket because its receive buffer was full: the last column
// ("drops") of /proc/net/udp and /proc/net/udp6, Linux only. Their addresses are hex 32-bit words printed in the
// host's byte order, so they are read back into bytes before they are compared with a socket's address.
import { readFile } from "node:fs/promises";
import { endianness } from "node:os";

export interface KernelUdpSocket {
  /** The bound address, canonical (see canonicalAddress). */
  address: string;
  port: number;
  drops: number;
}

/** An IP address written one way for every spelling of it: IPv4 dotted, IPv6 as RFC 5952 (a URL host) writes it. */
export function canonicalAddress(address: string): string {
  if (!address.includes(":")) return address;
  try {
    return new URL(`http://[${address.replace(/%.*$/, "")}]/`).hostname.slice(1, -1);
  } catch {
    return address.toLowerCase();
  }
}

/** The sockets of one file's text (a header line, then one line a socket). */
export function parseProcNetUdp(text: string, littleEndian = endianness() === "LE"): KernelUdpSocket[] {
  const sockets: KernelUdpSocket[] = [];
  for (const line of text.trim().split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    const [hex, port] = (fields[1] ?? "").split(":");
    if (hex === undefined || port === undefined || (hex.length !== 8 && hex.length !== 32)) continue;
    const bytes = Buffer.alloc(hex.length / 2);
    for (let w = 0; w < hex.length / 8; w++) {
      const word = Number.parseInt(hex.slice(w * 8, w * 8 + 8), 16);
      if (littleEndian) bytes.writeUInt32LE(word, w * 4);
      else bytes.writeUInt32BE(word, w * 4);
    }
    const address =
      bytes.length === 4
        ? bytes.join(".")
        : canonicalAddress(Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16)).join(":"));
    sockets.push({ address, port: Number.parseInt(port, 16), drops: Number(fields.at(-1)) });
  }
  return sockets;
}

/** Every UDP socket the kernel lists; undefined where it lists none (not Linux, or /proc not mounted). */
export async function readKernelUdpSockets(): Promise<KernelUdpSocket[] | undefined> {
  const texts = await Promise.all(
    ["/proc/net/udp", "/proc/net/udp6"].map((file) => readFile(file, "utf8").catch(() => undefined)),
  );
  if (texts.every((t) => t === undefined)) return undefined;
  return texts.flatMap((t) => (t === undefined ? [] : parseProcNetUdp(t)));
}

/** The kernel's drops at the socket bound to address:port; undefined if it lists no such socket. */
export function kernelDrops(sockets: KernelUdpSocket[], address: string, port: number): number | undefined {
  const want = canonicalAddress(address);
  let drops: number | undefined;
  for (const s of sockets) if (s.port === port && s.address === want) drops = (drops ?? 0) + s.drops;
  return drops;
}
