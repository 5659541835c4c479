// A GMSC under load as the benchmark drives it: the node in a process of its own (`cleardown serve`), SIPp as the
// preceding and succeeding nodes talking to it directly, the Erlang/OTP megaco MG registered with it directly — no
// taps relaying datagrams, and the MG's output read here, in the driving process, so the node's CPU is the node's
// own. SIPp's message trace is off during the load (its counters are read from its stats file). Each round places
// `calls` calls and then checks what the issue asks of them: every call had its two Adds and two Subtracts at the
// MG, no call failed at either SIPp, nothing is left at the GMSC (GET /v1/calls) or the MG (its contexts). The MG
// tallies its commands and each context's terminations instead of printing a line per command (the lines cost the
// MG and this process more per call than the SIPps), and each round reports the CPU of every process kind and of
// the whole machine over the round, so a figure says whether the node or the machine was the limit.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { MegacoMg } from "../../peers/megaco/mg.ts";
import { startMegacoMg } from "../../peers/megaco/mg.ts";
import { freeTcpPort, freeUdpPort } from "../../support/free-port.ts";
import { metricSum } from "../../support/metrics-text.ts";
import {
  machineCpuSeconds,
  processCpuSeconds,
  reapedChildrenCpuSeconds,
  threadCpuSeconds,
} from "../../support/process-cpu.ts";
import { startSipp } from "../../support/sipp.ts";
import { udpDropsByPort } from "../../support/socket-buffers.ts";
import { CALLED, waitFor } from "./gmsc-harness.ts";
import { type GmscProcess, startGmscProcess } from "./gmsc-process.ts";
import { isupFiles } from "./isup.ts";

export interface GmscLoadOptions {
  /** The node's store (default memory), e.g. a redis:// URL. */
  store?: string;
  /** The store's server process (redis-server), whose CPU a round reports. */
  storePid?: number;
  name?: string;
  /** The deployed bundle with the README's Node.js flags (build it first: npm run build), as operators run it. */
  deployed?: boolean;
}

export interface RoundResult {
  calls: number;
  /** From starting SIPp until the last call's BYE was answered. */
  seconds: number;
  callsPerSecond: number;
  /** The node process's CPU (utime + stime, every thread) from the start until the MG had every Subtract. */
  nodeCpuSeconds: number;
  /** The node's main thread alone (its schedstat), over the same window. */
  mainThreadSeconds: number;
  /** The node's garbage-collection pauses over the same window (its cleardown_gc_pause_seconds_total). */
  gcPauseSeconds: number;
  /**
   * At the preceding SIPp: the mean call length (INVITE sent to BYE answered) and the most calls at once its
   * statistics saw (sampled once a second). Little's law: calls at once = rate × call length, so a round whose peak is at
   * the limit was capped by it.
   */
  callSeconds: number;
  peakAtOnce: number;
  /**
   * Datagrams the kernel dropped at each peer's UDP socket in the round, its receive buffer full (/proc/net/udp):
   * a dropped request or reply costs its sender a retransmission timer (SIP T1, the H.248 timers), not CPU.
   */
  udpDrops: { nodeSip: number; nodeMgc: number; mg: number; sipps: number };
  /** CPU seconds of each process kind over the same window, and of the whole machine (every process). */
  cpu: RoundCpu;
  /** The MG's Add, Modify and Subtract commands of this round, and the contexts the Adds and Subtracts touched. */
  adds: number;
  modifies: number;
  subtracts: number;
  contexts: number;
  /** What the checks found wrong (empty: every call passed, nothing left), with the node's own log of it. */
  problems: string[];
}

export interface RoundCpu {
  node: number;
  nodeMainThread: number;
  /** The Erlang megaco MG (beam.smp). */
  mg: number;
  /** Both SIPps, from their start to their exit (as this process's reaped children). */
  sipp: number;
  /** redis-server, when the node's store is one. */
  store: number;
  /** This process (the load driver: it starts the peers and checks the round). */
  bench: number;
  /** Every CPU of the machine, busy (everything but idle and iowait; /proc/stat), whoever used it. */
  machine: number;
}

export interface GmscLoad {
  node: GmscProcess;
  mg: MegacoMg;
  /**
   * Places `calls` calls at up to `rate` per second with at most `limit` at once, and checks them: `problems`
   * names what is wrong unless every call passed and nothing was left. `during` runs while the load is on.
   */
  round(
    calls: number,
    rate: number,
    limit: number,
    during?: (node: GmscProcess) => Promise<void>,
  ): Promise<RoundResult>;
  close(): Promise<void>;
}

/** SIPp's socket buffers for a burst of calls at once (the kernel caps them at net.core.rmem_max / wmem_max). */
const sippBuffers = ["-buff_size", String(8 * 2 ** 20)];

