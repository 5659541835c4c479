// One GMSC node under test with its real peers, all on loopback: SIPp as the preceding node (UAC) and as the
// succeeding node (UAS), each behind a UDP tap that records the exact octets the GMSC sent it, and the Erlang/OTP
// megaco MG as the media gateway (optionally behind a tap too, to lose a datagram). Bounded: SIPp runs stop by
// themselves (-timeout), everything is stopped by PID in close().
import { pino } from "pino";
import type { Policy } from "../../../generated/types/index.ts";
import { validateConfig } from "../../../src/config/node-config.ts";
import { startGmscNode } from "../../../src/nodes/gmsc/gmsc-node.ts";
import type { RunningNode } from "../../../src/nodes/running-node.ts";
import { type MegacoMg, type MgLine, startMegacoMg } from "../../peers/megaco/mg.ts";
import { freeUdpPort } from "../../support/free-port.ts";
import { type SippRun, startSipp } from "../../support/sipp.ts";
import { startUdpTap, type UdpTap } from "../../support/udp-tap.ts";
import { isupFiles } from "./isup.ts";

export const CALLED = "4917325";
export const token = "gmsc-test-token-0123456789";

export interface HarnessOptions {
  policy?: Partial<Policy>;
  /** RFC 3261 T1 in ms (default 50: short timers for tests). */
  t1?: number;
  /** H.248 transaction timers (default MGC_TEST_TIMERS). */
  mgcTimers?: MgcTestTimers;
  /** Where the node reads spec/ and rules/ (default the project root): a copy a test may edit and reload. */
  root?: string;
  /** The node's store (default memory), e.g. a redis:// URL. */
  store?: string;
  /** The node's log level (default info: the tests read its "decided" lines). */
  logLevel?: "info" | "warn";
  /** Config trustedPeers: the only source addresses whose SIP requests the GMSC accepts. */
  trustedPeers?: string[];
  /** Config hep: a HEP3 collector for copies of every SIP and H.248 message. */
  hep?: string;
}

export interface MgcTestTimers {
  initialRetransmitMs: number;
  maxRetransmitMs: number;
  maxAttempts: number;
}

/**
 * Short H.248 timers, so a silent MG is given up within seconds, yet 1.5 s before a command fails: a freshly
 * started MG loading megaco's modules, or one descheduled on a loaded 2-CPU host, answers within that.
 */
export const MGC_TEST_TIMERS: MgcTestTimers = { initialRetransmitMs: 100, maxRetransmitMs: 400, maxAttempts: 5 };

export interface CallRun {
  caller: SippRun;
  callee: SippRun;
  /** The preceding leg's Call-ID (the call's key at the GMSC). */
  callId: string;
  /** Waits for both SIPp runs to end and throws with their logs unless both passed. */
  done(): Promise<void>;
  /** What the GMSC sent to the preceding / succeeding node during this call. */
  toPreceding(): string[];
  toSucceeding(): string[];
  /** Commands the MG decoded during this call. */
  mgCommands(): MgLine[];
  /** H.248 the MGC sent to the MG during this call, with the time the tap saw each. */
  toMg(): Array<{ text: string; at: number }>;
  /** When the tap in front of the preceding / succeeding node saw each datagram from the GMSC. */
  timesToPreceding(): Array<{ text: string; at: number }>;
  timesToSucceeding(): Array<{ text: string; at: number }>;
}

export interface GmscHarness {
  node: RunningNode;
  /** The MGC's H.248 timers in force. */
  mgcTimers: MgcTestTimers;
  mg: MegacoMg;
  /** Between the MG and the MGC: every H.248 datagram, and a way to lose one. */
  mgcTap: UdpTap;
  precedingTap: UdpTap;
  succeedingTap: UdpTap;
  logs: Array<Record<string, unknown>>;
  call(scenarios: {
    preceding: string;
    succeeding: string;
    fill?: Record<string, string | number>;
    succeedingFill?: Record<string, string | number>;
    timeoutMs?: number;
    /** Calls SIPp places (default 1), at `rate` per second with at most `limit` at once. */
    calls?: number;
    rate?: number;
    limit?: number;
  }): Promise<CallRun>;
  // biome-ignore lint/suspicious/noExplicitAny: JSON from the admin API, read by the assertions that follow
  admin(method: "GET" | "POST", path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** GET /metrics: the Prometheus text (read with metricValue). */
  metrics(): Promise<string>;
  waitFor<T>(
    what: string,
    probe: () => T | undefined | false | Promise<T | undefined | false>,
    timeoutMs?: number,
  ): Promise<T>;
  close(): Promise<void>;
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function startGmscHarness(options: HarnessOptions = {}): Promise<GmscHarness> {
  const [sipPort, mgcPort, precedingPort, succeedingPort] = await Promise.all([
    freeUdpPort(),
    freeUdpPort(),
    freeUdpPort(),
    freeUdpPort(),
  ]);
  const precedingTap = await startUdpTap({ address: "127.0.0.1", port: precedingPort });
  const succeedingTap = await startUdpTap({ address: "127.0.0.1", port: succeedingPort });
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: options.logLevel ?? "info" },
    { write: (line: string) => void logs.push(JSON.parse(line)) },
  );
  const mgcTimers = options.mgcTimers ?? MGC_TEST_TIMERS;
  const config = validateConfig({
    role: "gmsc",
    sip: [`udp://127.0.0.1:${sipPort}`],
    admin: "http://127.0.0.1:0",
    adminToken: token,
    ...(options.store ? { store: options.store } : {}),
    ...(options.trustedPeers ? { trustedPeers: options.trustedPeers } : {}),
    ...(options.hep ? { hep: options.hep } : {}),
    timers: { t1: options.t1 ?? 50, t2: 8 * (options.t1 ?? 50), t4: 10 * (options.t1 ?? 50) },
    ...(options.policy ? { policy: { gmscOption: "b", ...options.policy } } : {}),
    gmsc: {
      mgc: `udp://127.0.0.1:${mgcPort}`,
      mgcTimers: {
        ...mgcTimers,
        replyCacheMs: 10_000,
      },
      routes: [
        { prefix: "0", target: "udp://127.0.0.1:9" },
        { prefix: "49", target: `udp://127.0.0.1:${succeedingTap.port}` },
      ],
    },
  });
  const node = await startGmscNode({ config, logger, name: "GMSC", ...(options.root ? { root: options.root } : {}) });
  const mgcTap = await startUdpTap({ address: "127.0.0.1", port: mgcPort });
  const mg = await startMegacoMg(mgcTap.port);
  const isup = isupFiles();
  const runs: SippRun[] = [];

