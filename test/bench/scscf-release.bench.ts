// S-CSCF figures: end-to-end releases per second (SIPp establishes N dialogs through the node, one bulk release
// ends them, timed until the last of the 2N BYEs is answered and every record is gone), the exactly-once count
// from the SIPp side, and memory per tracked dialog (heap growth over 100,000 dialogs learnt from real messages).
// Figures for bench-results.json, never assertions.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { DialogRecord } from "../../generated/types/index.ts";
import { DialogRecords } from "../../src/nodes/scscf/dialog-records.ts";
import { confirmedDialog, earlyDialog } from "../../src/nodes/scscf/dialog-tracking.ts";
import { contacts, cseqOf, headerValue, recordRoutes } from "../../src/sip/header-access.ts";
import { formatNameAddr } from "../../src/sip/name-addr.ts";
import { parseMessage } from "../../src/sip/parse-message.ts";
import { formatUri } from "../../src/sip/uri.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import { eventually, type Scscf, startScscf } from "../nodes/scscf/scscf-harness.ts";
import { freeUdpPort } from "../support/free-port.ts";
import { startSipp } from "../support/sipp.ts";
import type { BenchFigure } from "./rules.bench.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

export interface BulkReleaseFigures {
  dialogs: number;
  seconds: number;
  perSecond: number;
  peakRssMiB: number;
  peakHeapMiB: number;
  successful: number;
  failed: number;
  recordsLeft: number;
}

/** SIPp sets up `n` dialogs through a fresh S-CSCF; one bulk release; time until every record is gone. */
export async function bulkReleaseRun(n: number, store = "memory"): Promise<BulkReleaseFigures> {
  const s: Scscf = await startScscf("udp", {
    store,
    // RFC 3261 default timers: under load nothing should need a retransmission.
    timers: { t1: 500, t2: 4000, t4: 5000 },
    scscf: { bulkReleaseConcurrency: 1024 },
  });
  const calleePort = await freeUdpPort();
  const wait = { BYE_WAIT_MS: 120_000, LINGER_MS: 4000, CALLEE_PORT: calleePort };
  const big = ["-buff_size", String(32 * 1024 * 1024), "-max_socket", "4096", "-watchdog_minor_threshold", "5000"];
  const callee = await startSipp({
    scenario: "scscf-load-callee.xml",
    local: { address: "127.0.0.1", port: calleePort },
    calls: n,
    timeoutMs: 180_000,
    traceMessages: false,
    fill: wait,
    args: big,
  });
  const caller = await startSipp({
    scenario: "scscf-load-caller.xml",
    local: { address: "127.0.0.1", port: await freeUdpPort() },
    remote: `127.0.0.1:${s.port}`,
    calls: n,
    rate: Math.min(n, 2000),
    limit: n,
    timeoutMs: 180_000,
    traceMessages: false,
    callId: "load-%u-%p@%s",
    fill: wait,
    args: [...big, "-rp", "1000"],
  });
  let peakRss = 0;
  let peakHeap = 0;
  const sample = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 20);
  try {
    await eventually(
      async () => {
        let confirmed = 0;
        for (const k of await s.node.dialogs.keys())
          if ((await s.node.dialogs.get(k))?.dialog.state === "confirmed") confirmed++;
        return confirmed;
      },
      (c) => c === n,
      `${n} confirmed dialogs`,
      180_000,
    );
    // Let the last ACKs land (they pass end to end, after the 2xx that confirms the dialog).
    await new Promise((r) => setTimeout(r, 500));
    const profiler = process.env.CLEARDOWN_BENCH_PROFILE ? await startProfile() : undefined;
    const started = performance.now();
    const r = await s.admin("POST", "/v1/dialogs/release", { all: true, cause: "administrative" });
    if (r.status !== 202 || r.body.started !== n) throw new Error(`bulk release: ${JSON.stringify(r.body)}`);
    while ((await s.node.dialogs.size()) > 0) await new Promise((res) => setTimeout(res, 5));
    const seconds = (performance.now() - started) / 1000;
    await profiler?.(`${process.env.CLEARDOWN_BENCH_PROFILE}.${n}.cpuprofile`);
    if (process.env.CLEARDOWN_BENCH_DEBUG) {
      let lastSent = 0;
      let lastAnswer = 0;
      let retrans = 0;
      for (const id of s.node.shell.traces.callIds()) {
        for (const e of s.node.shell.traces.get(id) ?? []) {
          if (e.direction === "sent" && e.label === "BYE") lastSent = Math.max(lastSent, e.at - started);
          if (e.direction === "received" && e.label.endsWith("(BYE)"))
            lastAnswer = Math.max(lastAnswer, e.at - started);
        }
      }
      retrans = Number((await s.node.shell.metrics.retransmissions.get()).values[0]?.value ?? 0);
      console.error({ lastSent, lastAnswer, retrans, seconds });
    }
    await Promise.all([caller.exited, callee.exited]);
    const cs = caller.stats();
    const es = callee.stats();
    return {
      dialogs: n,
      seconds,
      perSecond: n / seconds,
      peakRssMiB: peakRss / 2 ** 20,
      peakHeapMiB: peakHeap / 2 ** 20,
      successful: Math.min(cs.successful, es.successful),
      failed: cs.failed + es.failed,
      recordsLeft: await s.node.dialogs.size(),
    };
  } finally {
    clearInterval(sample);
    await caller.stop();
    await callee.stop();
    await s.close();
  }
}

