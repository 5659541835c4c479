// UDP loss an operator can see on a real node's GET /metrics: each socket's granted buffers, the datagrams its
// UDP I/O thread dropped for a node that did not take them, and those the kernel dropped (the figure of
// /proc/net/udp for that socket). A burst is sent by another process while this thread (the node's) is blocked.
import { existsSync, readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { adminRequest } from "../../src/admin/admin-request.ts";
import { validateConfig } from "../../src/config/node-config.ts";
import { startGmscNode } from "../../src/nodes/gmsc/gmsc-node.ts";
import type { RunningNode } from "../../src/nodes/running-node.ts";
import { freeUdpPort } from "../support/free-port.ts";
import { metricValue } from "../support/metrics-text.ts";
import { silentLogger } from "../support/silent-logger.ts";
import { raiseSocketBufferCaps, udpDropsByPort } from "../support/socket-buffers.ts";
import { blockedBurst } from "../support/udp-burst.ts";

const TOKEN = "udp-metrics-test-token-0123456789";
const MiB = 2 ** 20;
const linux = existsSync("/proc/net/udp");

const nodes: RunningNode[] = [];
afterEach(async () => {
  for (const n of nodes.splice(0)) await n.close();
});

async function gmsc(udpIoThread: "on" | "off"): Promise<{ node: RunningNode; sip: number; mgc: number }> {
  const [sip, mgc] = [await freeUdpPort(), await freeUdpPort()];
  const node = await startGmscNode({
    config: validateConfig(
      {
        role: "gmsc",
        sip: [`udp://127.0.0.1:${sip}`],
        admin: "http://127.0.0.1:0",
        adminToken: TOKEN,
        store: "memory",
        udpIoThread,
        gmsc: { mgc: `udp://127.0.0.1:${mgc}`, routes: [{ target: "udp://127.0.0.1:9" }] },
      },
      "test GMSC",
    ),
    logger: silentLogger(),
  });
  nodes.push(node);
  return { node, sip, mgc };
}

async function scrape(node: RunningNode): Promise<string> {
  const r = await adminRequest(node.adminUrl, TOKEN, "GET", "/metrics");
  expect(r.status).toBe(200);
  return r.text;
}

type Protocol = "SIP" | "H.248";

const dropped = (t: string, protocol: Protocol, socket: string, where: "node" | "kernel") =>
  metricValue(t, "cleardown_udp_datagrams_dropped_total", { protocol, socket, where });
/** Garbage read by the node: dropped as malformed (SIP may answer one it can, none of these). */
const malformed = (t: string, protocol: Protocol) =>
  metricValue(t, "cleardown_malformed_messages_total", { protocol, outcome: "dropped" }) +
  metricValue(t, "cleardown_malformed_messages_total", { protocol, outcome: "answered" });
/** Every datagram of a burst of garbage: read by the node (malformed), or dropped by its I/O thread or the kernel. */
const accounted = (t: string, protocol: Protocol, socket: string) =>
  malformed(t, protocol) + dropped(t, protocol, socket, "node") + dropped(t, protocol, socket, "kernel");

/** Scrapes until every datagram sent is accounted for, at most 10 s. */
async function accountedFor(node: RunningNode, protocol: Protocol, socket: string, sent: number): Promise<string> {
  const end = Date.now() + 10_000;
  for (;;) {
    const t = await scrape(node);
    if (accounted(t, protocol, socket) >= sent || Date.now() > end) return t;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("UDP socket metrics of a GMSC", () => {
  it.each(["on", "off"] as const)(
    "udpIoThread %s: the granted buffers of its SIP and H.248 sockets, no drops",
    async (io) => {
      // Raised (never lowered) so the node gets what it asks; the expected figures come from the caps in force.
      raiseSocketBufferCaps(8 * MiB);
      const caps = linux
        ? ["rmem_max", "wmem_max"].map((c) => Number(readFileSync(`/proc/sys/net/core/${c}`, "utf8")))
        : [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
      const { node, sip, mgc } = await gmsc(io);
      const t = await scrape(node);
      for (const [protocol, socket, asked] of [
        ["SIP", `127.0.0.1:${sip}`, 8 * MiB],
        ["H.248", `127.0.0.1:${mgc}`, 4 * MiB],
      ] as const) {
        const buffer = (direction: string) =>
          metricValue(t, "cleardown_udp_buffer_bytes", { protocol, socket, direction });
        expect(buffer("receive"), `${protocol} receive`).toBe(Math.min(asked, caps[0]));
        expect(buffer("send"), `${protocol} send`).toBe(Math.min(asked, caps[1]));
        expect(t).toContain(
          `cleardown_udp_datagrams_dropped_total{protocol="${protocol}",socket="${socket}",where="node"} 0`,
        );
        if (linux)
          expect(t).toContain(
            `cleardown_udp_datagrams_dropped_total{protocol="${protocol}",socket="${socket}",where="kernel"} 0`,
          );
      }
      // One series per socket the node listens on, no more.
      expect(t.match(/^cleardown_udp_buffer_bytes\{/gm)).toHaveLength(4);
    },
  );

  // The I/O thread holds 8 MiB (SIP) or 4 MiB (H.248) for the blocked node, and drops the rest.
  it.each([
    ["SIP", 9000],
    ["H.248", 6000],
  ] as const)(
    "counts the %s datagrams its UDP I/O thread drops while the node does not take them",
    async (protocol, sent) => {
      expect(raiseSocketBufferCaps(8 * MiB), "net.core.rmem_max").toBeGreaterThanOrEqual(4 * MiB);
      const { node, sip, mgc } = await gmsc("on");
      const port = protocol === "SIP" ? sip : mgc;
      const socket = `127.0.0.1:${port}`;
      blockedBurst(port, sent, 1400);
      const t = await accountedFor(node, protocol, socket, sent);
      expect(dropped(t, protocol, socket, "node")).toBeGreaterThan(0);
      // Each datagram once, no more: none counted twice, none missed.
      expect(accounted(t, protocol, socket)).toBe(sent);
    },
    30_000,
  );

  it.runIf(linux)(
    "reports the kernel's drops at a socket read on the blocked thread, as /proc/net/udp has them",
    async () => {
      expect(raiseSocketBufferCaps(8 * MiB), "net.core.rmem_max").toBeGreaterThanOrEqual(4 * MiB);
      const { node, mgc } = await gmsc("off");
      const socket = `127.0.0.1:${mgc}`;
      // 8,000 datagrams of 1,400 octets (11 MiB) at a socket of 4 MiB nobody reads meanwhile.
      blockedBurst(mgc, 8000, 1400);
      const t = await accountedFor(node, "H.248", socket, 8000);
      const [proc] = udpDropsByPort([mgc]);
      expect(proc).toBeGreaterThan(0);
      expect(dropped(t, "H.248", socket, "kernel")).toBe(proc);
      expect(dropped(t, "H.248", socket, "node")).toBe(0);
      expect(malformed(t, "H.248") + proc).toBe(8000);
    },
    30_000,
  );
});
