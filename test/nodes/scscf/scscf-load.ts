// A load run through a fresh S-CSCF node: SIPp establishes `n` dialogs (calling UE → S-CSCF → called UE), one
// bulk release ends them, and the run waits until every record is gone. Optionally both UEs sit behind lossy
// relays (a P-CSCF stand-in that drops a fraction of the datagrams each way, seeded so a run is repeatable).
// Used by the load and loss tests (with assertions) and by the benchmark (with figures).
import { readFileSync } from "node:fs";
import type { NodeConfig } from "../../../generated/types/index.ts";
import { freeUdpPort } from "../../support/free-port.ts";
import { startSipp } from "../../support/sipp.ts";
import { startUdpTap, type UdpTap } from "../../support/udp-tap.ts";
import { eventually, type Scscf, startScscf } from "./scscf-harness.ts";

export interface LoadOptions {
  dialogs: number;
  store?: string;
  /** Fraction of datagrams each relay drops, each way, from the release on (e.g. 0.2), and the seed of its choices. */
  loss?: { rate: number; seed: number };
  timers?: NodeConfig["timers"];
  /** Releases a bulk release runs at once (default 512). */
  window?: number;
  /** Called just before the release, and after it (to stop a profiler, say). */
  aroundRelease?: () => Promise<(label: string) => Promise<void>>;
}

export interface LoadResult {
  dialogs: number;
  /** From the bulk release request until the last record was gone. */
  seconds: number;
  peakRssMiB: number;
  peakHeapMiB: number;
  /** SIPp calls that got exactly one BYE and answered it, on each side. */
  callerSuccessful: number;
  calleeSuccessful: number;
  failed: number;
  recordsLeft: number;
  /** From /metrics: releases ended by the 2xx rule, by the failure extension, BYE retransmissions, drops. */
  completed: number;
  releaseFailures: number;
  retransmissions: number;
  dropped: number;
  /** CPU time during the release: this process (the node), and both SIPp processes together. */
  nodeCpuSeconds: number;
  /** Of that, the time the node's event loop was busy (the rest: GC and other helper threads). */
  mainThreadSeconds: number;
  sippCpuSeconds: number;
}

/** utime + stime of processes, in seconds (/proc/PID/stat; 0 where it cannot be read). */
function sippCpu(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone, or not Linux
    }
  }
  return ticks / 100;
}

