// Tells the operator about each UDP socket the node opened: its buffers as metrics, and a warning at start when
// the kernel granted less than the node asked for (it caps them at net.core.rmem_max / wmem_max without a word,
// and a burst beyond them is dropped: BYE responses, MG replies, retransmitted later or never).
import type { Logger } from "pino";
import { grantedBytes, shortBuffers } from "../metrics/udp-buffer-grant.ts";
import { socketLabel, type UdpMetrics, type UdpProtocol } from "../metrics/udp-metrics.ts";

export interface OpenedUdpSocket {
  address: string;
  port: number;
  askedBytes: number;
  /** As the kernel reports them (getsockopt). */
  buffers: { receive: number; send: number };
}

/** Its granted buffers to the metrics; one warning line if either is below what was asked. */
export function reportUdpSocket(log: Logger, metrics: UdpMetrics, protocol: UdpProtocol, s: OpenedUdpSocket): void {
  const granted = { receive: grantedBytes(s.buffers.receive), send: grantedBytes(s.buffers.send) };
  metrics.add(protocol, s, granted);
  const short = shortBuffers(s.askedBytes, granted);
  if (short.length === 0) return;
  const caps = short.map((b) => `net.core.${b.direction === "receive" ? "rmem_max" : "wmem_max"}=${b.asked}`);
  log.warn(
    {
      protocol,
      socket: socketLabel(s.address, s.port),
      ...Object.fromEntries(short.map((b) => [b.direction, { asked: b.asked, granted: b.granted }])),
      fix: `sysctl -w ${caps.join(" ")} (and in /etc/sysctl.d/ to keep it), then restart the node`,
    },
    "UDP socket buffer smaller than asked: the kernel capped it at net.core.rmem_max/wmem_max; a burst beyond it is dropped",
  );
}
