// `cleardown serve --role gmsc …` as an operator runs it: a child process from bin/cleardown.js with a config file,
// loopback only, stopped by its PID with SIGTERM. And a config the schema rejects: the error names the place.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freeTcpPort, freeUdpPort } from "../../support/free-port.ts";
import { waitFor } from "./gmsc-harness.ts";

const bin = resolve(import.meta.dirname, "../../../bin/cleardown.js");
const token = "serve-test-token-0123456789";
let child: ChildProcess | undefined;

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
    process.kill(child.pid, "SIGKILL");
    await new Promise((r) => child?.once("exit", r));
  }
  child = undefined;
});

function run(args: string[]): { output: () => string; exited: Promise<number | null> } {
  let out = "";
  child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, CLEARDOWN_ADMIN_TOKEN: token, CLEARDOWN_LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<number | null>((r) => child?.once("exit", (code) => r(code)));
  return { output: () => out, exited };
}

function configFile(config: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), "cleardown-serve-")), "gmsc.json");
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

describe("cleardown serve --role gmsc", () => {
  it("runs a GMSC from flags and a config file (routes, timers), answers /v1/health and /v1/calls, stops on SIGTERM", async () => {
    const [sip, mgc, admin] = await Promise.all([freeUdpPort(), freeUdpPort(), freeTcpPort()]);
    const file = configFile({
      timers: { t1: 100 },
      gmsc: { routes: [{ prefix: "49", target: "udp://127.0.0.1:5070" }], mgcTimers: { maxAttempts: 2 } },
    });
    const p = run([
      "serve",
      "--role",
      "gmsc",
      "--sip",
      `udp://127.0.0.1:${sip}`,
      "--mgc",
      `udp://127.0.0.1:${mgc}`,
      "--admin",
      `http://127.0.0.1:${admin}`,
      "--config",
      file,
    ]);
    const get = async (path: string) => {
      const r = await fetch(`http://127.0.0.1:${admin}${path}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: r.status, body: await r.json() };
    };
    const health = await waitFor("the admin API", () => get("/v1/health").catch(() => undefined), 20_000);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      status: "ok",
      role: "gmsc",
      sip: [{ transport: "UDP", address: "127.0.0.1", port: sip }],
    });
    expect(await get("/v1/calls")).toEqual({ status: 200, body: { calls: [] } });
    expect((await get("/v1/calls/nope@example.net")).status).toBe(404);
    if (child?.pid !== undefined) process.kill(child.pid, "SIGTERM");
    expect(await p.exited).toBe(0);
    expect(p.output()).toContain("stopped");
  });

  it("refuses a config whose route target is not a SIP transport URL: exit 2, the file, line:column and pointer named", async () => {
    const file = configFile({ gmsc: { routes: [{ prefix: "49", target: "127.0.0.1:5070" }] } });
    const sip = await freeUdpPort();
    const p = run(["serve", "--role", "gmsc", "--sip", `udp://127.0.0.1:${sip}`, "--config", file]);
    expect(await p.exited).toBe(2);
    expect(p.output()).toMatch(
      new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}[^:]*:\\d+:\\d+ \\(/gmsc/routes/0/target\\)`),
    );
    expect(p.output()).toContain(
      'expected a string (next hop of the succeeding node, e.g. udp://127.0.0.1:5070), found "127.0.0.1:5070"',
    );
  });
});
