// A load run through an S-CSCF node: SIPp establishes `n` dialogs (calling UE → S-CSCF → called UE), one bulk
// release ends them, and the run waits until every record is gone — once per round, on the same node (a node
// runs for days: later rounds see it warm). Optionally both UEs sit behind lossy relays (a P-CSCF stand-in that
// drops a fraction of the datagrams each way, seeded so a run is repeatable). Used by the load and loss tests
// (with assertions) and by the benchmark (with figures).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { NodeConfig } from "../../../generated/types/index.ts";
import { startChildNode } from "../../support/child-node.ts";
import { freeTcpPort, freeUdpPort } from "../../support/free-port.ts";
import { metricSum } from "../../support/metrics-text.ts";
import { processCpuSeconds, processCpuSecondsOr0, threadCpuSeconds } from "../../support/process-cpu.ts";
import { startSipp } from "../../support/sipp.ts";
import { seededLoss, startUdpTap, type UdpTap } from "../../support/udp-tap.ts";
import { startViaRelay, type ViaRelay } from "../../support/via-relay.ts";
import { adminClient, eventually, type Scscf, startScscf, TOKEN } from "./scscf-harness.ts";

export interface LoadOptions {
  dialogs: number;
  store?: string;
  /** Fraction of datagrams each relay drops, each way, from the release on (e.g. 0.2), and the seed of its choices. */
  loss?: { rate: number; seed: number };
  timers?: NodeConfig["timers"];
  /** Releases a bulk release keeps under way at once (default 1024, as the node). */
  window?: number;
  /** The node in this process (default), or the deployed bundle (dist/, npm run build) in its own. */
  node?: "in-process" | "dist";
  /** Node.js options for the deployed bundle's process (as a service unit would give them). */
  nodeArgs?: string[];
  /** Rounds of set-up and release on the same node (default 1); the result is the last round's. */
  rounds?: number;
  /** Where to write a CPU profile of the node over each release (a new path each call), and how long. */
  profileTo?: () => string;
  profileMs?: number;
  /** What profileTo's profile is: the node's CPU (default) or its allocations (a sampling heap profile). */
  profileKind?: "cpu" | "heap";
  /** The node the bulk release is sent to: the one the dialogs were set up through (default), or a second node
   *  on the same (shared) store, which learnt none of them. */
  releaseThrough?: "same-node" | "other-node";
  /** Called just before a release (with the node the release goes to), and after it (to stop a profiler, say). */
  aroundRelease?: (releaser: { count(): Promise<number> }) => Promise<(label: string) => Promise<void>>;
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
  /** The release's time as the node measured it (its answer to the bulk release). */
  nodeSeconds: number;
  /** CPU time during the release: the node's process, and both SIPp processes together. */
  nodeCpuSeconds: number;
  /**
   * The node's main thread: in this process, the time its event loop was busy; the bundle's, its CPU time. The rest
   * is its I/O thread, the collector's helper threads and, in this process, the harness.
   */
  mainThreadSeconds: number | undefined;
  sippCpuSeconds: number;
  /** The node's garbage-collection pauses over the release (its cleardown_gc_pause_seconds_total). */
  gcPauseSeconds: number;
  /** Every round's figures, the first (cold) one first. */
  rounds: LoadResult[];
}

/** utime + stime of processes, in seconds (0 for one that is gone). */
const sippCpu = (pids: number[]) => pids.reduce((sum, pid) => sum + processCpuSecondsOr0(pid), 0);

/** The node under load as the run sees it: in this process, or the deployed bundle in a process of its own. */
interface LoadNode {
  port: number;
  admin: Scscf["admin"];
  /** Dialogs in its store, all or in one state. */
  count(state?: "confirmed"): Promise<number>;
  /** CPU seconds it has used; and, in this process, the busy time of its event loop. */
  cpu(): { total: number; mainThread?: number };
  memory(): { rss: number; heap?: number };
  close(): Promise<void>;
}

async function inProcessNode(config: Partial<NodeConfig>): Promise<LoadNode> {
  const s = await startScscf("udp", config);
  return {
    port: s.port,
    admin: s.admin,
    async count(state) {
      if (!state) return s.node.dialogs.size();
      let n = 0;
      for (const k of await s.node.dialogs.keys()) if ((await s.node.dialogs.get(k))?.dialog.state === state) n++;
      return n;
    },
    cpu() {
      const c = process.cpuUsage();
      return { total: (c.user + c.system) / 1e6, mainThread: performance.eventLoopUtilization().active / 1000 };
    },
    memory: () => ({ rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed }),
    close: () => s.close(),
  };
}

