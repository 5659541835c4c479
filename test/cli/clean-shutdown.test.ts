// Issue 19 item 6: `npm start` and `cleardown serve` started by another process end with it. The parent (npm, npx)
// is sent SIGINT, SIGTERM or SIGHUP by its PID, as an operator's `kill` does; every process started under it, whose
// PIDs the test recorded from /proc while they ran, is gone afterwards.
import { type ChildProcess, spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { projectDir } from "../support/cleardown-run.ts";
import { freeTcpPort, freeUdpPort } from "../support/free-port.ts";
import { alive, descendants } from "../support/process-tree.ts";

const started: number[] = [];

afterEach(() => {
  // Whatever a failed test left behind, by the PIDs it recorded: nothing else.
  for (const pid of started.splice(0)) if (alive(pid)) process.kill(pid, "SIGKILL");
});

function startUnder(command: string, args: string[], env: Record<string, string> = {}, detached = false) {
  const child: ChildProcess = spawn(command, args, {
    cwd: projectDir,
    detached,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) throw new Error(`${command} did not start`);
  started.push(child.pid);
  let out = "";
  child.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  return { pid: child.pid, output: () => out };
}

async function until(what: string, done: () => boolean, boundMs: number, output: () => string): Promise<void> {
  const end = Date.now() + boundMs;
  while (!done()) {
    if (Date.now() > end) throw new Error(`${what} did not happen within ${boundMs} ms; output:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Signals the parent, then waits (bounded) for every recorded descendant to be gone; returns those left. */
async function signalParent(parent: number, below: number[], signal: NodeJS.Signals): Promise<number[]> {
  process.kill(parent, signal);
  const end = Date.now() + 20_000;
  while (below.some(alive) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  return below.filter(alive);
}

describe("clean shutdown (issue 19 item 6)", () => {
  it.each(["SIGINT", "SIGTERM", "SIGHUP"] as const)(
    "npm start -- --keep-running: %s to npm ends the demo's node process",
    async (signal) => {
      const npm = startUnder("npm", ["start", "--", "--keep-running"]);
      await until(
        "the demo's nodes keeping running",
        () => npm.output().includes("The nodes keep running"),
        90_000,
        npm.output,
      );
      const below = descendants(npm.pid);
      started.push(...below);
      expect(below.length, "npm started the demo in a process of its own").toBeGreaterThan(0);
      expect(await signalParent(npm.pid, below, signal), npm.output()).toEqual([]);
    },
    120_000,
  );

  /** `npx cleardown serve` (an S-CSCF on free loopback ports), once the node has started; `group`: a process group of its own. */
  async function npxServe(group: boolean) {
    const [sip, admin] = await Promise.all([freeUdpPort(), freeTcpPort()]);
    const args = ["--offline", "cleardown", "serve", "--role", "scscf", "--sip", `udp://127.0.0.1:${sip}`];
    const npx = startUnder(
      "npx",
      [...args, "--admin", `http://127.0.0.1:${admin}`],
      { CLEARDOWN_ADMIN_TOKEN: "shutdown-test-token-0123" },
      group,
    );
    await until("the node starting", () => npx.output().includes('"node started"'), 90_000, npx.output);
    const below = descendants(npx.pid);
    started.push(...below);
    return { npx, below };
  }

  it.each(["SIGTERM", "SIGHUP"] as const)(
    "npx cleardown serve: %s to npx ends the node",
    async (signal) => {
      const { npx, below } = await npxServe(false);
      expect(below.length, "npx started the node in a process of its own").toBeGreaterThan(0);
      expect(await signalParent(npx.pid, below, signal), npx.output()).toEqual([]);
    },
    120_000,
  );

  // npx runs the command under `sh -c`, which catches a SIGINT npm forwards to it and waits for its child: a SIGINT
  // sent to npx's PID alone reaches no one that can stop (dash and npm's manners, not cleardown's). Ctrl-C in a
  // terminal signals the whole foreground process group, and that stops the node.
  it("npx cleardown serve: SIGINT to npx's process group (Ctrl-C) ends the node", async () => {
    const { npx, below } = await npxServe(true);
    expect(await signalParent(-npx.pid, below, "SIGINT"), npx.output()).toEqual([]);
    expect(alive(npx.pid)).toBe(false);
  }, 120_000);
});
