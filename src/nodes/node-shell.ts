// What every cleardown node has around its role: SIP transport and transaction layers (traced), the rules in
// force (live, reloadable), the store (memory or Redis), metrics, the runtime audit trail, a structured log,
// and the admin HTTP API with the routes all nodes share. The S-CSCF and the GMSC add their own on top.
import { Session } from "node:inspector/promises";
import { availableParallelism } from "node:os";
import { type Logger, pino } from "pino";
import { Counter, Gauge } from "prom-client";
import type { NodeConfig, Policy } from "../../generated/types/index.ts";
import { type AdminRoute, type AdminServer, HttpError, startAdminServer } from "../admin/admin-server.ts";
import { adminTokenOf, adminTokenProblem } from "../admin/admin-token.ts";
import { policyOf } from "../config/node-config.ts";
import { NodeMetrics } from "../metrics/metrics.ts";
import { socketLabel } from "../metrics/udp-metrics.ts";
import { LiveRules, type ReloadResult } from "../rules/live-rules.ts";
import { projectRoot, validator } from "../rules/schema-registry.ts";
import { makeHeader, tagOf, toOf } from "../sip/messages/header-access.ts";
import type { SipMessage } from "../sip/messages/message.ts";
import { serializeMessage } from "../sip/messages/serialize-message.ts";
import { responseTo } from "../sip/transactions/invite-server-transaction.ts";
import { TransactionLayer } from "../sip/transactions/transaction-layer.ts";
import { createTransportLayer, type TransportLayer } from "../sip/transport/transport-layer.ts";
import { MemoryStore } from "../store/memory-store.ts";
import type { RedisConnection } from "../store/redis-connection.ts";
import { RedisStore } from "../store/redis-store.ts";
import { type Store, StoreHealth, StoreUnavailable } from "../store/store.ts";
import { CallTraces, defaultRetention, type TraceRetention } from "../trace/call-trace.ts";
import { HepMirror } from "../trace/hep.ts";
import { openFileLimit, tcpConnectionLimits } from "./connection-limits.ts";
import { parseListen } from "./listen.ts";
import { releaseStartRules } from "./release-rules.ts";
import { RequestAdmission } from "./request-admission.ts";
import { traceRoutes } from "./trace-routes.ts";
import { TracedTransport } from "./traced-transport.ts";
import { reportUdpSocket } from "./udp-socket-report.ts";

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

/**
 * Whether a request needs the store to be served: anything that may start a dialog, a call or a registration.
 * ACK and CANCEL complete or end what was admitted, and in-dialog requests are routed on their Route set.
 */
function needsStore(m: SipMessage): boolean {
  return m.kind === "request" && m.method !== "ACK" && m.method !== "CANCEL" && tagOf(toOf(m)) === undefined;
}

export class NodeShell {
  readonly log: Logger;
  readonly metrics = new NodeMetrics();
  readonly traces: CallTraces;
  readonly rules: LiveRules;
  /** The policy in force under each rule version (its deviation switches, then the config's overrides). */
  private readonly policies = new Map<string, Policy>();
  admin?: AdminServer;
  private redis?: RedisConnection;
  /** Whether the store answers: consulted before a new request or an admin request that needs it. */
  readonly storeHealth: StoreHealth;
  /** The errors of the last rules load, while it failed (the rules in force stay; the node is not ready). */
  private rulesProblems?: string[];
  /** The HEP3 mirror to a Homer collector (config.hep), when configured. */
  hep?: HepMirror;
  /** The state of a dialog or call now, for the trace list; the role sets it ("ended" once it is gone). */
  stateOf: (callId: string) => Promise<string | undefined> = async () => undefined;
  private readonly closers: Array<() => Promise<void> | void> = [];

  private constructor(
    readonly options: NodeShellOptions,
    readonly transportLayer: TransportLayer,
    readonly transport: TracedTransport,
    readonly transactions: TransactionLayer,
    traces: CallTraces,
    log: Logger,
    redis?: RedisConnection,
  ) {
    this.log = log;
    this.traces = traces;
    this.redis = redis;
    const storeErrors = new Counter({
      name: "cleardown_store_errors_total",
      help: "Store errors: connection (Redis lost or refused the connection), command (an operation failed or was not answered in time)",
      labelNames: ["kind"],
      registers: [this.metrics.registry],
    });
    // Present from the start, at zero, for both kinds (an operator graphs a rate, not an absent series).
    for (const kind of ["connection", "command"]) storeErrors.inc({ kind }, 0);
    this.storeHealth = new StoreHealth(
      () => !redis || redis.status === "ready",
      (kind) => storeErrors.inc({ kind }),
    );
    if (redis) {
      redis.on("error", (err: Error) => {
        storeErrors.inc({ kind: "connection" });
        this.log.error({ err: err.message }, "redis");
      });
      redis.on("close", () => this.log.warn("redis connection closed; requests that need the store are refused (503)"));
      redis.on("ready", () => this.log.info("redis connection ready"));
      this.closers.push(async () => {
        await redis.quit().catch(() => redis.disconnect());
      });
    }
    this.rules = new LiveRules(
      options.role,
      options.root ?? projectRoot,
      options.config.rulesDir ?? "rules",
      options.config.limits?.maxRuleFileBytes,
    );
    if (options.watchRules)
      this.rules.watch(
        (r) => this.logReload(r, "watcher"),
        100,
        () => this.rules.reloadOffThread(),
      );
    this.closers.push(() => this.rules.close());
    this.metrics.declareRole(options.role);
    this.declareReleaseRules();
  }