/** A seeded PRNG (mulberry32): the same seed drops the same datagrams. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const metricSum = (text: string, name: string) =>
  text
    .split("\n")
    .filter((l) => l.startsWith(name))
    .reduce((sum, l) => sum + Number(l.split(" ").pop()), 0);

export async function loadRun(options: LoadOptions): Promise<LoadResult> {
  const n = options.dialogs;
  const s: Scscf = await startScscf("udp", {
    store: options.store ?? "memory",
    timers: options.timers ?? { t1: 500, t2: 4000, t4: 5000 },
    scscf: { bulkReleaseConcurrency: options.window ?? 512 },
    limits: { requestsPerSecond: 100_000, requestBurst: 100_000 },
    ...(process.env.CLEARDOWN_LOAD_NO_TRACES ? { traces: { maxCalls: 1, maxEntriesPerCall: 1, maxAgeMs: 1 } } : {}),
  });
  const taps: UdpTap[] = [];
  const calleePort = await freeUdpPort();
  const callerPort = await freeUdpPort();
  let callerSide = { port: s.port, proxy: "" };
  let calleeSide = calleePort;
  let calleeTap: UdpTap | undefined;
  let loseFromNowOn = () => {};
  if (options.loss) {
    const drop = random(options.loss.seed);
    const rate = options.loss.rate;
    // The caller sends to its relay, which forwards to the S-CSCF; the S-CSCF's BYE towards the caller goes to
    // the relay too (it is the caller's P-CSCF on the Record-Route). The called UE is reached through the other.
    const toScscf = await startUdpTap({ address: "127.0.0.1", port: s.port });
    const toCallee = await startUdpTap({ address: "127.0.0.1", port: calleePort });
    // The relays lose datagrams from the release on: the calls are set up cleanly, the release is what is tested.
    loseFromNowOn = () => {
      for (const t of [toScscf, toCallee]) t.drop = () => drop() < rate;
    };
    taps.push(toScscf, toCallee);
    callerSide = { port: toScscf.port, proxy: String(toScscf.port) };
    calleeSide = toCallee.port;
    calleeTap = toCallee;
  }
  const fill = {
    BYE_WAIT_MS: 120_000,
    LINGER_MS: options.loss ? 8000 : 4000,
    CALLEE_PORT: calleeSide,
    CONTACT_PORT: calleeSide,
    SCSCF: `127.0.0.1:${s.port}`,
    CALLER_PROXY_PORT: callerSide.proxy,
  };
  const big = ["-buff_size", String(32 * 1024 * 1024), "-max_socket", "4096", "-watchdog_minor_threshold", "5000"];
  const callee = await startSipp({
    scenario: "scscf-load-callee.xml",
    local: { address: "127.0.0.1", port: calleePort },
    calls: n,
    timeoutMs: 180_000,
    traceMessages: false,
    fill,
    args: big,
  });
  const caller = await startSipp({
    scenario: "scscf-load-caller.xml",
    local: { address: "127.0.0.1", port: callerPort },
    remote: `127.0.0.1:${callerSide.port}`,
    calls: n,
    rate: Math.min(n, 2000),
    limit: n,
    timeoutMs: 180_000,
    traceMessages: false,
    callId: "load-%u-%p@%s",
    fill,
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
        if (process.env.CLEARDOWN_LOAD_DEBUG) process.stderr.write(`confirmed ${confirmed}\n`);
        return confirmed;
      },
      (c) => c === n,
      `${n} confirmed dialogs`,
      180_000,
    );
    // Let the last ACKs land (they pass end to end, after the 2xx that confirms the dialog). Through lossy
    // relays, wait until the called UE's relay has delivered an ACK of every call: the caller had its 2xx
    // then, and the called UE waits for its BYE, not for an ACK.
    if (calleeTap) {
      await eventually(
        async () => {
          const acked = new Set<string>();
          for (const d of calleeTap.datagrams) {
            const text = d.data.toString("latin1");
            if (d.direction === "to-peer" && text.startsWith("ACK "))
              acked.add(/\r\nCall-ID: *([^\r]+)/i.exec(text)?.[1] ?? "");
          }
          return acked.size;
        },
        (k) => k === n,
        `an ACK of each of the ${n} calls delivered to the called UE`,
        60_000,
      );
    } else await new Promise((r) => setTimeout(r, 500));
    loseFromNowOn();
    const after = await options.aroundRelease?.();
    const cpu = {
      node: process.cpuUsage(),
      sipp: sippCpu([caller.pid, callee.pid]),
      elu: performance.eventLoopUtilization(),
    };
    const started = performance.now();
    const r = await s.admin("POST", "/v1/dialogs/release", { all: true, cause: "administrative" });
    if (r.status !== 202 || r.body.started !== n) throw new Error(`bulk release: ${JSON.stringify(r.body)}`);
    while ((await s.node.dialogs.size()) > 0) await new Promise((res) => setTimeout(res, 2));
    const seconds = (performance.now() - started) / 1000;
    const nodeCpu = process.cpuUsage(cpu.node);
    const elu = performance.eventLoopUtilization(cpu.elu);
    const sippCpuSeconds = sippCpu([caller.pid, callee.pid]) - cpu.sipp;
    await after?.(`${n}`);
    await Promise.all([caller.exited, callee.exited]);
    const metrics = String((await s.admin("GET", "/metrics")).body);
    const cs = caller.stats();
    const es = callee.stats();
    return {
      dialogs: n,
      seconds,
      peakRssMiB: peakRss / 2 ** 20,
      peakHeapMiB: peakHeap / 2 ** 20,
      callerSuccessful: cs.successful,
      calleeSuccessful: es.successful,
      failed: cs.failed + es.failed,
      recordsLeft: await s.node.dialogs.size(),
      completed: metricSum(
        metrics,
        'cleardown_releases_completed_total{rule="24.229:5.4.5.1.2/closing#release-dialog"}',
      ),
      releaseFailures: metricSum(metrics, "cleardown_releases_failed_total"),
      retransmissions: metricSum(metrics, 'cleardown_retransmissions_total{protocol="SIP"}'),
      dropped: taps.reduce((sum, t) => sum + t.dropped.length, 0),
      nodeCpuSeconds: (nodeCpu.user + nodeCpu.system) / 1e6,
      mainThreadSeconds: elu.active / 1000,
      sippCpuSeconds,
    };
  } finally {
    clearInterval(sample);
    await caller.stop();
    await callee.stop();
    for (const t of taps) await t.close();
    await s.close();
  }
}