/** Profiles this process (CLEARDOWN_BENCH_PROFILE=path): the returned function stops and writes the profile. */
async function startProfile(): Promise<(file: string) => Promise<void>> {
  const { Session } = await import("node:inspector/promises");
  const { writeFileSync } = await import("node:fs");
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  return async (file) => {
    const { profile } = await session.post("Profiler.stop");
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

/** Heap growth per dialog: `n` dialogs learnt from a parsed INVITE and 200 OK, each with its own strings. */
export async function memoryPerDialog(n: number): Promise<number> {
  const invite = (i: number) =>
    [
      `INVITE sip:bob@192.0.2.4:5070 SIP/2.0`,
      `Via: SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bK-${i};rport`,
      `Max-Forwards: 69`,
      `Record-Route: <sip:scscf.home1.net:5060;lr>`,
      `Record-Route: <sip:pcscf1.home1.net:7531;lr>`,
      `From: <sip:alice@home1.net>;tag=${1e9 + i}`,
      `To: <sip:bob@home2.net>`,
      `Call-ID: ${i}-a84b4c76e66710@pc33.home1.net`,
      `CSeq: 101 INVITE`,
      `Contact: <sip:alice@198.51.100.7:5062>`,
      `Content-Length: 0`,
      ``,
      ``,
    ].join("\r\n");
  const ok = (i: number) =>
    [
      `SIP/2.0 200 OK`,
      `Via: SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bK-${i};rport`,
      `Record-Route: <sip:icscf.home2.net;lr>`,
      `Record-Route: <sip:scscf.home1.net:5060;lr>`,
      `Record-Route: <sip:pcscf1.home1.net:7531;lr>`,
      `From: <sip:alice@home1.net>;tag=${1e9 + i}`,
      `To: <sip:bob@home2.net>;tag=${2e9 + i}`,
      `Call-ID: ${i}-a84b4c76e66710@pc33.home1.net`,
      `CSeq: 101 INVITE`,
      `Contact: <sip:bob@192.0.2.4:5070>`,
      `Content-Length: 0`,
      ``,
      ``,
    ].join("\r\n");
  const isOwn = (v: string) => v.includes("scscf.home1.net");
  const dialogs = new DialogRecords(new MemoryStore<DialogRecord>("bench"));
  const learn = async (i: number) => {
    const inv = parseMessage(invite(i));
    const res = parseMessage(ok(i));
    if (!inv.ok || !res.ok) throw new Error("bench messages must parse");
    const m = inv.message;
    const c = contacts(m);
    const early = earlyDialog(
      {
        callId: headerValue(m, "Call-ID")!,
        from: headerValue(m, "From")!,
        to: headerValue(m, "To")!,
        contact: c !== "*" ? formatUri(c[0].uri) : "",
        cseq: cseqOf(m)!.seq,
        recordRoute: recordRoutes(m).map(formatNameAddr),
        servedUser: "calling",
      },
      isOwn,
    );
    await dialogs.createEarly(early);
    const r = res.message;
    const rc = contacts(r);
    await dialogs.updateDialog(early.callId, (d) =>
      confirmedDialog(
        d,
        {
          to: headerValue(r, "To")!,
          contact: rc !== "*" ? formatUri(rc[0].uri) : "",
          recordRoute: recordRoutes(r).map(formatNameAddr),
        },
        isOwn,
      ),
    );
  };
  for (let i = 0; i < 1000; i++) await learn(i); // warm up, then measure from a settled heap
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 1000; i < 1000 + n; i++) await learn(i);
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  if ((await dialogs.size()) !== n + 1000) throw new Error("dialogs lost");
  return (after - before) / n;
}

export async function benchScscfRelease(): Promise<BenchFigure[]> {
  await bulkReleaseRun(200); // warm-up: JIT, sockets
  const r = await bulkReleaseRun(1000);
  const perDialog = await memoryPerDialog(100_000);
  return [
    {
      name: "scscf: dialogs released per second (SIPp 1,000 dialogs, one bulk release, until the last of 2,000 BYEs is answered)",
      value: Math.round(r.perSecond),
      unit: "dialogs/s",
    },
    { name: "scscf: bulk release of 1,000 dialogs, time", value: Math.round(r.seconds * 1000), unit: "ms" },
    { name: "scscf: 1,000-dialog run, SIPp calls with exactly one BYE each side", value: r.successful, unit: "calls" },
    { name: "scscf: 1,000-dialog run, SIPp calls failed (missing or duplicate BYE)", value: r.failed, unit: "calls" },
    { name: "scscf: 1,000-dialog run, dialog records left after the release", value: r.recordsLeft, unit: "records" },
    {
      name: "scscf: memory per tracked dialog (heap growth over 100,000, memory store)",
      value: Math.round(perDialog),
      unit: "B",
    },
  ];
}