  const admin: GmscHarness["admin"] = async (method, path, body) => {
    const res = await fetch(`${node.adminUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  const metrics = async () =>
    (await fetch(`${node.adminUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();

  return {
    node,
    mgcTimers,
    mg,
    mgcTap,
    precedingTap,
    succeedingTap,
    logs,
    admin,
    metrics,
    waitFor,
    async call(s) {
      const marks = {
        preceding: precedingTap.datagrams.length,
        succeeding: succeedingTap.datagrams.length,
        mg: mg.lines().length,
        mgc: mgcTap.datagrams.length,
      };
      const timeoutMs = s.timeoutMs ?? 15_000;
      // The harness's two SIPp ports serve one call at a time: SIPps of an earlier call still running (a test that
      // failed before its call ended) are stopped first, or the next test's SIPp could not bind and fail too.
      for (const r of runs.splice(0)) await r.stop();
      const callee = await startSipp({
        scenario: s.succeeding,
        local: { address: "127.0.0.1", port: succeedingPort },
        fill: {
          TAP: succeedingTap.port,
          HOLD_MS: 300,
          RING_AFTER_MS: 0,
          BYE_ANSWER_MS: 0,
          ...isup,
          ...(s.fill ?? {}),
          ...(s.succeedingFill ?? {}),
        },
        timeoutMs,
        ...(s.calls === undefined ? {} : { calls: s.calls }),
      });
      runs.push(callee);
      const caller = await startSipp({
        scenario: s.preceding,
        remote: `127.0.0.1:${sipPort}`,
        local: { address: "127.0.0.1", port: precedingPort },
        fill: { TAP: precedingTap.port, NUMBER: CALLED, HOLD_MS: 300, ...isup, ...(s.fill ?? {}) },
        timeoutMs,
        ...(s.calls === undefined ? {} : { calls: s.calls }),
        ...(s.rate === undefined ? {} : { rate: s.rate }),
        ...(s.limit === undefined ? {} : { limit: s.limit }),
      });
      runs.push(caller);
      const sent = sentSince;
      return {
        caller,
        callee,
        callId: `1-${caller.pid}@127.0.0.1`,
        async done() {
          const results = await Promise.allSettled([caller.succeeded(), callee.succeeded()]);
          const failed = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
          if (failed.length > 0)
            throw new Error(failed.map((f) => String(f.reason?.message ?? f.reason)).join("\n====\n"));
        },
        toPreceding: () => sent(precedingTap, marks.preceding),
        toSucceeding: () => sent(succeedingTap, marks.succeeding),
        mgCommands: () =>
          mg
            .lines()
            .slice(marks.mg)
            .filter((l) => l.event === "command"),
        toMg: () => timed(mgcTap, marks.mgc, "from-peer"),
        timesToPreceding: () => timed(precedingTap, marks.preceding, "to-peer"),
        timesToSucceeding: () => timed(succeedingTap, marks.succeeding, "to-peer"),
      };
    },
    async close() {
      for (const r of runs) await r.stop();
      await mg.stop();
      await node.close();
      await Promise.all([precedingTap.close(), succeedingTap.close(), mgcTap.close()]);
    },
  };
}

/** What the node sent through a tap since datagram `from`, as latin1 text (one character per octet). */
export function sentSince(tap: UdpTap, from: number): string[] {
  return tap.datagrams
    .slice(from)
    .filter((d) => d.direction === "to-peer")
    .map((d) => d.data.toString("latin1"));
}

function timed(tap: UdpTap, from: number, direction: "to-peer" | "from-peer") {
  return tap.datagrams
    .slice(from)
    .filter((d) => d.direction === direction)
    .map((d) => ({ text: d.data.toString("latin1"), at: d.at }));
}

/** The MG's Subtracts as "context/termination". */
export const subtractsOf = (lines: MgLine[]) =>
  lines
    .filter((l) => l.command === "Subtract")
    .map((l) => `${l.contextId}/${(l.terminationIds as string[]).join(",")}`);

/** The MG's Adds: context and termination of each (originating first). */
export const addsOf = (lines: MgLine[]) =>
  lines
    .filter((l) => l.command === "Add")
    .map((l) => ({
      contextId: l.contextId as number,
      terminationId: (l.terminationIds as string[])[0],
      localPort: l.localPort,
    }));
