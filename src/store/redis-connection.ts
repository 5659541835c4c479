// The shared store's connection from its URL: one Redis server (redis://, rediss://), a master found through
// Sentinel (redis-sentinel://), or a Redis Cluster (redis-cluster://). ioredis follows a Sentinel failover and a
// Cluster's slot moves by itself; what the URL adds is where to start and, with `wait=N`, how many replicas must
// hold every write before the node goes on (Redis WAIT), so a failover loses no write a node acted on.
//
//   redis://[USER:PASS@]HOST:PORT[/DB][?wait=N[&waitTimeout=MS]]
//   redis-sentinel://[USER:PASS@]HOST:PORT[,HOST:PORT…]/MASTER[?db=N][&wait=N[&waitTimeout=MS]]
//   redis-cluster://[USER:PASS@]HOST:PORT[,HOST:PORT…][?wait=N[&waitTimeout=MS]]
//
// USER:PASS are the data nodes' credentials (the sentinels are asked without).
import { Cluster, Redis, type RedisOptions } from "ioredis";

export type RedisConnection = Redis | Cluster;

/** Replicas that must acknowledge each write, and how long to wait for them. */
export interface WriteAcks {
  replicas: number;
  timeoutMs: number;
}

export class StoreUrlError extends Error {}

interface Endpoint {
  host: string;
  port: number;
}

export interface ParsedStoreUrl {
  kind: "server" | "sentinel" | "cluster";
  /** For a single server: the URL ioredis reads (without this module's parameters). */
  url?: string;
  endpoints: Endpoint[];
  /** Sentinel: the monitored master's name. */
  master?: string;
  db?: number;
  username?: string;
  password?: string;
  acks?: WriteAcks;
}

const multiHost = /^(redis-sentinel|redis-cluster):\/\/(?:([^@/]*)@)?([^/?#]+)(?:\/([^?#]*))?(?:\?([^#]*))?$/;

function fail(url: string, expected: string): never {
  throw new StoreUrlError(`store "${redact(url)}": ${expected}`);
}

/** The URL with its password replaced, for messages and logs. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}

function integer(url: string, name: string, text: string, min: number): number {
  if (!/^[0-9]+$/.test(text) || Number(text) < min) fail(url, `${name} must be an integer ≥ ${min}, got "${text}"`);
  return Number(text);
}

/** `wait` and `waitTimeout` out of the query; any other parameter is an error (a typo would pass silently). */
function acksOf(url: string, query: URLSearchParams, allowed: string[] | "any"): WriteAcks | undefined {
  for (const name of query.keys())
    if (allowed !== "any" && ![...allowed, "wait", "waitTimeout"].includes(name))
      fail(url, `unknown parameter "${name}" (expected ${[...allowed, "wait", "waitTimeout"].join(", ")})`);
  const wait = query.get("wait");
  const timeout = query.get("waitTimeout");
  if (wait === null) {
    if (timeout !== null) fail(url, "waitTimeout needs wait=N (the replicas each write waits for)");
    return undefined;
  }
  const replicas = integer(url, "wait", wait, 0);
  return replicas === 0
    ? undefined
    : { replicas, timeoutMs: timeout === null ? 1000 : integer(url, "waitTimeout", timeout, 1) };
}

export function parseStoreUrl(url: string): ParsedStoreUrl {
  if (/^rediss?:\/\//.test(url)) {
    // ioredis reads its own options from the query (family=6, …): those stay, wait and waitTimeout are ours.
    const q = url.indexOf("?");
    const query = new URLSearchParams(q < 0 ? "" : url.slice(q + 1));
    const acks = acksOf(url, query, "any");
    query.delete("wait");
    query.delete("waitTimeout");
    const rest = query.toString();
    const base = q < 0 ? url : url.slice(0, q);
    return { kind: "server", url: rest ? `${base}?${rest}` : base, endpoints: [], ...(acks ? { acks } : {}) };
  }
  const m = multiHost.exec(url);
  if (!m)
    fail(
      url,
      "expected redis://HOST:PORT[/DB], redis-sentinel://HOST:PORT[,HOST:PORT…]/MASTER[?db=N] or redis-cluster://HOST:PORT[,HOST:PORT…]",
    );
  const [, scheme, userinfo, hosts, path, search] = m;
  const endpoints = hosts.split(",").map((hp) => {
    const e = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):([0-9]+)$/.exec(hp);
    if (!e) fail(url, `"${hp}" is not HOST:PORT`);
    return { host: e[1].replace(/^\[|\]$/g, ""), port: integer(url, "port", e[2], 1) };
  });
  const credentials: Pick<ParsedStoreUrl, "username" | "password"> = {};
  if (userinfo) {
    const colon = userinfo.indexOf(":");
    const user = decodeURIComponent(colon < 0 ? userinfo : userinfo.slice(0, colon));
    if (colon < 0) credentials.password = user;
    else {
      if (user) credentials.username = user;
      credentials.password = decodeURIComponent(userinfo.slice(colon + 1));
    }
  }
  const query = new URLSearchParams(search ?? "");
  if (scheme === "redis-cluster") {
    if (path) fail(url, "a Redis Cluster has no database number or master name: nothing may follow the hosts");
    const acks = acksOf(url, query, []);
    return { kind: "cluster", endpoints, ...credentials, ...(acks ? { acks } : {}) };
  }
  if (!path) fail(url, "a Sentinel URL names the monitored master: redis-sentinel://HOST:PORT[,HOST:PORT…]/MASTER");
  const acks = acksOf(url, query, ["db"]);
  const db = query.get("db");
  return {
    kind: "sentinel",
    endpoints,
    master: decodeURIComponent(path),
    ...(db === null ? {} : { db: integer(url, "db", db, 0) }),
    ...credentials,
    ...(acks ? { acks } : {}),
  };
}

/** Replicas each write of a connection waits for (set by connectRedis from its URL). */
const acksByConnection = new WeakMap<RedisConnection, WriteAcks>();

export function writeAcksOf(connection: RedisConnection): WriteAcks | undefined {
  return acksByConnection.get(connection);
}

/** Connects as the URL says, with `options` for every data-node connection. */
export function connectRedis(url: string, options: RedisOptions): RedisConnection {
  const p = parseStoreUrl(url);
  const credentials = {
    ...(p.username ? { username: p.username } : {}),
    ...(p.password ? { password: p.password } : {}),
  };
  let connection: RedisConnection;
  if (p.kind === "server") connection = new Redis(p.url ?? url, options);
  else if (p.kind === "sentinel")
    connection = new Redis({
      ...options,
      ...credentials,
      sentinels: p.endpoints,
      name: p.master,
      ...(p.db === undefined ? {} : { db: p.db }),
      // Sentinels tell of a switch at once: no waiting for the old master's connection to fail.
      failoverDetector: true,
    });
  else {
    const { enableOfflineQueue, enableAutoPipelining, lazyConnect, retryStrategy, ...perNode } = options;
    connection = new Cluster(p.endpoints, {
      redisOptions: { ...perNode, ...credentials },
      ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
      ...(enableAutoPipelining === undefined ? {} : { enableAutoPipelining }),
      ...(lazyConnect === undefined ? {} : { lazyConnect }),
      ...(retryStrategy ? { clusterRetryStrategy: (times: number) => retryStrategy(times) } : {}),
    });
  }
  if (p.acks) acksByConnection.set(connection, p.acks);
  return connection;
}
