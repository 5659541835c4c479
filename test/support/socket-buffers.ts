// Load runs send thousands of datagrams at once: the kernel caps every socket's buffer at net.core.rmem_max /
// wmem_max (often 208 KiB to 4 MiB), whatever a program asks for. As root, raise the caps for the run.
import { readFileSync, writeFileSync } from "node:fs";
import { parseProcNetUdp } from "../../src/metrics/proc-net-udp.ts";

const caps = ["/proc/sys/net/core/rmem_max", "/proc/sys/net/core/wmem_max"];

/** Raises the caps to at least `bytes` where allowed; returns the receive cap in force. */
export function raiseSocketBufferCaps(bytes = 32 * 1024 * 1024): number {
  for (const file of caps) {
    try {
      if (Number(readFileSync(file, "utf8")) < bytes) writeFileSync(file, String(bytes));
    } catch {
      // not root, or no such sysctl here: the run goes on with the caps there are
    }
  }
  try {
    return Number(readFileSync(caps[0], "utf8"));
  } catch {
    return 0;
  }
}

/** Datagrams dropped so far at the loopback UDP sockets bound to each port (/proc/net/udp's drops column). */
export function udpDropsByPort(ports: number[]): number[] {
  const drops = new Map<number, number>();
  for (const s of parseProcNetUdp(readFileSync("/proc/net/udp", "utf8")))
    drops.set(s.port, (drops.get(s.port) ?? 0) + s.drops);
  return ports.map((p) => drops.get(p) ?? 0);
}