const dist = resolve(import.meta.dirname, "../../../dist/cleardown.js");

/** `node dist/cleardown.js serve --role scscf`: what operators deploy (build it first: npm run build). */
async function distNode(config: Partial<NodeConfig>, nodeArgs: string[]): Promise<LoadNode> {
  const [port, adminPort] = [await freeUdpPort(), await freeTcpPort()];
  const dir = mkdtempSync(join(tmpdir(), "cleardown-load-"));
  const file = join(dir, "scscf.json");
  writeFileSync(file, JSON.stringify(config));
  const child = startChildNode(
    dist,
    [
      "serve",
      "--role",
      "scscf",
      "--sip",
      `udp://127.0.0.1:${port}`,
      "--admin",
      `http://127.0.0.1:${adminPort}`,
      "--config",
      file,
    ],
    {
      env: { ...process.env, CLEARDOWN_ADMIN_TOKEN: TOKEN, CLEARDOWN_LOG_LEVEL: "warn" },
      boundMs: 600_000,
      nodeArgs,
    },
  );
  const admin = adminClient(`http://127.0.0.1:${adminPort}`);
  await eventually(
    () => admin("GET", "/v1/health").catch(() => ({ status: 0, body: undefined })),
    (r) => r.status === 200,
    `the bundle's node answering /v1/health\n${child.output()}`,
    20_000,
  );
  const stat = () => readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1].split(" ");
  return {
    port,
    admin,
    async count(state) {
      const r = await admin("GET", `/v1/dialogs?limit=0${state ? `&state=${state}` : ""}`);
      return state ? r.body.matching : r.body.count;
    },
    cpu: () => ({ total: processCpuSeconds(child.pid), mainThread: threadCpuSeconds(child.pid) }),
    memory: () => ({ rss: Number(stat()[21]) * 4096 }),
    async close() {
      child.signal("SIGTERM");
      await child.exited;
    },
  };
}

function nodeConfig(options: LoadOptions): Partial<NodeConfig> {
  return {
    store: options.store ?? "memory",
    timers: options.timers ?? { t1: 500, t2: 4000, t4: 5000 },
    scscf: { bulkReleaseConcurrency: options.window ?? 1024 },
    limits: { requestsPerSecond: 100_000, requestBurst: 100_000 },
  };
}

function startLoadNode(options: LoadOptions): Promise<LoadNode> {
  const config = nodeConfig(options);
  return options.node === "dist" ? distNode(config, options.nodeArgs ?? []) : inProcessNode(config);
}

/**
 * One node per store (`stores`, as LoadOptions.store), started once; their rounds alternate (the first store's, the
 * second's, … and again), so each store's rounds share the same stretch of the machine's time: a comparison of
 * stores without a node start between rounds. Each store's results, every round in order.
 */
export async function alternatingRounds(
  options: Omit<LoadOptions, "store" | "releaseThrough">,
  stores: (string | undefined)[],
  rounds: number,
): Promise<LoadResult[][]> {
  const nodes: LoadNode[] = [];
  try {
    for (const store of stores) nodes.push(await startLoadNode({ ...options, store }));
    const out: LoadResult[][] = stores.map(() => []);
    for (let k = 0; k < rounds; k++)
      for (const [i, node] of nodes.entries()) out[i]?.push(await round(node, { ...options, store: stores[i] }));
    return out;
  } finally {
    for (const node of nodes) await node.close();
  }
}

export async function loadRun(options: LoadOptions): Promise<LoadResult> {
  const config = nodeConfig(options);
  const s = await startLoadNode(options);
  const rounds: LoadResult[] = [];
  let other: LoadNode | undefined;
  try {
    if (options.releaseThrough === "other-node") other = await inProcessNode(config);
    for (let k = 0; k < (options.rounds ?? 1); k++) rounds.push(await round(s, options, other));
  } finally {
    await other?.close();
    await s.close();
  }
  return { ...rounds[rounds.length - 1], rounds };
}

