// Redis as operators run it, for a test: servers with persistence in a temp dir, a master with a replica and three
// sentinels, a six-node cluster. Debian's redis-server, redis-sentinel and redis-cli; loopback, free ports; every
// process killed by its own PID (SIGKILL when a test says so, as a crashed host would die).
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ensureDebianPackage } from "./debian-package.ts";
import { freeTcpPort } from "./free-port.ts";

const run = promisify(execFile);

export interface RedisProcess {
  readonly port: number;
  readonly pid: number;
  readonly dir: string;
  output(): string;
  /** SIGKILL: no shutdown save, no goodbye to replicas or sentinels. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

function spawnUntil(binary: string, args: string[], ready: string, what: string): Promise<ChildProcess> {
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${what} did not start within 15 s:\n${out}`));
    }, 15_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(ready)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}:\n${out}`));
    });
  });
}

function processOf(child: ChildProcess, port: number, dir: string): RedisProcess {
  let out = "";
  child.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<void>((r) => {
    if (child.exitCode !== null || child.signalCode !== null) r();
    else child.once("exit", () => r());
  });
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  return {
    port,
    pid: child.pid ?? 0,
    dir,
    output: () => out,
    kill: () => signal("SIGKILL"),
    stop: () => signal("SIGTERM"),
  };
}

export interface ServerOptions {
  /** Its data directory (a new temp dir when not given): a restart on the same dir reads what was persisted. */
  dir?: string;
  port?: number;
  /** Append-only file with fsync "always" (every write on disk before it is answered) or "everysec". */
  aof?: "always" | "everysec";
  replicaOf?: number;
  /** A cluster node (its bus on a port of its own). */
  cluster?: boolean;
}

export async function startServer(options: ServerOptions = {}): Promise<RedisProcess> {
  const binary = ensureDebianPackage("redis-server", "/usr/bin/redis-server");
  const port = options.port ?? (await freeTcpPort());
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "cleardown-redis-"));
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", ""];
  args.push("--appendonly", options.aof ? "yes" : "no");
  if (options.aof) args.push("--appendfsync", options.aof);
  if (options.replicaOf) args.push("--replicaof", "127.0.0.1", String(options.replicaOf));
  if (options.cluster)
    args.push(
      ...["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "3000"],
      ...["--cluster-port", String(await freeTcpPort())],
    );
  const child = await spawnUntil(binary, args, "Ready to accept connections", `redis-server on ${port}`);
  return processOf(child, port, dir);
}

export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const cli = ensureDebianPackage("redis-tools", "/usr/bin/redis-cli");
  const { stdout } = await run(cli, ["-h", "127.0.0.1", "-p", String(port), ...args], { timeout: 60_000 });
  return stdout;
}

/** Records of one kind (dialog, call…) the server on `port` holds (the store's keys are cleardown:KIND:{KEY}). */
export async function storedKeys(port: number, kind: string): Promise<number> {
  return (await redisCli(port, "--scan", "--pattern", `cleardown:${kind}:{*`)).split("\n").filter(Boolean).length;
}

/**
 * Polls `probe` every 100 ms until it holds, for `ms` at most (startup and failover are not instant). A timeout
 * names the probe's last error, if it threw, so a failure says whether the probe failed or only did not hold yet;
 * `what` may be a function, to name what was last seen.
 */
