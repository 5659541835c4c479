// A free loopback port for a peer a test starts (the port is released before the peer binds it).
//
// Why not bind(0): the kernel hands out its ephemeral range to every bind(0) on the machine, so between
// releasing such a port and the peer (SIPp, redis-server) binding it, a parallel test's node could be given
// the same port. Ports here come from below the ephemeral range, which bind(0) never hands out, in a block of
// their own for each vitest worker, and each is probed free for UDP and TCP before it is handed out (never
// after: a probe holds the port for a moment, see sipp.ts waitBound).

import { createSocket } from "node:dgram";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

const BLOCK = 400;
const LOWEST = 16_000;

/** The first port of the kernel's ephemeral range (Linux; 32768 where it cannot be read). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > LOWEST + BLOCK ? low : 32_768;
  } catch {
    return 32_768;
  }
}

const blocks = Math.floor((ephemeralLow() - LOWEST) / BLOCK);
// A vitest worker has its own block; a script outside vitest (a bench) takes one by its pid.
const worker = Number(process.env.VITEST_POOL_ID ?? process.pid);
const first = LOWEST + (worker % blocks) * BLOCK;
// One count per process, whichever copy of this module asks. Vitest runs each test file in a process of its own with
// the same pool id, so each process starts at a random place in the block: a file does not hand out the very ports
// the file before it gave its peers (one of which may not have let its port go yet).
const shared = globalThis as { cleardownTestPorts?: { next: number } };
shared.cleardownTestPorts ??= { next: Math.floor(Math.random() * BLOCK) };
const counter = shared.cleardownTestPorts;

function udpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket(host.includes(":") ? "udp6" : "udp4");
    s.once("error", () => resolve(false));
    s.bind(port, host, () => s.close(() => resolve(true)));
  });
}

function tcpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

async function freePort(host: string): Promise<number> {
  for (let tries = 0; tries < BLOCK; tries++) {
    const port = first + (counter.next++ % BLOCK);
    if ((await udpFree(host, port)) && (await tcpFree(host, port))) return port;
  }
  throw new Error(`no free port on ${host} in ${first}–${first + BLOCK - 1} (this worker's block)`);
}

export function freeTcpPort(host = "127.0.0.1"): Promise<number> {
  return freePort(host);
}

export function freeUdpPort(host = "127.0.0.1"): Promise<number> {
  return freePort(host);
}