  /** Release counters at zero for every rule of the rules in force that can start a release. */
  private declareReleaseRules(): void {
    const set = this.rules.ruleSet();
    if (set) this.metrics.declareReleaseRules(releaseStartRules(set));
  }

  /** The policy facts carry under the rule version `digest` (default: the rules in force). */
  policyFor(digest?: string): Policy {
    const version = this.rules.version(digest);
    let policy = this.policies.get(version.digest);
    if (!policy) {
      policy = policyOf(this.options.config, version.switches);
      this.policies.set(version.digest, policy);
    }
    return policy;
  }

  /** The policy under the rules in force. */
  get policy(): Policy {
    return this.policyFor();
  }

  static async start(options: NodeShellOptions): Promise<NodeShell> {
    const { config } = options;
    const log = options.logger ?? pino({ name: options.name, level: process.env.CLEARDOWN_LOG_LEVEL ?? "info" });
    // Retention of the audit trail: the caller's, else the config's `traces` over the defaults.
    const traces = new CallTraces(options.traceRetention ?? { ...defaultRetention, ...config.traces });
    const listen = (config.sip ?? []).map(parseListen);
    if (listen.length === 0) throw new Error("a node needs at least one SIP listen address (--sip udp://…)");
    let metrics: NodeMetrics | undefined;
    let connectionsClosed: Counter<"reason"> | undefined;
    const tcpLimits = tcpConnectionLimits(config, openFileLimit());
    const layer = await createTransportLayer({
      listen,
      maxMessageBytes: config.limits?.maxMessageBytes,
      maxHeaders: config.limits?.maxHeaders,
      udpIoThread: udpIoThreadOf(config.udpIoThread),
      ...tcpLimits,
      onConnectionClosed: (reason) => connectionsClosed?.inc({ reason }),
      onUdpOverflow: (local, n) => metrics?.udp.nodeDropped("SIP", local, n),
      onMalformed: (fault, flow, action, why) => {
        metrics?.malformed.inc({ protocol: "SIP", outcome: action });
        log.warn({ fault, from: `${flow.remote.address}:${flow.remote.port}`, action, why }, "malformed SIP message");
      },
    });
    // A Homer collector, if configured, gets a copy of every SIP message (here) and H.248 message (the GMSC's MGC).
    const hep = config.hep ? HepMirror.open(config.hep) : undefined;
    const names = options.partyNames ?? {};
    const transport = new TracedTransport(
      layer,
      traces,
      options.name,
      (address, port) => names[`${address}:${port}`] ?? socketLabel(address, port),
      () => metrics?.retransmissions.inc({ protocol: "SIP" }),
      (options.traceRetention?.messageCalls ?? config.traces?.messageCalls ?? defaultRetention.messageCalls) !== 0,
      hep &&
        ((message, wire, callId) =>
          hep.mirror({
            time: Date.now(),
            wire,
            protocol: "SIP",
            payload: serializeMessage(message),
            ...(callId === undefined ? {} : { correlationId: callId }),
          })),
    );
    const t = config.timers ?? {};
    const transactions = new TransactionLayer(transport, {
      ...(t.t1 ? { T1: t.t1 } : {}),
      ...(t.t2 ? { T2: t.t2 } : {}),
      ...(t.t4 ? { T4: t.t4 } : {}),
      // Timer D is at least 32 s per RFC 3261; with shortened test timers it shrinks with T1.
      ...(t.t1 ? { D: 64 * t.t1 } : {}),
    });
    const storeUrl = config.store ?? "memory";
    const redis = storeUrl === "memory" ? undefined : await RedisStore.connectFailFast(storeUrl);
    const shell = new NodeShell(options, layer, transport, transactions, traces, log, redis);
    if (hep) {
      shell.hep = hep;
      shell.closers.push(() => hep.close());
    }
    metrics = shell.metrics;
    connectionsClosed = shell.connectionMetrics();
    for (const socket of layer.udpSockets) reportUdpSocket(log, metrics.udp, "SIP", socket);
    log.info({ tcp: tcpLimits }, "SIP over TCP limits");
    shell.admitRequests();
    return shell;
  }

  get name(): string {
    return this.options.name;
  }

