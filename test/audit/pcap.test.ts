// The pcap writer (src/audit/pcap.ts) on its own, over IPv4 and IPv6: tshark reads the file, finds the SIP and the
// MEGACO inside, and the IP and UDP checksums it is told to verify are right (none bad, none malformed).
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { pcapFile } from "../../src/trace/pcap.ts";

const dir = mkdtempSync(join(tmpdir(), "cleardown-pcap-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An OPTIONS as a UA at `host` (an IPv6 address in brackets) sends it. */
const options = (host: string) =>
  `OPTIONS sip:bob@example.net SIP/2.0\r\nVia: SIP/2.0/UDP ${host}:5060;branch=z9hG4bK-1\r\nMax-Forwards: 70\r\nFrom: <sip:alice@example.net>;tag=1\r\nTo: <sip:bob@example.net>\r\nCall-ID: pcap-1@example.net\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;
const subtract = "!/1 [127.0.0.1]:2944\nT=7{C=1{S=rtp/1}}\n";

describe("pcap files tshark reads", () => {
  it("SIP over IPv4 and IPv6, MEGACO over IPv4: each dissected, checksums verified, nothing malformed", async () => {
    const file = join(dir, "mixed.pcap");
    const t0 = Date.UTC(2026, 11, 6, 19, 0, 0, 123);
    writeFileSync(
      file,
      pcapFile([
        {
          time: t0,
          wire: {
            transport: "UDP",
            src: { address: "192.0.2.4", port: 5060 },
            dst: { address: "192.0.2.5", port: 5070 },
          },
          bytes: Buffer.from(options("192.0.2.4")),
        },
        {
          time: t0 + 1,
          wire: { transport: "UDP", src: { address: "::1", port: 5060 }, dst: { address: "2001:db8::5", port: 5060 } },
          bytes: Buffer.from(options("[::1]")),
        },
        {
          time: t0 + 2,
          wire: {
            transport: "UDP",
            src: { address: "127.0.0.1", port: 2944 },
            dst: { address: "127.0.0.1", port: 2945 },
          },
          bytes: Buffer.from(subtract),
        },
      ]),
    );
    const tshark = async (...args: string[]) =>
      (
        await promisify(execFile)(
          "tshark",
          ["-r", file, "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", ...args],
          { timeout: 60_000, env: { ...process.env, HOME: dir } },
        )
      ).stdout;
    expect(await tshark("-Y", "_ws.malformed || ip.checksum.status == 0 || udp.checksum.status == 0")).toBe("");
    const rows = (await tshark("-T", "fields", "-e", "frame.protocols", "-e", "ipv6.dst", "-e", "frame.time_epoch"))
      .trim()
      .split("\n")
      .map((l) => l.split("\t"));
    expect(rows.map((r) => r[0])).toEqual(["raw:ip:udp:sip", "raw:ipv6:udp:sip", "raw:ip:udp:megaco"]);
    expect(rows[1][1]).toBe("2001:db8::5");
    expect(Number(rows[0][2])).toBeCloseTo(t0 / 1000, 3);
    const checked = await tshark("-T", "fields", "-e", "udp.checksum.status");
    expect(checked.trim().split("\n")).toEqual(["1", "1", "1"]); // 1: good
  });
});