export async function until(probe: () => Promise<boolean>, what: string | (() => string), ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  let last = "it did not hold";
  for (;;) {
    const held = await probe().catch((err: Error) => {
      last = `its last error: ${err.message}`;
      return false;
    });
    if (held) return;
    if (Date.now() > end)
      throw new Error(`not within ${ms / 1000} s: ${typeof what === "string" ? what : what()} (${last})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface SentinelSetup {
  master: RedisProcess;
  replicas: RedisProcess[];
  sentinels: RedisProcess[];
  /** The store URL: redis-sentinel://…/NAME. */
  url: string;
  name: string;
  /** The master's port as the sentinels name it now. */
  masterPort(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * A master, its replicas, three sentinels (quorum 2) that declare the master down after one silent second. Two
 * replicas let writes that wait for one replica (wait=1) go on after a failover: one is left to hold them.
 */
export async function startSentinelSetup(replicaCount = 1): Promise<SentinelSetup> {
  const binary = ensureDebianPackage("redis-sentinel", "/usr/bin/redis-sentinel");
  const name = "cleardown";
  const all: RedisProcess[] = [];
  try {
    const master = await startServer();
    all.push(master);
    const replicas: RedisProcess[] = [];
    for (let i = 0; i < replicaCount; i++) {
      const replica = await startServer({ replicaOf: master.port });
      replicas.push(replica);
      all.push(replica);
      await until(
        async () => (await redisCli(replica.port, "info", "replication")).includes("master_link_status:up"),
        "the replica in sync",
      );
    }
    const sentinels: RedisProcess[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freeTcpPort();
      const dir = mkdtempSync(join(tmpdir(), "cleardown-sentinel-"));
      const conf = join(dir, "sentinel.conf");
      writeFileSync(
        conf,
        [
          `port ${port}`,
          "bind 127.0.0.1",
          `dir ${dir}`,
          `sentinel monitor ${name} 127.0.0.1 ${master.port} 2`,
          `sentinel down-after-milliseconds ${name} 1000`,
          `sentinel failover-timeout ${name} 10000`,
          `sentinel parallel-syncs ${name} 1`,
          "",
        ].join("\n"),
      );
      const s = processOf(await spawnUntil(binary, [conf], "+monitor master", `redis-sentinel on ${port}`), port, dir);
      sentinels.push(s);
      all.push(s);
    }
    // Each sentinel knows the replica and the other sentinels before anything fails.
    for (const s of sentinels)
      await until(async () => {
        const info = await redisCli(s.port, "info", "sentinel");
        return info.includes(`slaves=${replicaCount}`) && info.includes("sentinels=3");
      }, `sentinel ${s.port} seeing the replicas and the other sentinels`);
    const masterPort = async () =>
      Number((await redisCli(sentinels[0].port, "sentinel", "get-master-addr-by-name", name)).trim().split("\n")[1]);
    return {
      master,
      replicas,
      sentinels,
      name,
      url: `redis-sentinel://${sentinels.map((s) => `127.0.0.1:${s.port}`).join(",")}/${name}`,
      masterPort,
      stop: () => stopAll(all),
    };
  } catch (err) {
    await stopAll(all);
    throw err;
  }
}

export interface ClusterSetup {
  nodes: RedisProcess[];
  /** The store URL: redis-cluster://…, all six as seeds. */
  url: string;
  /** The ports of the masters serving slots now (as the node on `port` sees it). */
  masterPorts(port?: number): Promise<number[]>;
  stop(): Promise<void>;
}

/** Six cluster nodes, made three masters with a replica each by `redis-cli --cluster create`. */
export async function startCluster(): Promise<ClusterSetup> {
  const base = mkdtempSync(join(tmpdir(), "cleardown-cluster-"));
  const nodes: RedisProcess[] = [];
  try {
    for (let i = 0; i < 6; i++) {
      const dir = join(base, String(i));
      mkdirSync(dir);
      nodes.push(await startServer({ dir, cluster: true }));
    }
    await redisCli(
      nodes[0].port,
      "--cluster",
      "create",
      ...nodes.map((n) => `127.0.0.1:${n.port}`),
      "--cluster-replicas",
      "1",
      "--cluster-yes",
    );
    for (const n of nodes)
      await until(
        async () => (await redisCli(n.port, "cluster", "info")).includes("cluster_state:ok"),
        `cluster node ${n.port} in state ok`,
      );
    const masterPorts = async (port = nodes[0].port) =>
      (await redisCli(port, "cluster", "nodes"))
        .split("\n")
        .map((l) => l.split(" "))
        .filter(
          ([, , flags, , , , , , slots]) => flags?.split(",").includes("master") && !flags.includes("fail") && slots,
        )
        .map(([, address]) => Number(/:([0-9]+)@/.exec(address)?.[1]));
    // Every node sees three masters with their slots and three replicas (create makes six masters first).
    for (const n of nodes)
      await until(
        async () =>
          (await masterPorts(n.port)).length === 3 &&
          (await redisCli(n.port, "cluster", "nodes")).split("\n").filter((l) => /[ ,]slave /.test(l)).length === 3,
        `cluster node ${n.port} seeing three masters and three replicas`,
      );
    return {
      nodes,
      url: `redis-cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(",")}`,
      masterPorts,
      stop: async () => {
        await stopAll(nodes);
        rmSync(base, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stopAll(nodes);
    throw err;
  }
}

async function stopAll(processes: RedisProcess[]): Promise<void> {
  for (const p of processes) await p.kill();
  for (const p of processes) rmSync(p.dir, { recursive: true, force: true });
}