  /** The TCP connections held, and those the transport closed or refused itself (timeouts, caps). */
  private connectionMetrics(): Counter<"reason"> {
    const layer = this.transportLayer;
    new Gauge({
      name: "cleardown_sip_connections",
      help: "SIP TCP connections held (inbound and outbound)",
      registers: [this.metrics.registry],
      collect() {
        this.set(layer.connectionCount);
      },
    });
    const closed = new Counter({
      name: "cleardown_sip_connections_closed_total",
      help: "SIP TCP connections the node closed or refused itself, by reason (idle-timeout, header-timeout, body-timeout, total-cap, per-source-cap, accept-error)",
      labelNames: ["reason"],
      registers: [this.metrics.registry],
    });
    // Every reason present from the start, at zero.
    for (const reason of Object.keys(layer.connectionsClosed)) closed.inc({ reason }, 0);
    return closed;
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
    refused.inc({ reason: "rate" }, 0);
    refused.inc({ reason: "store" }, 0);
    // Refused while the store is away: a new request fails at once (503, Retry-After) instead of waiting on it.
    let refusal: "store" | "rate" = "rate";
    const health = this.storeHealth;
    this.transport.admit = (m, flow) => {
      refusal = !health.available && needsStore(m) ? "store" : "rate";
      return refusal !== "store" && admission.admit(m, flow);
    };
    this.transport.refuse = (m, flow) => {
      refused.inc({ reason: refusal });
      if (m.kind !== "request" || m.method === "ACK") return;
      const res = responseTo(m, 503, "Service Unavailable", this.transactions.newToken().replace(".", ""));
      res.headers.push(makeHeader("Retry-After", refusal === "store" ? "5" : "1"));
      void this.transportLayer.sendResponse(res, flow).catch(() => {});
    };
  }

  /**
   * The store for one kind of record ("dialog", "call", "registration"), validated against store.schema.json.
   * `tracked`: a kind read far more often than written, its reads served from this node's copies while a shared
   * store tells the node of every change (src/store/tracked-reads.ts).
   */
  store<T>(kind: string, def: string, options: { tracked?: boolean } = {}): Store<T> {
    if (!this.redis) return new MemoryStore<T>(this.name);
    return new RedisStore<T>(
      this.redis,
      kind,
      this.name,
      validator("store", def),
      this.storeHealth,
      options.tracked === true,
    );
  }

  /** Starts the admin API with the shared routes plus the role's own. */
  async startAdmin(routes: AdminRoute[]): Promise<AdminServer> {
    const { config } = this.options;
    const { token, source } = adminTokenOf(config.adminToken);
    const problem = adminTokenProblem(token, source);
    if (problem || !token) throw new Error(problem);
    this.admin = await startAdminServer(config.admin ?? "http://127.0.0.1:8080", {
      token,
      routes: [...routes.map((r) => this.withStore(r)), ...this.sharedRoutes()],
    });
    const admin = this.admin;
    this.closers.push(() => admin.close());
    return admin;
  }

  /** A role's route works on the store: refused at once (503, Retry-After) while the store is away. */
  private withStore(route: AdminRoute): AdminRoute {
    const unavailable = (why: string) => new HttpError(503, `the store is unavailable: ${why}`, { "retry-after": "5" });
    return {
      ...route,
      handle: async (req) => {
        if (!this.storeHealth.available) throw unavailable("no connection");
        try {
          return await route.handle(req);
        } catch (err) {
          if (err instanceof StoreUnavailable) throw unavailable(err.message);
          throw err;
        }
      },
    };
  }

  /** Ready to take traffic: the store answers and the rules on disk are in force. */
  readiness(): { ready: boolean; problems: string[] } {
    const problems: string[] = [];
    if (!this.storeHealth.available) problems.push(`store ${this.storeName}: no connection`);
    for (const e of this.rulesProblems ?? []) problems.push(`rules: ${e}`);
    return { ready: problems.length === 0, problems };
  }

  private get storeName(): string {
    return (this.options.config.store ?? "memory").replace(/\/\/.*@/, "//");
  }

  /** Validates and compiles rules/ anew; on any problem the rules in force stay. */
  reloadRules(source: string): ReloadResult {
    const result = this.rules.reload();
    this.logReload(result, source);
    return result;
  }

  /**
   * The same while the node serves (admin API, SIGHUP, watcher): the files are read, parsed and validated on a
   * thread of their own, so health, metrics and calls are answered meanwhile; only the compile runs here.
   */
  async reloadRulesOffThread(source: string): Promise<ReloadResult> {
    const result = await this.rules.reloadOffThread();
    this.logReload(result, source);
    return result;
  }

  private logReload(result: ReloadResult, source: string): void {
    this.rulesProblems = result.ok ? undefined : result.errors;
    if (result.ok && result.changed) this.declareReleaseRules();
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
            store: this.storeName,
            sip: this.transportLayer.addresses,
          },
        }),
      },
      {
        // Readiness apart from liveness: 503 while the store is unreachable or the last rules load failed.
        method: "GET",
        path: "/v1/ready",
        handle: () => {
          const { ready, problems } = this.readiness();
          return ready
            ? { status: 200, body: { status: "ready", rules: this.rules.digest, store: this.storeName } }
            : { status: 503, body: { status: "not ready", problems }, headers: { "retry-after": "5" } };
        },
      },
      {
        method: "POST",
        path: "/v1/rules/reload",
        handle: async () => {
          const r = await this.reloadRulesOffThread("admin API");
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
      ...traceRoutes({ traces: this.traces, role: this.options.role, stateOf: (id) => this.stateOf(id) }),
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
