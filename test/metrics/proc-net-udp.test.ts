// The kernel's per-socket drop counts read from /proc/net/udp{,6}: addresses are hex words in the host's byte
// order, matched against a socket's address however it is spelt.
import { createSocket, type Socket } from "node:dgram";
import { existsSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import {
  canonicalAddress,
  kernelDrops,
  parseProcNetUdp,
  readKernelUdpSockets,
} from "../../src/metrics/proc-net-udp.ts";

const HEAD =
  "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n";

const opened: Socket[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await new Promise<void>((r) => s.close(() => r()));
});

describe("/proc/net/udp", () => {
  it("reads a line's address, port and drops on a little-endian host and a big-endian one", () => {
    const le = `${HEAD}  71: 0100007F:13C4 00000000:0000 07 00000000:00000000 00:00000000 00000000  0  0 1571265 2 00000000631f691e 17\n`;
    expect(parseProcNetUdp(le, true)).toEqual([{ address: "127.0.0.1", port: 5060, drops: 17 }]);
    const be = le.replace("0100007F", "7F000001");
    expect(parseProcNetUdp(be, false)).toEqual([{ address: "127.0.0.1", port: 5060, drops: 17 }]);
  });

  it("reads an IPv6 address word by word, written canonically", () => {
    const line = `${HEAD} 3: 00000000000000000000000001000000:0B80 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 1 2 0 4\n`;
    expect(parseProcNetUdp(line, true)).toEqual([{ address: "::1", port: 2944, drops: 4 }]);
    const v6 = `${HEAD} 3: B80D0120000000000000000001000000:0B80 00000000000000000000000000000000:0000 07 0:0 0:0 0 0 0 1 2 0 9\n`;
    expect(parseProcNetUdp(v6, true)[0].address).toBe("2001:db8::1");
  });

  it("matches a socket by address and port, whatever the spelling; none listed is undefined", () => {
    const sockets = [
      { address: "::1", port: 5060, drops: 3 },
      { address: "127.0.0.1", port: 5060, drops: 5 },
    ];
    expect(kernelDrops(sockets, "0:0:0:0:0:0:0:1", 5060)).toBe(3);
    expect(kernelDrops(sockets, "127.0.0.1", 5060)).toBe(5);
    expect(kernelDrops(sockets, "127.0.0.1", 5061)).toBeUndefined();
    expect(canonicalAddress("2001:DB8:0:0::1")).toBe("2001:db8::1");
  });

  it.runIf(existsSync("/proc/net/udp6"))("finds this host's own sockets, IPv4 and IPv6, at 0 drops", async () => {
    const ports: number[] = [];
    for (const [type, address] of [
      ["udp4", "127.0.0.1"],
      ["udp6", "::1"],
    ] as const) {
      const s = createSocket(type);
      opened.push(s);
      await new Promise<void>((r) => s.bind(0, address, () => r()));
      ports.push(s.address().port);
    }
    const listed = await readKernelUdpSockets();
    expect(listed).toBeDefined();
    expect(kernelDrops(listed ?? [], "127.0.0.1", ports[0])).toBe(0);
    expect(kernelDrops(listed ?? [], "::1", ports[1])).toBe(0);
  });
});
