// `cleardown serve …` in a child process (bin/cleardown.js), as an operator runs a node: loopback only, its output
// kept for a failing test to show, stopped — or killed without a word, as a crashed host would be — by its PID.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { resolve } from "node:path";

export const cleardownBin = resolve(import.meta.dirname, "../../bin/cleardown.js");

export interface ServeProcess {
  readonly pid: number;
  readonly exited: Promise<number | null>;
  output(): string;
  /** SIGKILL: gone at once, nothing closed. */
  kill(): Promise<void>;
  /** SIGTERM: the node closes its sockets and store, then exits. */
  stop(): Promise<void>;
}

/** The deployed bundle (`npm run build`), as the README's systemd unit runs it. */
export const distBin = resolve(import.meta.dirname, "../../dist/cleardown.js");
/** The Node.js flags the README's deployment gives the node (a young generation sized for bursts of calls). */
export const deployedNodeArgs = ["--max-semi-space-size=32"];

/** `npm run build`: dist/ from the sources as they are now (a bench measures what operators deploy). */
export function buildDeployed(): void {
  const root = resolve(import.meta.dirname, "../..");
  const tsxCli = resolve(root, "node_modules/tsx/dist/cli.mjs");
  execFileSync(process.execPath, [tsxCli, resolve(root, "src/cli/build.ts")], { stdio: "ignore" });
}

/** `launch`: another entry (distBin) and Node.js flags; default bin/cleardown.js through tsx, no flags. */
export function startServeProcess(
  args: string[],
  env: Record<string, string>,
  launch: { bin?: string; nodeArgs?: string[] } = {},
): ServeProcess {
  const entry = [...(launch.nodeArgs ?? []), launch.bin ?? cleardownBin];
  const child: ChildProcess = spawn(process.execPath, [...entry, "serve", ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) throw new Error("cleardown serve did not start");
  let out = "";
  const keep = (c: Buffer) => {
    out += c.toString();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (child.pid !== undefined) process.kill(child.pid, sig);
    await exited;
  };
  return {
    pid: child.pid,
    exited,
    output: () => out,
    kill: () => signal("SIGKILL"),
    stop: () => signal("SIGTERM"),
  };
}
