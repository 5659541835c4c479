// The test ports the harnesses hand to SIPp, redis-server and the megaco MG: never one the kernel's bind(0)
// could give a parallel test's node in the meantime (the cause of SIPp's "errno = 98" in CI).

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { freeTcpPort, freeUdpPort } from "./free-port.ts";

describe("test ports", () => {
  it("come from below the kernel's ephemeral range, each one once, in this worker's block", async () => {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    const ports = [
      ...(await Promise.all(Array.from({ length: 20 }, () => freeUdpPort()))),
      ...(await Promise.all(Array.from({ length: 20 }, () => freeTcpPort()))),
    ];
    expect(new Set(ports).size).toBe(40);
    for (const p of ports) expect(p).toBeLessThan(low);
    expect(Math.max(...ports) - Math.min(...ports)).toBeLessThan(400);
  });
});
