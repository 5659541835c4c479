// An S-CSCF as an operator runs it: `cleardown serve --role scscf …` in a child process (bin/cleardown.js),
// loopback only, a config file, stopped by its PID. The test reaches it as the UEs do (SIP) and through its
// admin API, never through its memory.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { NodeConfig } from "../../../generated/types/index.ts";
import { startChildNode } from "../../support/child-node.ts";
import { adminClient, eventually, type ScscfEndpoint, TOKEN } from "./scscf-harness.ts";

export const bin = resolve(import.meta.dirname, "../../../bin/cleardown.js");

export interface ScscfProcess extends ScscfEndpoint {
  readonly pid: number;
  readonly adminUrl: string;
  readonly exited: Promise<number | null>;
  output(): string;
  /** SIGKILL: the node dies without a word, as a crashed host would. */
  kill(): Promise<void>;
  /** SIGTERM: the node closes its sockets and stores, then exits. */
  stop(): Promise<void>;
}

/** Runs a `cleardown` command to its end (bounded), with the admin token in the environment. */
export async function runCli(args: string[], timeoutMs = 20_000): Promise<{ code: number | null; output: string }> {
  const child = startChildNode(bin, args, {
    env: { ...process.env, CLEARDOWN_ADMIN_TOKEN: TOKEN },
    boundMs: timeoutMs,
  });
  const code = await child.exited;
  return { code, output: child.output() };
}

export async function startScscfProcess(options: {
  name: string;
  sipPort: number;
  adminPort: number;
  store?: string;
  config?: Partial<NodeConfig>;
  /** A TCP listen address besides UDP (same address). */
  tcpSipPort?: number;
  /** The node's open-file limit (ulimit -n), set with prlimit before node starts. */
  openFiles?: number;
}): Promise<ScscfProcess> {
  const dir = mkdtempSync(join(tmpdir(), "cleardown-scscf-"));
  const file = join(dir, `${options.name}.json`);
  writeFileSync(file, `${JSON.stringify({ timers: { t1: 50, t2: 400, t4: 500 }, ...options.config }, null, 2)}\n`);
  const adminUrl = `http://127.0.0.1:${options.adminPort}`;
  const child = startChildNode(
    bin,
    [
      "serve",
      "--role",
      "scscf",
      "--name",
      options.name,
      "--sip",
      `udp://127.0.0.1:${options.sipPort}`,
      ...(options.tcpSipPort ? ["--sip", `tcp://127.0.0.1:${options.tcpSipPort}`] : []),
      "--admin",
      adminUrl,
      "--config",
      file,
      ...(options.store ? ["--store", options.store] : []),
    ],
    {
      env: { ...process.env, CLEARDOWN_ADMIN_TOKEN: TOKEN, CLEARDOWN_LOG_LEVEL: "warn" },
      boundMs: 300_000,
      ...(options.openFiles ? { wrapper: ["prlimit", `--nofile=${options.openFiles}`, "--"] } : {}),
    },
  );
  const exited = child.exited;
  const admin = adminClient(adminUrl);
  const signal = async (sig: NodeJS.Signals) => {
    child.signal(sig);
    await exited;
  };
  const node: ScscfProcess = {
    pid: child.pid,
    adminUrl,
    exited,
    host: "127.0.0.1",
    port: options.sipPort,
    transport: "udp",
    own: `<sip:127.0.0.1:${options.sipPort};lr>`,
    admin,
    output: () => child.output(),
    dialogCount: async () => (await admin("GET", "/v1/dialogs?limit=1")).body.count,
    trace: async (callId) => {
      const r = await admin("GET", `/v1/calls/${encodeURIComponent(callId)}/trace`);
      return r.status === 200 ? r.body.entries : [];
    },
    kill: () => signal("SIGKILL"),
    stop: () => signal("SIGTERM"),
  };
  try {
    await eventually(
      () => admin("GET", "/v1/health").catch(() => ({ status: 0, body: undefined })),
      (r) => r.status === 200,
      `${options.name} answering /v1/health`,
      20_000,
    );
  } catch (err) {
    await node.kill();
    throw new Error(`${(err as Error).message}\n${child.output()}`);
  }
  return node;
}