async function round(s: LoadNode, options: LoadOptions, releaser: LoadNode = s): Promise<LoadResult> {
  const n = options.dialogs;
  const before = String((await releaser.admin("GET", "/metrics")).body);
  const taps: UdpTap[] = [];
  const calleePort = await freeUdpPort();
  const callerPort = await freeUdpPort();
  let callerSide = { port: s.port, proxy: "" };
  let calleeSide = calleePort;
  let calleeTap: UdpTap | undefined;
  let loseFromNowOn = () => {};
  if (options.loss) {
    const { rate, seed } = options.loss;
    // The caller sends to its relay, which forwards to the S-CSCF; the S-CSCF's BYE towards the caller goes to
    // the relay too (it is the caller's P-CSCF on the Record-Route). The called UE is reached through the other.
    const toScscf = await startUdpTap({ address: "127.0.0.1", port: s.port });
    const toCallee = await startUdpTap({ address: "127.0.0.1", port: calleePort });
    // The relays lose datagrams from the release on: the calls are set up cleanly, the release is what is tested.
    loseFromNowOn = () => {
      toScscf.drop = seededLoss(rate, seed);
      toCallee.drop = seededLoss(rate, seed + 1);
    };
    taps.push(toScscf, toCallee);
    callerSide = { port: toScscf.port, proxy: String(toScscf.port) };
    calleeSide = toCallee.port;
    calleeTap = toCallee;
  }
  // Released through another node: the UEs answer its BYEs where their Via says, not to the node they called.
  const relays: ViaRelay[] = [];
  if (releaser !== s) {
    if (options.loss) throw new Error("loadRun: loss and releaseThrough other-node do not go together");
    const toCaller = await startViaRelay({ port: callerPort }, { port: s.port });
    const toCallee = await startViaRelay({ port: calleePort }, { port: s.port });
    relays.push(toCaller, toCallee);
    callerSide = { port: toCaller.port, proxy: String(toCaller.port) };
    calleeSide = toCallee.port;
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
    const m = s.memory();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heap ?? 0);
  }, 20);
  try {
    await eventually(
      () => s.count("confirmed"),
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
    const after = await options.aroundRelease?.(releaser);
    const cpu = { node: s.cpu(), sipp: sippCpu([caller.pid, callee.pid]) };
    // A CPU profile of the node over the release (its debug route), when asked for.
    const profiling = options.profileTo
      ? s.admin("POST", `/v1/debug/${options.profileKind ?? "cpu"}-profile?ms=${options.profileMs ?? 400}`)
      : undefined;
    // The collector's pauses over the release alone (the round's other counters include its set-up).
    const atRelease = String((await releaser.admin("GET", "/metrics")).body);
    const started = performance.now();
    // The bulk release answers once every release it started has ended: each dialog released after its two
    // BYEs were answered (the time is taken here, and by the node itself as elapsedMs).
    const r = await releaser.admin("POST", "/v1/dialogs/release", { all: true, cause: "administrative" });
    if (r.status !== 202 || r.body.started !== n) throw new Error(`bulk release: ${JSON.stringify(r.body)}`);
    while ((await s.count()) > 0) await new Promise((res) => setTimeout(res, 2));
    const seconds = (performance.now() - started) / 1000;
    const nodeCpu = s.cpu();
    if (profiling && options.profileTo) writeFileSync(options.profileTo(), JSON.stringify((await profiling).body));
    const sippCpuSeconds = sippCpu([caller.pid, callee.pid]) - cpu.sipp;
    await after?.(`${n}`);
    await Promise.all([caller.exited, callee.exited]);
    const after_ = String((await releaser.admin("GET", "/metrics")).body);
    // Counters of this round: the node's totals now, less what they were before it.
    const delta = (name: string) => metricSum(after_, name) - metricSum(before, name);
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
      recordsLeft: await s.count(),
      completed: delta('cleardown_releases_completed_total{rule="24.229:5.4.5.1.2/1#bye-to-called"}'),
      releaseFailures: delta("cleardown_releases_failed_total"),
      retransmissions: delta('cleardown_retransmissions_total{protocol="SIP"}'),
      dropped: taps.reduce((sum, t) => sum + t.dropped.length, 0),
      nodeSeconds: r.body.elapsedMs / 1000,
      nodeCpuSeconds: nodeCpu.total - cpu.node.total,
      mainThreadSeconds: nodeCpu.mainThread === undefined ? undefined : nodeCpu.mainThread - (cpu.node.mainThread ?? 0),
      sippCpuSeconds,
      gcPauseSeconds:
        metricSum(after_, "cleardown_gc_pause_seconds_total") -
        metricSum(atRelease, "cleardown_gc_pause_seconds_total"),
      rounds: [],
    };
  } finally {
    clearInterval(sample);
    await caller.stop();
    await callee.stop();
    for (const t of taps) await t.close();
    for (const r of relays) await r.close();
  }
}
