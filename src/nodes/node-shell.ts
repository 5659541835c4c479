// What every cleardown node has around its role: SIP transport and transaction layers (traced), the rules in
// force (live, reloadable), the store (memory or Redis), metrics, the runtime audit trail, a structured log,
// and the admin HTTP API with the routes all nodes share. The S-CSCF and the GMSC add their own on top.
import { Session } from "node:inspector/promises";
import { availableParallelism } from "node:os";
import type { Redis } from "ioredis";
import { type Logger, pino } from "pino";
import { Counter } from "prom-client";
import type { NodeConfig, Policy } from "../../generated/types/index.ts";
import { type AdminRoute, type AdminServer, HttpError, startAdminServer } from "../admin/admin-server.ts";
import { CallTraces, defaultRetention, type TraceRetention } from "../audit/call-trace.ts";
import { svgLadder, textLadder } from "../audit/ladder.ts";
import { NodeMetrics } from "../metrics/metrics.ts";
import { LiveRules, type ReloadResult } from "../rules/live-rules.ts";
import { projectRoot, validator } from "../rules/schema-registry.ts";
import { makeHeader } from "../sip/header-access.ts";
import { responseTo } from "../sip/invite-server-transaction.ts";
import { TransactionLayer } from "../sip/transaction-layer.ts";
import { createTransportLayer, type TransportLayer } from "../sip/transport-layer.ts";
import { MemoryStore } from "../store/memory-store.ts";
import { RedisStore } from "../store/redis-store.ts";
import type { Store } from "../store/store.ts";
import { parseListen, policyOf } from "./node-config.ts";
import { RequestAdmission } from "./request-admission.ts";
import { TracedTransport } from "./traced-transport.ts";

export type Role = "scscf" | "gmsc";

/** `auto`: an I/O thread where there is a second CPU for it to run on. */
export function udpIoThreadOf(setting: NodeConfig["udpIoThread"], cpus = availableParallelism()): boolean {
  return setting === "on" || (setting !== "off" && cpus > 1);
}

/** Samples this process's CPU for `ms` milliseconds; the profile in the .cpuprofile format. */
async function cpuProfile(ms: number): Promise<unknown> {
  const session = new Session();
  session.connect();
  try {
    await session.post("Profiler.enable");
    // Every 100 µs (V8's default is 1 ms): a release takes well under a millisecond.
    await session.post("Profiler.setSamplingInterval", { interval: 100 });
    await session.post("Profiler.start");
    await new Promise((r) => setTimeout(r, ms));
    const { profile } = await session.post("Profiler.stop");
    return profile;
  } finally {
    session.disconnect();
  }
}

/**
 * Samples this process's allocations for `ms` milliseconds (V8's sampling heap profiler, one sample per 32 KiB
 * on average); the profile in the .heapprofile format. Objects already collected are kept in it: the question is
 * where a node allocates under load (what its collector then has to clear), not what stays.
 */
async function heapProfile(ms: number): Promise<unknown> {
  const session = new Session();
  session.connect();
  try {
    await session.post("HeapProfiler.enable");
    // The include… flags are V8's (Node 20 has them); @types/node 20 does not name them yet.
    const sampling = {
      samplingInterval: 32_768,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    };
    await session.post("HeapProfiler.startSampling", sampling);
    await new Promise((r) => setTimeout(r, ms));
    const { profile } = await session.post("HeapProfiler.stopSampling");
    return profile;
  } finally {
    session.disconnect();
  }
}

/** The `ms` of a debug profile request: an integer from 10 to 60000. */
function profileMs(req: { query: URLSearchParams }): number {
  const ms = Number(req.query.get("ms") ?? 1000);
  if (!Number.isInteger(ms) || ms < 10 || ms > 60_000)
    throw new HttpError(400, `ms: expected an integer from 10 to 60000, found ${req.query.get("ms")}`);
  return ms;
}

export interface NodeShellOptions {
  role: Role;
  /** The node's name: its column in ladders, the owner of the records it writes. */
  name: string;
  /** Validated configuration (flags merged in). */
  config: NodeConfig;
  /** Where spec/ and rules/ are read from (default: the project root). */
  root?: string;
  /** Reload the rules when a file under rules/ changes (default false; `cleardown serve` turns it on). */
  watchRules?: boolean;
  logger?: Logger;
  /** Names of peers for ladders, by "address:port". */
  partyNames?: Record<string, string>;
  traceRetention?: TraceRetention;
}

