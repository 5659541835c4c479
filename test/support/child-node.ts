// A `node …` child process for a test (a cleardown command, the bundle in dist/): its output collected, its exit
// awaited, and — when the test is done with it or it outlives its bound — killed by its own PID, nothing else.
import { type ChildProcess, spawn } from "node:child_process";

export interface ChildNode {
  readonly process: ChildProcess;
  readonly pid: number;
  /** The exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
  /** stdout and stderr together, for assertion messages. */
  output(): string;
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL unless it has exited; resolves once it has. */
  kill(): Promise<void>;
}

export function startChildNode(
  script: string,
  args: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    boundMs?: number;
    nodeArgs?: string[];
    /** A command that execs node in its place, e.g. ["prlimit", "--nofile=1024", "--"] (the PID stays node's). */
    wrapper?: string[];
  } = {},
): ChildNode {
  const [command, ...pre] = [...(options.wrapper ?? []), process.execPath];
  const child = spawn(command, [...pre, ...(options.nodeArgs ?? []), script, ...args], {
    env: options.env ?? process.env,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) throw new Error(`node ${script} did not start`);
  const pid = child.pid;
  let out = "";
  let err = "";
  child.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    err += c.toString();
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const bound = setTimeout(() => running() && process.kill(pid, "SIGKILL"), options.boundMs ?? 60_000);
  void exited.then(() => clearTimeout(bound));
  return {
    process: child,
    pid,
    exited,
    stdout: () => out,
    stderr: () => err,
    output: () => out + err,
    signal: (signal) => {
      if (running()) process.kill(pid, signal);
    },
    async kill() {
      if (running()) process.kill(pid, "SIGKILL");
      await exited;
    },
  };
}
