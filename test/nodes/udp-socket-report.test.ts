// The start-up warning on a real socket: asked for more than net.core.rmem_max allows (read, never lowered: other
// tests need the caps raised), the kernel grants the cap, and one warning line names the socket, both sizes and
// the sysctl to run; asked for what the caps allow, no line.
import { existsSync, readFileSync } from "node:fs";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { NodeMetrics } from "../../src/metrics/metrics.ts";
import { reportUdpSocket } from "../../src/nodes/udp-socket-report.ts";
import { openUdpSocket, type UdpEndpoint } from "../../src/sip/transport/udp-endpoint.ts";
import { metricValue } from "../support/metrics-text.ts";

const open: UdpEndpoint[] = [];
afterEach(async () => {
  for (const e of open.splice(0)) await e.close();
});

/** A logger whose lines (parsed) land in `lines`. */
function capturing(lines: Array<Record<string, unknown>>) {
  const stream = new Writable({
    write(chunk, _, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return pino({ level: "info" }, stream);
}

async function reported(askedBytes: number) {
  const e = await openUdpSocket({ family: 4, address: "127.0.0.1", port: 0, bufferBytes: askedBytes });
  open.push(e);
  const lines: Array<Record<string, unknown>> = [];
  const metrics = new NodeMetrics();
  reportUdpSocket(capturing(lines), metrics.udp, "SIP", {
    address: e.address,
    port: e.port,
    askedBytes,
    buffers: e.buffers,
  });
  await new Promise((r) => setImmediate(r));
  return { e, lines, text: await metrics.text() };
}

const cap = (name: string) => Number(readFileSync(`/proc/sys/net/core/${name}`, "utf8"));

describe.runIf(existsSync("/proc/sys/net/core/rmem_max"))("the UDP buffer warning at start", () => {
  it("one warning line when the kernel granted less than asked, with the sizes and the sysctl", async () => {
    // Above any cap the tests raise (32 MiB at most), so a test raising it meanwhile does not make it enough.
    const asked = Math.max(32 * 2 ** 20, cap("rmem_max"), cap("wmem_max")) + 2 ** 20;
    const before = [cap("rmem_max"), cap("wmem_max")];
    const { e, lines, text } = await reported(asked);
    const after = [cap("rmem_max"), cap("wmem_max")];
    const socket = `127.0.0.1:${e.port}`;
    expect(lines).toHaveLength(1);
    const line = lines[0] as { level: number; msg: string; fix: string } & Record<string, { granted: number }>;
    expect(line.level).toBe(40);
    expect(line).toMatchObject({ protocol: "SIP", socket, receive: { asked }, send: { asked } });
    // The cap in force when the socket was opened (another test may raise it, never lower it).
    expect([before[0], after[0]]).toContain(line.receive.granted);
    expect([before[1], after[1]]).toContain(line.send.granted);
    expect(line.fix).toContain(`sysctl -w net.core.rmem_max=${asked} net.core.wmem_max=${asked}`);
    expect(line.msg).toMatch(/UDP socket buffer smaller than asked/);
    const receive = metricValue(text, "cleardown_udp_buffer_bytes", { protocol: "SIP", socket, direction: "receive" });
    expect(receive).toBe(line.receive.granted);
  });

  it("no line when the kernel granted what was asked", async () => {
    const { lines } = await reported(Math.min(2 ** 20, cap("rmem_max"), cap("wmem_max")));
    expect(lines).toEqual([]);
  });
});
