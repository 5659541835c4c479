// A GMSC as an operator runs it: `cleardown serve --role gmsc …` in a child process (bin/cleardown.js) with a
// config file, loopback only, stopped (or killed, as a crashed host would be) by its PID. Tests reach it as its peers
// do (SIP, H.248) and through its admin API, never through its memory.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NodeConfig } from "../../../generated/types/index.ts";
import { deployedNodeArgs, distBin, type ServeProcess, startServeProcess } from "../../support/serve-process.ts";
import { waitFor } from "./gmsc-harness.ts";
export const PROCESS_TOKEN = "gmsc-process-token-0123456789";

export interface GmscProcess extends ServeProcess {
  readonly name: string;
  readonly sipPort: number;
  readonly mgcPort: number;
  readonly adminUrl: string;
  // biome-ignore lint/suspicious/noExplicitAny: JSON from the admin API, read by the assertions that follow
  admin(method: "GET" | "POST", path: string, body?: unknown): Promise<{ status: number; body: any; text: string }>;
}

export interface GmscProcessOptions {
  name: string;
  sipPort: number;
  mgcPort: number;
  adminPort: number;
  store?: string;
  /** Merged over the defaults: short RFC 3261 timers, short H.248 timers. */
  config?: NodeConfig;
  /** The deployed bundle (dist/, build it first: npm run build) with the README's Node.js flags, not tsx. */
  deployed?: boolean;
}

export async function startGmscProcess(options: GmscProcessOptions): Promise<GmscProcess> {
  const file = join(mkdtempSync(join(tmpdir(), "cleardown-gmsc-")), `${options.name}.json`);
  const config: NodeConfig = {
    timers: { t1: 50, t2: 400, t4: 500 },
    ...options.config,
    gmsc: {
      mgcTimers: { initialRetransmitMs: 60, maxRetransmitMs: 240, maxAttempts: 5 },
      ...options.config?.gmsc,
    },
  };
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  const adminUrl = `http://127.0.0.1:${options.adminPort}`;
  const child = startServeProcess(
    [
      "--role",
      "gmsc",
      "--name",
      options.name,
      "--sip",
      `udp://127.0.0.1:${options.sipPort}`,
      "--mgc",
      `udp://127.0.0.1:${options.mgcPort}`,
      "--admin",
      adminUrl,
      "--config",
      file,
      ...(options.store ? ["--store", options.store] : []),
    ],
    { CLEARDOWN_ADMIN_TOKEN: PROCESS_TOKEN, CLEARDOWN_LOG_LEVEL: "warn" },
    options.deployed ? { bin: distBin, nodeArgs: deployedNodeArgs } : {},
  );
  const admin: GmscProcess["admin"] = async (method, path, body) => {
    const res = await fetch(`${adminUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${PROCESS_TOKEN}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, text };
  };
  const node: GmscProcess = {
    ...child,
    name: options.name,
    sipPort: options.sipPort,
    mgcPort: options.mgcPort,
    adminUrl,
    admin,
  };
  try {
    await waitFor(
      `${options.name} answering /v1/health`,
      async () => (await admin("GET", "/v1/health").catch(() => ({ status: 0 }))).status === 200,
      20_000,
    );
  } catch (err) {
    await node.kill();
    throw new Error(`${(err as Error).message}\n${child.output()}`);
  }
  return node;
}
