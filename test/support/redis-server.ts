// A real redis-server for a test: Debian's package, a free loopback port, no persistence; stopped by PID.
import { type ChildProcess, spawn } from "node:child_process";
import { ensureDebianPackage } from "./debian-package.ts";
import { freeTcpPort } from "./free-port.ts";

export interface RedisPeer {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
  /** SIGKILL by its PID: gone at once, as a crashed host would be. */
  kill(): Promise<void>;
}

/** A redis-server on a free loopback port, or on `port` (a restart where the nodes expect it). */
export async function startRedis(options: { port?: number } = {}): Promise<RedisPeer> {
  const binary = ensureDebianPackage("redis-server", "/usr/bin/redis-server");
  const port = options.port ?? (await freeTcpPort());
  const child: ChildProcess = spawn(
    binary,
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("redis-server did not start within 10 s")), 10_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
  const signal = (sig: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill(sig);
    });
  if (child.pid === undefined) throw new Error("redis-server did not start");
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    stop: () => signal("SIGTERM"),
    kill: () => signal("SIGKILL"),
  };
}