const scenarios = { preceding: "gmsc-preceding-bye.xml", succeeding: "gmsc-succeeding-answer.xml" };

/** The mean call length (CallLength(C), "HH:MM:SS:micros") and the peak CurrentCall of a SIPp statistics file. */
export function sippCallLength(csv: string): { callSeconds: number; peakAtOnce: number } {
  const rows = csv
    .trim()
    .split("\n")
    .map((r) => r.split(";"));
  const head = rows[0] ?? [];
  const [length, current] = [head.indexOf("CallLength(C)"), head.indexOf("CurrentCall")];
  const [h, m, sec, micros] = (rows.at(-1)?.[length] ?? "").split(":").map(Number);
  return {
    callSeconds: h * 3600 + m * 60 + sec + micros / 1e6,
    peakAtOnce: Math.max(...rows.slice(1).map((r) => Number(r[current]))),
  };
}

const ownCpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/**
 * What is wrong with the MG's side of `calls` calls (each context's terminations as the MG's tally has them): each
 * context two terminations added, the same two subtracted.
 */
export function mgProblems(byContext: Map<number, { adds: string[]; subtracts: string[] }>, calls: number): string[] {
  const problems: string[] = [];
  if (byContext.size !== calls) problems.push(`${byContext.size} contexts at the MG for ${calls} calls`);
  for (const [id, c] of byContext) {
    const same = [...c.adds].sort().join(",") === [...c.subtracts].sort().join(",");
    if (c.adds.length !== 2 || !same) problems.push(`context ${id}: Adds ${c.adds} Subtracts ${c.subtracts}`);
  }
  return problems.slice(0, 10);
}

