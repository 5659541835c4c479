// Starts the Erlang/OTP megaco MG (cleardown_mg.erl) for a test: compiled with erlc into a temp dir at test time,
// loopback only, a free UDP port, stopped by PID. It registers with the MGC at `mgcPort` (ServiceChange Restart
// on ROOT) and prints one JSON line per event and per command it decoded; commands() returns them.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freeUdpPort } from "../../support/free-port.ts";
import { ensureErlangMegaco } from "./erlang.ts";

export interface MgLine {
  event: string;
  [field: string]: unknown;
}

export interface MgCommand {
  command: string;
  contextId: number;
  terminationIds: string[];
  /** Add/Modify: the descriptors seen; Subtract: the Audit asked for (none | empty | statsToken …). */
  detail: string;
}

export interface MegacoMg {
  readonly port: number;
  readonly pid: number;
  /** Every command the MG decoded, in order. */
  commands(): MgCommand[];
  lines(): MgLine[];
  waitFor(match: (l: MgLine) => boolean, timeoutMs?: number): Promise<MgLine>;
  /** Notify ObservedEvents = rid { time:g/cause { Generalcause = NR, Failurecause = "…" } } for the termination. */
  sendBearerReleased(
    terminationId: string,
    options?: { contextId?: number; requestId?: number; generalCause?: string; failureCause?: string },
  ): void;
  /** Stop answering requests (retransmissions included). */
  silence(): void;
  /** Answer again and register anew: ServiceChange Restart or Disconnected on ROOT. */
  restart(method?: "restart" | "disconnected"): void;
  /** ServiceChange Forced on one termination (taken out of service). */
  forceOutOfService(terminationId: string): void;
  /** The contexts the MG holds now, each as "context/termination,termination". */
  contexts(): Promise<string[]>;
  stop(): Promise<void>;
}

let buildDir: string | undefined;

function build(): string {
  if (buildDir !== undefined) return buildDir;
  const { erlc, escript } = ensureErlangMegaco();
  const dir = mkdtempSync(join(tmpdir(), "cleardown-mg-"));
  const here = import.meta.dirname;
  execFileSync(escript, [resolve(here, "gen_records.escript"), join(dir, "megaco_records.hrl")], { timeout: 60_000 });
  execFileSync(erlc, ["-I", dir, "-o", dir, resolve(here, "cleardown_mg.erl")], { timeout: 60_000 });
  buildDir = dir;
  return dir;
}

export async function startMegacoMg(
  mgcPort: number,
  /**
   * `port`: the MG's own UDP port (default a free one), for MGCs configured with the MG's address;
   * `secondaryMgcPorts`: more MGCs of the pool the MGW is provisioned with (connected at start, never registered with).
   */
  options: { registerTimeoutMs?: number; port?: number; secondaryMgcPorts?: number[] } = {},
): Promise<MegacoMg> {
  const dir = build();
  const { erl } = ensureErlangMegaco();
  const port = options.port ?? (await freeUdpPort());
  const child: ChildProcess = spawn(
    erl,
    [
      "-noshell",
      "-pa",
      dir,
      "-s",
      "cleardown_mg",
      "main",
      "-extra",
      String(mgcPort),
      String(port),
      ...(options.secondaryMgcPorts ?? []).map(String),
    ],
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  const lines: MgLine[] = [];
  const waiters = new Set<() => void>();
  let buffered = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line.startsWith("{")) {
        try {
          lines.push(JSON.parse(line) as MgLine);
        } catch {
          // a report megaco printed, not ours
        }
      }
    }
    for (const w of waiters) w();
  });
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));

  const waitFor = (match: (l: MgLine) => boolean, timeoutMs = 10_000): Promise<MgLine> =>
    new Promise((resolvePromise, reject) => {
      const check = () => {
        const hit = lines.find(match);
        if (hit !== undefined) {
          waiters.delete(check);
          clearTimeout(timer);
          resolvePromise(hit);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`MG: no matching line within ${timeoutMs} ms; got ${JSON.stringify(lines)} ${stderr}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  const control = (line: string) => child.stdin?.write(`${line}\n`);
  const commands = () =>
    lines.filter((l) => l.event === "command").map((l) => l as unknown as MgCommand & { event: string });

  const mg: MegacoMg = {
    port,
    pid: child.pid ?? -1,
    commands: () =>
      commands().map(({ command, contextId, terminationIds, detail }) => ({
        command,
        contextId,
        terminationIds,
        detail,
      })),
    lines: () => [...lines],
    waitFor,
    sendBearerReleased(terminationId, o = {}) {
      const added = commands().filter((c) => c.command === "Add" && c.terminationIds.includes(terminationId));
      const contextId = o.contextId ?? added.at(-1)?.contextId ?? 0;
      control(
        `notify ${contextId} ${terminationId} ${o.requestId ?? 1} ${o.generalCause ?? "NR"} ${o.failureCause ?? "bearer released"}`,
      );
    },
    silence: () => control("silence"),
    restart: (method = "restart") => control(`restart ${method}`),
    forceOutOfService: (terminationId) => control(`forced ${terminationId}`),
    async contexts() {
      const before = lines.filter((l) => l.event === "contexts").length;
      control("contexts");
      const count = () => lines.filter((x) => x.event === "contexts").length;
      await waitFor((l) => l.event === "contexts" && count() > before);
      return lines.filter((l) => l.event === "contexts")[before].contexts as string[];
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        control("stop");
        const t = setTimeout(() => {
          if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, "SIGKILL");
        }, 3000);
        await exited;
        clearTimeout(t);
      }
    },
  };
  try {
    await waitFor(
      (l) => l.event === "registered" || l.event === "register-failed",
      options.registerTimeoutMs ?? 20_000,
    );
  } catch (err) {
    await mg.stop();
    throw err;
  }
  if (!lines.some((l) => l.event === "registered")) {
    await mg.stop();
    throw new Error(`MG failed to register: ${JSON.stringify(lines)}`);
  }
  if ((options.secondaryMgcPorts ?? []).length > 0) await waitFor((l) => l.event === "secondaries-connected");
  return mg;
}
