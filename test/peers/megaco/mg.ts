// Starts the Erlang/OTP megaco MG (cleardown_mg.erl) for a test: compiled with erlc into a temp dir at test time,
// loopback only, a free UDP port, stopped by PID. It registers with the MGC at `mgcPort` (ServiceChange Restart
// on ROOT) and prints one JSON line per event and per command it decoded; commands() returns them. Under load
// (`tally`) it counts the commands and keeps each context's terminations instead, read with tally().
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
  /**
   * Started with `tally`: the Adds, Modifies and Subtracts since the last reset (no line per command is printed),
   * with each context's terminations added and subtracted when `contexts` is asked for.
   */
  tally(contexts?: boolean): Promise<MgTally>;
  /** Forgets the tally's counts and contexts. */
  resetTally(): Promise<void>;
  stop(): Promise<void>;
}

export interface MgTally {
  adds: number;
  modifies: number;
  subtracts: number;
  /** Asked for: each context's terminations added and subtracted, in the order the MG handled them. */
  contexts?: Map<number, { adds: string[]; subtracts: string[] }>;
}

/**
 * The scheduler flags the MG's Erlang VM runs with: no busy-waiting of idle schedulers, which on a 2-core machine
 * burns CPU the node under test needs (CLEARDOWN_MG_ERL_FLAGS replaces them, space-separated).
 */
const erlFlags = (process.env.CLEARDOWN_MG_ERL_FLAGS ?? "+sbwt none +sbwtdcpu none +sbwtdio none")
  .split(" ")
  .filter((f) => f !== "");

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
  options: { registerTimeoutMs?: number; port?: number; secondaryMgcPorts?: number[]; tally?: boolean } = {},
): Promise<MegacoMg> {
  const dir = build();
  const { erl } = ensureErlangMegaco();
  const port = options.port ?? (await freeUdpPort());
  const child: ChildProcess = spawn(
    erl,
    [
      ...erlFlags,
      "-noshell",
      "-pa",
      dir,
      ...(options.tally ? ["-tally"] : []),
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
  /** Sends a control line and waits for the next line of event `event` it answers with. */
  const ask = async (line: string, event: string): Promise<MgLine> => {
    const mark = lines.length;
    control(line);
    return waitFor((l) => l.event === event && lines.lastIndexOf(l) >= mark);
  };
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
      return (await ask("contexts", "contexts")).contexts as string[];
    },
    async tally(contexts = false) {
      const counts = await ask("tally", "tally");
      const t: MgTally = {
        adds: counts.adds as number,
        modifies: counts.modifies as number,
        subtracts: counts.subtracts as number,
      };
      if (!contexts) return t;
      // "CONTEXT|ADDED,ADDED|SUBTRACTED,SUBTRACTED" each
      const rows = (await ask("tally contexts", "tally-contexts")).contexts as string[];
      const terms = (s: string) => (s === "" ? [] : s.split(","));
      t.contexts = new Map(
        rows.map((row) => {
          const [id, added, subtracted] = row.split("|");
          return [Number(id), { adds: terms(added), subtracts: terms(subtracted) }];
        }),
      );
      return t;
    },
    async resetTally() {
      await ask("tally reset", "tally-reset");
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