export class NodeShell {
  readonly log: Logger;
  readonly metrics = new NodeMetrics();
  readonly traces: CallTraces;
  readonly rules: LiveRules;
  readonly policy: Policy;
  admin?: AdminServer;
  private redis?: Redis;
  private readonly closers: Array<() => Promise<void> | void> = [];

  private constructor(
    readonly options: NodeShellOptions,
    readonly transportLayer: TransportLayer,
    readonly transport: TracedTransport,
    readonly transactions: TransactionLayer,
    traces: CallTraces,
    log: Logger,
  ) {
    this.log = log;
    this.traces = traces;
    this.policy = policyOf(options.config);
    this.rules = new LiveRules(options.role, options.root ?? projectRoot, options.config.rulesDir ?? "rules");
    if (options.watchRules) this.rules.watch((r) => this.logReload(r, "watcher"));
    this.closers.push(() => this.rules.close());
  }

  static async start(options: NodeShellOptions): Promise<NodeShell> {
    const { config } = options;
    const log = options.logger ?? pino({ name: options.name, level: process.env.CLEARDOWN_LOG_LEVEL ?? "info" });
    // Retention of the audit trail: the caller's, else the config's `traces` over the defaults.
    const traces = new CallTraces(options.traceRetention ?? { ...defaultRetention, ...config.traces });
    const listen = (config.sip ?? []).map(parseListen);
    if (listen.length === 0) throw new Error("a node needs at least one SIP listen address (--sip udp://…)");
    let metrics: NodeMetrics | undefined;
    const layer = await createTransportLayer({
      listen,
      maxMessageBytes: config.limits?.maxMessageBytes,
      maxHeaders: config.limits?.maxHeaders,
      udpIoThread: udpIoThreadOf(config.udpIoThread),
      onMalformed: (fault, flow, action, why) => {
        metrics?.malformed.inc({ protocol: "SIP", outcome: action });
        log.warn({ fault, from: `${flow.remote.address}:${flow.remote.port}`, action, why }, "malformed SIP message");
      },
    });
    const names = options.partyNames ?? {};
    const transport = new TracedTransport(
      layer,
      traces,
      options.name,
      (address, port) =>
        names[`${address}:${port}`] ?? (address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`),
      () => metrics?.retransmissions.inc({ protocol: "SIP" }),
    );
    const t = config.timers ?? {};
    const transactions = new TransactionLayer(transport, {
      ...(t.t1 ? { T1: t.t1 } : {}),
      ...(t.t2 ? { T2: t.t2 } : {}),
      ...(t.t4 ? { T4: t.t4 } : {}),
      // Timer D is at least 32 s per RFC 3261; with shortened test timers it shrinks with T1.
      ...(t.t1 ? { D: 64 * t.t1 } : {}),
    });
    const shell = new NodeShell(options, layer, transport, transactions, traces, log);
    metrics = shell.metrics;
    shell.admitRequests();
    return shell;
  }

  get name(): string {
    return this.options.name;
  }

  /** Admission control (config.limits): a source over its rate gets 503 + Retry-After, statelessly. */
  private admitRequests(): void {
    const limits = this.options.config.limits ?? {};
    const admission = new RequestAdmission({
      perSecond: limits.requestsPerSecond ?? 10_000,
      burst: limits.requestBurst ?? 20_000,
    });
    const refused = new Counter({
      name: "cleardown_requests_refused_total",
      help: "SIP requests refused before any transaction was made, by reason",
      labelNames: ["reason"],
      registers: [this.metrics.registry],
    });
    this.transport.admit = (m, flow) => admission.admit(m, flow);
    this.transport.refuse = (m, flow) => {
      refused.inc({ reason: "rate" });
      if (m.kind !== "request" || m.method === "ACK") return;
      const res = responseTo(m, 503, "Service Unavailable", this.transactions.newToken().replace(".", ""));
      res.headers.push(makeHeader("Retry-After", "1"));
      void this.transportLayer.sendResponse(res, flow).catch(() => {});
    };
  }

  /** The store for one kind of record ("dialog", "call", "registration"), validated against store.schema.json. */
  store<T>(kind: string, def: string): Store<T> {
    const url = this.options.config.store ?? "memory";
    if (url === "memory") return new MemoryStore<T>(this.name);
    if (!this.redis) {
      this.redis = RedisStore.connect(url);
      const redis = this.redis;
      redis.on("error", (err) => this.log.error({ err: err.message }, "redis"));
      this.closers.push(async () => {
        await redis.quit().catch(() => redis.disconnect());
      });
    }
    return new RedisStore<T>(this.redis, kind, this.name, validator("store", def));
  }

  /** Starts the admin API with the shared routes plus the role's own. */
  async startAdmin(routes: AdminRoute[]): Promise<AdminServer> {
    const { config } = this.options;
    const token = config.adminToken ?? process.env.CLEARDOWN_ADMIN_TOKEN;
    if (!token) throw new Error("the admin API needs a token: adminToken in the config or CLEARDOWN_ADMIN_TOKEN");
    this.admin = await startAdminServer(config.admin ?? "http://127.0.0.1:8080", {
      token,
      routes: [...routes, ...this.sharedRoutes()],
    });
    const admin = this.admin;
    this.closers.push(() => admin.close());
    return admin;
  }

  /** Validates and compiles rules/ anew; on any problem the rules in force stay. */
  reloadRules(source: string): ReloadResult {
    const result = this.rules.reload();
    this.logReload(result, source);
    return result;
  }

  private logReload(result: ReloadResult, source: string): void {
    if (result.ok) this.log.info({ source, digest: result.digest, changed: result.changed }, "rules reloaded");
    else this.log.error({ source, errors: result.errors }, "rules rejected; the rules in force stay");
  }

  private sharedRoutes(): AdminRoute[] {
    return [
      {
        method: "GET",
        path: "/v1/health",
        handle: () => ({
          status: 200,
          body: {
            status: "ok",
            role: this.options.role,
            name: this.name,
            rules: this.rules.digest,
            store: (this.options.config.store ?? "memory").replace(/\/\/.*@/, "//"),
            sip: this.transportLayer.addresses,
          },
        }),
      },
      {
        method: "POST",
        path: "/v1/rules/reload",
        handle: () => {
          const r = this.reloadRules("admin API");
          return r.ok ? { status: 200, body: r } : { status: 422, body: r };
        },
      },
      {
        method: "GET",
        path: "/metrics",
        handle: async () => ({
          status: 200,
          body: await this.metrics.text(),
          contentType: this.metrics.registry.contentType,
        }),
      },
      { method: "GET", path: "/v1/traces", handle: () => ({ status: 200, body: this.traces.callIds() }) },
      {
        // A CPU profile of the running node (V8's sampling profiler, as Chrome DevTools reads it): for an
        // operator to see where a node's time goes under real load, the way pprof serves a Go server.
        method: "POST",
        path: "/v1/debug/cpu-profile",
        handle: async (req) => ({ status: 200, body: await cpuProfile(profileMs(req)) }),
      },
      {
        // An allocation profile the same way (.heapprofile, as DevTools reads it): where the node allocates under load.
        method: "POST",
        path: "/v1/debug/heap-profile",
        handle: async (req) => ({ status: 200, body: await heapProfile(profileMs(req)) }),
      },
      {
        method: "GET",
        path: "/v1/calls/:callId/trace",
        handle: (req) => {
          const entries = this.traces.get(req.params.callId);
          if (!entries) throw new HttpError(404, `no trace kept for Call-ID ${req.params.callId}`);
          const format = req.query.get("format") ?? "json";
          const title = `Call-ID ${req.params.callId}`;
          if (format === "svg") return { status: 200, body: svgLadder(entries, title), contentType: "image/svg+xml" };
          if (format === "text")
            return { status: 200, body: `${textLadder(entries, title)}\n`, contentType: "text/plain; charset=utf-8" };
          if (format !== "json") throw new HttpError(400, `format: expected json, text or svg, found ${format}`);
          return { status: 200, body: { callId: req.params.callId, entries } };
        },
      },
    ];
  }

  onClose(fn: () => Promise<void> | void): void {
    this.closers.push(fn);
  }

  async close(): Promise<void> {
    this.transactions.close();
    for (const fn of this.closers.splice(0).reverse()) await fn();
    await this.transport.close();
  }
}