export async function startGmscLoad(options: GmscLoadOptions = {}): Promise<GmscLoad> {
  const [sipPort, mgcPort, adminPort, precedingPort, succeedingPort] = await Promise.all([
    freeUdpPort(),
    freeUdpPort(),
    freeTcpPort(),
    freeUdpPort(),
    freeUdpPort(),
  ]);
  const node = await startGmscProcess({
    name: options.name ?? "GMSC",
    sipPort,
    mgcPort,
    adminPort,
    ...(options.store ? { store: options.store } : {}),
    ...(options.deployed ? { deployed: true } : {}),
    config: {
      // Annex D.1-like timers: a loaded MG is slow, not gone; SIP's T1 as deployed.
      timers: { t1: 500, t2: 4000, t4: 5000 },
      // One SIPp is one source sending two requests a call: the per-source limit is not what is measured.
      limits: { requestsPerSecond: 100_000, requestBurst: 100_000 },
      gmsc: {
        mgcTimers: { initialRetransmitMs: 500, maxRetransmitMs: 4000, maxAttempts: 5, replyCacheMs: 10_000 },
        routes: [{ prefix: "49", target: `udp://127.0.0.1:${succeedingPort}` }],
      },
    },
  });
  let mg: MegacoMg;
  try {
    mg = await startMegacoMg(mgcPort, { tally: true });
  } catch (err) {
    await node.stop();
    throw err;
  }
  const isup = isupFiles();

  return {
    node,
    mg,
    async round(calls, rate, limit, during) {
      await mg.resetTally();
      const logMark = node.output().length;
      // What an earlier round left (and reported) is not this round's.
      const heldBefore = new Set(await mg.contexts());
      const callsBefore = (await node.admin("GET", "/v1/calls")).body.calls.length as number;
      const timeoutMs = 60_000 + Math.ceil((calls / Math.min(rate, 100)) * 1000);
      const storeCpu = () => (options.storePid === undefined ? 0 : processCpuSeconds(options.storePid));
      const snapshot = () => ({
        node: processCpuSeconds(node.pid),
        nodeMainThread: threadCpuSeconds(node.pid),
        mg: processCpuSeconds(mg.pid),
        sipp: reapedChildrenCpuSeconds(),
        store: storeCpu(),
        bench: ownCpuSeconds(),
        machine: machineCpuSeconds(),
      });
      const gcPaused = async () =>
        metricSum((await node.admin("GET", "/metrics")).text, "cleardown_gc_pause_seconds_total");
      const paused0 = await gcPaused();
      const cpu0 = snapshot();
      const drops0 = udpDropsByPort([sipPort, mgcPort, mg.port]);
      // SIPp's sockets close when it exits: their drops are read while they run.
      const sippDrops = [0, 0];
      const readSippDrops = () =>
        udpDropsByPort([precedingPort, succeedingPort]).forEach((d, i) => {
          sippDrops[i] = Math.max(sippDrops[i], d);
        });
      const dropsTimer = setInterval(readSippDrops, 250);
      const started = performance.now();
      // SIPp's Via and Contact name its own port: the GMSC answers SIPp itself (TAP: no tap in between).
      const callee = await startSipp({
        scenario: scenarios.succeeding,
        local: { address: "127.0.0.1", port: succeedingPort },
        fill: { TAP: succeedingPort, HOLD_MS: 0, RING_AFTER_MS: 0, BYE_ANSWER_MS: 0, ...isup },
        calls,
        timeoutMs,
        traceMessages: false,
        args: sippBuffers,
      });
      const caller = await startSipp({
        scenario: scenarios.preceding,
        remote: `127.0.0.1:${sipPort}`,
        local: { address: "127.0.0.1", port: precedingPort },
        fill: { TAP: precedingPort, NUMBER: CALLED, HOLD_MS: 0, ...isup },
        calls,
        rate,
        limit,
        timeoutMs,
        traceMessages: false,
        args: sippBuffers,
      });
      try {
        const profiling = during?.(node);
        await caller.exited;
        const seconds = (performance.now() - started) / 1000;
        await profiling;
        // The SIP side does not wait for the MG's replies: the window ends when the MG has every Subtract.
        await waitFor("the last Subtracts", async () => (await mg.tally()).subtracts >= 2 * calls, 30_000).catch(
          () => undefined,
        );
        const cpu1 = snapshot();
        const gcPauseSeconds = (await gcPaused()) - paused0;
        clearInterval(dropsTimer);
        readSippDrops();
        const [nodeSip, nodeMgc, mgDrops] = udpDropsByPort([sipPort, mgcPort, mg.port]);
        const udpDrops = {
          nodeSip: nodeSip - drops0[0],
          nodeMgc: nodeMgc - drops0[1],
          mg: mgDrops - drops0[2],
          sipps: sippDrops[0] + sippDrops[1],
        };
        // A call the succeeding SIPp never saw keeps it waiting until its timeout: its stats file (written each
        // second) says enough after a few seconds.
        await Promise.race([callee.exited, new Promise((r) => setTimeout(r, 5000))]);
        const problems: string[] = [];
        const [cs, es] = [caller.stats(), callee.stats()];
        if (cs.successful !== calls || cs.failed !== 0)
          problems.push(`preceding SIPp: ${cs.successful} successful, ${cs.failed} failed of ${calls}`);
        if (es.successful !== calls || es.failed !== 0)
          problems.push(`succeeding SIPp: ${es.successful} successful, ${es.failed} failed of ${calls}`);
        const tally = await mg.tally(true);
        const byContext = tally.contexts ?? new Map();
        problems.push(...mgProblems(byContext, calls));
        const left = await waitFor(
          "no call left at the GMSC",
          async () => {
            const n = ((await node.admin("GET", "/v1/calls")).body.calls.length as number) - callsBefore;
            return n <= 0 ? [0] : false;
          },
          10_000,
        ).catch(async () => [((await node.admin("GET", "/v1/calls")).body.calls.length as number) - callsBefore]);
        if (left[0] !== 0) problems.push(`${left[0]} calls left in the GMSC's store`);
        const held = (await mg.contexts()).filter((c) => !heldBefore.has(c));
        if (held.length !== 0) problems.push(`${held.length} contexts left at the MG: ${held.slice(0, 5)}`);
        if (problems.length > 0) {
          const firstError = caller
            .errors()
            .split("\n")
            .find((l) => l.includes("Aborting call"));
          problems.push(`preceding SIPp: ${firstError ?? "no call aborted"}`);
          const nodeErrors = node
            .output()
            .slice(logMark)
            .split("\n")
            .filter((l) => l.includes('"level":50'));
          problems.push(`${node.name}'s errors (${nodeErrors.length}, first 3): ${nodeErrors.slice(0, 3).join("\n")}`);
        }
        const all = [...byContext.values()];
        // The SIPps' CPU is known once both have exited (this process reaps them).
        await caller.stop();
        await callee.stop();
        const cpu: RoundCpu = { ...cpu1, sipp: reapedChildrenCpuSeconds() };
        for (const k of Object.keys(cpu) as (keyof RoundCpu)[]) cpu[k] -= cpu0[k];
        return {
          calls,
          seconds,
          ...sippCallLength(readFileSync(join(caller.dir, "stats.csv"), "utf8")),
          udpDrops,
          callsPerSecond: calls / seconds,
          nodeCpuSeconds: cpu.node,
          mainThreadSeconds: cpu.nodeMainThread,
          gcPauseSeconds,
          cpu,
          adds: all.reduce((n, c) => n + c.adds.length, 0),
          modifies: tally.modifies,
          subtracts: all.reduce((n, c) => n + c.subtracts.length, 0),
          contexts: byContext.size,
          problems,
        };
      } finally {
        clearInterval(dropsTimer);
        await caller.stop();
        await callee.stop();
      }
    },
    async close() {
      await mg.stop();
      await node.stop();
    },
  };
}
