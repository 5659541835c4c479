// UDP loss an operator can see, per socket the node listens on: the buffers the kernel granted it, and the
// datagrams dropped there, by the node (its UDP I/O thread held as much as it may for a node that had not taken
// it) and by the kernel (the socket's receive buffer was full). Labels: one socket is one series, no more.
import { Counter, Gauge, type Registry } from "prom-client";
import { hostPort } from "../net/host-port.ts";
import { type KernelUdpSocket, kernelDrops, readKernelUdpSockets } from "./proc-net-udp.ts";
import type { BufferDirection } from "./udp-buffer-grant.ts";

export type UdpProtocol = "SIP" | "H.248";

/** The `socket` label: address:port, an IPv6 address in brackets. */
export const socketLabel = hostPort;

interface Watched {
  protocol: UdpProtocol;
  address: string;
  port: number;
  nodeDrops: number;
}

export class UdpMetrics {
  private readonly sockets = new Map<string, Watched>();
  private readonly buffers: Gauge<"protocol" | "socket" | "direction">;

  /** `readKernel` lists the kernel's UDP sockets at each scrape (undefined: not Linux, no kernel figures). */
  constructor(registry: Registry, readKernel: () => Promise<KernelUdpSocket[] | undefined> = readKernelUdpSockets) {
    this.buffers = new Gauge({
      name: "cleardown_udp_buffer_bytes",
      help: "UDP socket buffers the kernel granted, by socket and direction (receive, send). Below what the node asks (SIP 8 MiB, H.248 4 MiB) the kernel capped them at net.core.rmem_max / wmem_max: raise those (sysctl) and restart the node, or bursts are dropped",
      labelNames: ["protocol", "socket", "direction"],
      registers: [registry],
    });
    const sockets = this.sockets;
    new Counter({
      name: "cleardown_udp_datagrams_dropped_total",
      help: 'UDP datagrams dropped at a socket of the node before it read them: where="kernel" the socket\'s receive buffer was full (raise net.core.rmem_max, see cleardown_udp_buffer_bytes), where="node" the node\'s UDP I/O thread held as much as it may for a busy node (the node is short of CPU: give it more, or spread the load). A dropped request or reply is retransmitted late, or lost',
      labelNames: ["protocol", "socket", "where"],
      registers: [registry],
      // Read when scraped: the kernel's figures from /proc, the node's as counted so far.
      async collect() {
        const kernel = await readKernel().catch(() => undefined);
        this.reset();
        for (const s of sockets.values()) {
          const labels = { protocol: s.protocol, socket: socketLabel(s.address, s.port) };
          this.inc({ ...labels, where: "node" }, s.nodeDrops);
          const drops = kernel && kernelDrops(kernel, s.address, s.port);
          if (drops !== undefined) this.inc({ ...labels, where: "kernel" }, drops);
        }
      },
    });
  }

  /** A socket the node listens on, with the buffers the kernel granted it (in the units asked for). */
  add(protocol: UdpProtocol, local: { address: string; port: number }, granted: Record<BufferDirection, number>): void {
    this.watched(protocol, local);
    const socket = socketLabel(local.address, local.port);
    for (const direction of ["receive", "send"] as const)
      this.buffers.set({ protocol, socket, direction }, granted[direction]);
  }

  /** Datagrams the node's UDP I/O thread dropped at a socket, as it reports them. */
  nodeDropped(protocol: UdpProtocol, local: { address: string; port: number }, dropped: number): void {
    this.watched(protocol, local).nodeDrops += dropped;
  }

  private watched(protocol: UdpProtocol, local: { address: string; port: number }): Watched {
    const key = `${protocol} ${socketLabel(local.address, local.port)}`;
    let s = this.sockets.get(key);
    if (!s) {
      s = { protocol, address: local.address, port: local.port, nodeDrops: 0 };
      this.sockets.set(key, s);
    }
    return s;
  }
}
