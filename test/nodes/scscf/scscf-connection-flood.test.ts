// Issue 20 item 1 under load: 3,000 half-open SIP/TCP connections against a `cleardown serve` S-CSCF whose
// open-file limit is 1024 (prlimit). The connections come from twelve loopback addresses (127.0.0.2–13; 600
// from the first), each sending the start of an INVITE and nothing more. The node holds at most its cap (1024
// less the descriptor reserve), closes the rest at once (per-source and total cap, counted), and throughout
// /v1/health answers and a SIPp call through it is set up and released with both BYEs right. Then a message
// declaring Content-Length: 60000 that sends 100 octets is dropped at its body timeout and counted. The test
// closes every socket it opened.
import { readdirSync, readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { freeTcpPort, freeUdpPort } from "../../support/free-port.ts";
import { metricValue } from "../../support/metrics-text.ts";
import { ALICE, BOB, bye, eventually, releaseCall } from "./scscf-harness.ts";
import { type ScscfProcess, startScscfProcess } from "./scscf-process.ts";

const C = "24.229:5.4.5.1.2";
const OPEN_FILES = 1024;
const RESERVE = 128;
const CONNECTIONS = 3000;
const SOURCES = 12;
const PER_SOURCE = 128;

const sockets: Socket[] = [];
let node: ScscfProcess | undefined;
afterAll(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await node?.stop();
});

const refusedBy = (metrics: string, reason: string) =>
  metricValue(metrics, "cleardown_sip_connections_closed_total", { reason });

/** Opens one connection and sends the start of a request head, never its end; resolves once connected or refused. */
function halfOpen(port: number, localAddress: string, state: { refused: number }): Promise<void> {
  return new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port, localAddress });
    sockets.push(s);
    s.on("error", () => {});
    s.once("close", () => {
      state.refused++;
      resolve();
    });
    s.once("connect", () => {
      s.write("INVITE sip:bob@home.test SIP/2.0\r\nVia: SIP/2.0/TCP ");
      resolve();
    });
  });
}

describe("S-CSCF under 3,000 half-open TCP connections at ulimit -n 1024 (cleardown serve, SIPp UEs)", () => {
  it(`${C}/3 ${C}/4 health answers and a call is set up and released throughout; the connections over the caps are closed at once and counted`, async () => {
    const tcpPort = await freeTcpPort();
    node = await startScscfProcess({
      name: "scscf-flood",
      sipPort: await freeUdpPort(),
      tcpSipPort: tcpPort,
      adminPort: await freeTcpPort(),
      openFiles: OPEN_FILES,
      // Connections held for the whole test: the caps, not the timeouts, are what is shown here.
      config: {
        limits: { tcp: { headerTimeoutMs: 300_000, bodyTimeoutMs: 1000, maxConnectionsPerSource: PER_SOURCE } },
      },
    });
    const n = node;
    expect(readFileSync(`/proc/${n.pid}/limits`, "utf8")).toMatch(/^Max open files\s+1024\s/m);

    // Liveness is probed every 100 ms from here to the end; every probe must be answered 200.
    const probes: Array<number | string> = [];
    let probing = true;
    const prober = (async () => {
      // At least eleven probes while the flood holds its connections, however fast the call below goes.
      while (probing || probes.length <= 10) {
        probes.push(
          await n.admin("GET", "/v1/health").then(
            (r) => r.status,
            (e: Error) => e.message,
          ),
        );
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    const state = { refused: 0 };
    const opening: Array<Promise<void>> = [];
    for (let i = 0; i < CONNECTIONS; i++) {
      // The first 600 from one address (over its cap of 128), the rest spread over eleven (over the total cap).
      const source = i < 600 ? 2 : 3 + (i % (SOURCES - 1));
      opening.push(halfOpen(tcpPort, `127.0.0.${source}`, state));
      // In waves, as a flood from several hosts arrives; each wave connected (or refused) before the next.
      if (opening.length === 250) await Promise.all(opening.splice(0));
    }
    await Promise.all(opening);
    const cap = OPEN_FILES - RESERVE;
    const metrics = await eventually(
      async () => (await n.admin("GET", "/metrics")).body as string,
      // Connected at our end means in the node's accept queue: it may still be taking the last of them.
      (t) =>
        metricValue(t, "cleardown_sip_connections") === cap &&
        refusedBy(t, "total-cap") + refusedBy(t, "per-source-cap") === CONNECTIONS - cap,
      "the node holding its cap of connections and every other one refused",
    );
    const byTotal = refusedBy(metrics, "total-cap");
    const bySource = refusedBy(metrics, "per-source-cap");
    expect(bySource).toBeGreaterThan(0);
    expect(byTotal).toBeGreaterThan(0);
    expect(metricValue(metrics, "cleardown_sip_connections_closed_total", { reason: "accept-error" })).toBe(0);
    await eventually(
      async () => state.refused,
      (r) => r === CONNECTIONS - cap,
      "the refused connections closed at the attacker's end",
    );
    expect(readdirSync(`/proc/${n.pid}/fd`).length).toBeLessThan(OPEN_FILES);

    // A call through the node while the flood holds its connections: set up, released, both BYEs checked.
    const callId = "sipp-flood-1@127.0.0.1";
    await releaseCall(
      n,
      { scscf: n, served: "called", callId, fromTag: "afl", toTag: "bfl", cseq: 9, calleeCseq: 70 },
      (p) => ({
        toCallee: bye(p.calleeContact, BOB, "bfl", ALICE, "afl", callId, "10 BYE", null),
        toCaller: bye(p.callerContact, ALICE, "afl", BOB, "bfl", callId, "71 BYE", p.callerPcscf),
      }),
      { ready: (d) => d.cseqCalledToCalling === 70 },
    );
    probing = false;
    await prober;
    expect(probes.length).toBeGreaterThan(10);
    expect(probes.filter((p) => p !== 200)).toEqual([]);

    // The attacker lets go: the node forgets every connection.
    for (const s of sockets.splice(0)) s.destroy();
    const held = async () =>
      metricValue((await n.admin("GET", "/metrics")).body as string, "cleardown_sip_connections");
    await eventually(held, (c) => c === 0, "no connection held");

    // A slow body: Content-Length 60000, 100 octets sent, then nothing. Dropped at the body timeout, counted.
    const slow = connect({ host: "127.0.0.1", port: tcpPort, localAddress: "127.0.0.30" });
    sockets.push(slow);
    slow.on("error", () => {});
    const slowClosed = new Promise((r) => slow.once("close", r));
    await new Promise((r) => slow.once("connect", r));
    slow.write(
      "MESSAGE sip:bob@home.test SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.30:1;branch=z9hG4bKslow\r\nMax-Forwards: 70\r\n" +
        "From: <sip:alice@home.test>;tag=s1\r\nTo: <sip:bob@home.test>\r\nCall-ID: slow@test\r\n" +
        "CSeq: 1 MESSAGE\r\nContent-Length: 60000\r\n\r\n",
    );
    slow.write(Buffer.alloc(100, 0x41));
    await slowClosed;
    const after = (await n.admin("GET", "/metrics")).body as string;
    expect(metricValue(after, "cleardown_sip_connections_closed_total", { reason: "body-timeout" })).toBe(1);
    expect(metricValue(after, "cleardown_sip_connections_closed_total", { reason: "header-timeout" })).toBe(0);
  }, 180_000);
});
