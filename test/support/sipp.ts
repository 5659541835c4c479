// SIPp (Debian package sip-tester) as a real SIP peer for tests: a scenario from test/peers/sipp/ with its
// @@PLACEHOLDERS@@ filled in, loopback only, bounded by a global timeout, stopped by PID. Its message log and
// error log are kept so a test can assert on what SIPp saw and say why a scenario failed.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ensureDebianPackage } from "./debian-package.ts";

export const sippScenarios = resolve(import.meta.dirname, "../peers/sipp");

export interface SippOptions {
  /** Scenario file name in test/peers/sipp/, or an absolute path. */
  scenario: string;
  /** Values for @@NAME@@ placeholders in the scenario (inserted as written). */
  fill?: Record<string, string | number>;
  /** Local address and port SIPp binds (its -i and -p). */
  local: { address: string; port: number };
  /** Where a UAC sends its first request (host:port). */
  remote?: string;
  transport?: "udp" | "tcp";
  /** Calls to place (-m); default 1. */
  calls?: number;
  /** Calls per second (-r) and concurrency limit (-l). */
  rate?: number;
  limit?: number;
  /**
   * The Call-ID of a UAC's calls (SIPp's -cid_str: %u call number, %p pid, %s local IP). A UAC scenario must
   * write [call_id]: SIPp maps responses to its calls by the Call-ID it made.
   */
  callId?: string;
  /** The scenario's [service] (-s). */
  service?: string;
  /** Global timeout: SIPp stops itself after this (default 30 s). */
  timeoutMs?: number;
  /** Keep a log of every message (-trace_msg; default true). Off for load, where logging would be the bottleneck. */
  traceMessages?: boolean;
  /** Further arguments. */
  args?: string[];
}

/** SIPp's cumulative counters at exit (-trace_stat). */
export interface SippStats {
  successful: number;
  failed: number;
  created: number;
}

export interface SippRun {
  readonly pid: number;
  readonly dir: string;
  /** Resolves when SIPp exits: 0 every call succeeded, 1 some failed, 97/99/255 abnormal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Waits for the exit and throws with SIPp's error log unless it exited 0. */
  succeeded(): Promise<void>;
  /** The messages SIPp sent and received (-trace_msg), as text. */
  messages(): string;
  errors(): string;
  /** The <log> lines of the scenario (-trace_logs). */
  logs(): string;
  /** The last row of SIPp's statistics file. */
  stats(): SippStats;
  stop(): Promise<void>;
}

export function sippBinary(): string {
  return ensureDebianPackage("sip-tester", "/usr/bin/sipp");
}

const read = (file: string) => (existsSync(file) ? readFileSync(file, "utf8") : "");

/**
 * The scenario with its placeholders filled: `@@IF NAME@@ … @@END NAME@@` keeps the block when NAME is given
 * (and not "" or 0), `@@UNLESS NAME@@ … @@END NAME@@` when it is not; `@@NAME@@` is replaced by its value.
 */
export function scenarioText(scenario: string, fill: Record<string, string | number> = {}): string {
  const path = scenario.startsWith("/") ? scenario : join(sippScenarios, scenario);
  const given = (name: string) => fill[name] !== undefined && fill[name] !== "" && fill[name] !== 0;
  let text = readFileSync(path, "utf8");
  for (let before = ""; before !== text; ) {
    before = text;
    text = text.replace(
      /@@(IF|UNLESS) ([A-Z0-9_]+)@@\n?([\s\S]*?)@@END \2@@\n?/g,
      (_w, kind: string, name: string, body: string) => ((kind === "IF") === given(name) ? body : ""),
    );
  }
  return text.replace(/@@([A-Z0-9_]+)@@/g, (whole, name: string) => {
    if (!(name in fill)) throw new Error(`${scenario}: no value given for placeholder ${whole}`);
    return String(fill[name]);
  });
}

/** Escapes a value for a POSIX extended regular expression in a scenario's <ereg>. */
export function regexQuote(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Escapes a value for an XML attribute. */
export function xmlQuote(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A regexp for an <ereg regexp="…"> attribute: regex-escaped, then XML-escaped. */
export const eregValue = (value: string) => xmlQuote(regexQuote(value));

// Every run's files live under one folder per test process, removed after the test file (or when a bench
// script exits) unless CLEARDOWN_KEEP_SIPP is set, to read a failed run's logs.
const runsDir = join(tmpdir(), `cleardown-sipp-${process.pid}`);
const removeRuns = () => {
  if (!process.env.CLEARDOWN_KEEP_SIPP) rmSync(runsDir, { recursive: true, force: true });
};
process.once("exit", removeRuns);
if (process.env.VITEST) (await import("vitest")).afterAll(removeRuns);

export async function startSipp(options: SippOptions): Promise<SippRun> {
  const binary = sippBinary();
  mkdirSync(runsDir, { recursive: true });
  const dir = mkdtempSync(join(runsDir, "run-"));
  const scenarioFile = join(dir, "scenario.xml");
  writeFileSync(scenarioFile, scenarioText(options.scenario, options.fill));
  const files = {
    stats: join(dir, "stats.csv"),
    messages: join(dir, "messages.log"),
    errors: join(dir, "errors.log"),
    logs: join(dir, "logs.log"),
  };
  const timeout = Math.ceil((options.timeoutMs ?? 30_000) / 1000);
  const args = [
    ...(options.remote ? [options.remote] : []),
    "-sf",
    scenarioFile,
    "-i",
    options.local.address,
    "-p",
    String(options.local.port),
    "-t",
    options.transport === "tcp" ? "t1" : "u1",
    "-m",
    String(options.calls ?? 1),
    ...(options.rate !== undefined ? ["-r", String(options.rate)] : []),
    ...(options.limit !== undefined ? ["-l", String(options.limit)] : []),
    ...(options.service ? ["-s", options.service] : []),
    ...(options.callId ? ["-cid_str", options.callId] : []),
    "-timeout",
    `${timeout}s`,
    "-timeout_error",
    "-nostdin",
    ...(options.traceMessages === false ? [] : ["-trace_msg", "-message_file", files.messages]),
    "-trace_stat",
    "-stf",
    files.stats,
    "-fd",
    "1",
    "-trace_err",
    "-error_file",
    files.errors,
    "-trace_logs",
    "-log_file",
    files.logs,
    ...(options.args ?? []),
  ];
  const child: ChildProcess = spawn(binary, args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
    child.once("exit", (code, signal) => {
      // Its port taken: who holds it now, for the failure's message (the port was probed free when handed out).
      if (code !== 0 && read(files.errors).includes("Unable to bind main socket"))
        stderr += `\n--- ${options.local.address}:${options.local.port} held by:\n${portHolders(options.local.port)}`;
      resolveExit({ code, signal });
    }),
  );
  if (child.pid === undefined) throw new Error(`sipp did not start: ${stderr}`);
  // A UAS must be listening before anything is sent to it; a UAC binds before it sends its first request.
  if (!options.remote) await waitBound(options.local, options.transport ?? "udp", exited);
  const run: SippRun = {
    pid: child.pid,
    dir,
    exited,
    async succeeded() {
      const { code, signal } = await exited;
      if (code !== 0)
        throw new Error(
          `sipp ${options.scenario} exited ${code ?? signal}\n--- errors\n${read(files.errors)}${stderr}\n--- messages (tail)\n${read(files.messages).slice(-4000)}`,
        );
    },
    messages: () => read(files.messages),
    errors: () => read(files.errors) + stderr,
    logs: () => read(files.logs),
    stats: () => statsOf(read(files.stats)),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(killer);
    },
  };
  return run;
}

/** The sockets on a local port and their processes, as `ss` lists them (UDP and TCP). */
function portHolders(port: number): string {
  const r = spawnSync("ss", ["-uatnp", `sport = :${port}`], { encoding: "utf8", timeout: 2000 });
  return r.stdout || r.stderr || `ss: ${r.error?.message ?? "no output"}`;
}

/**
 * SIPp is ready once its port is taken, up to 5 s. Read from the kernel's socket tables, not probed by binding the
 * port: a probe holds the port for a moment, and SIPp binding it in that moment dies with errno 98 (CI saw it).
 */
async function waitBound(
  local: { address: string; port: number },
  transport: "udp" | "tcp",
  exited: Promise<unknown>,
): Promise<void> {
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  for (let i = 0; i < 100; i++) {
    if (gone || portTaken(local.port, transport)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sipp did not bind ${local.address}:${local.port} within 5 s`);
}

/** Whether a socket is bound to this local port (UDP) or listens on it (TCP), per /proc/net/{udp,tcp}{,6}. */
function portTaken(port: number, transport: "udp" | "tcp"): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  for (const table of [`/proc/net/${transport}`, `/proc/net/${transport}6`]) {
    for (const line of read(table).split("\n").slice(1)) {
      const [, localAddress, , state] = line.trim().split(/\s+/);
      // TCP: only a listening socket (state 0A), not a connection that happens to use the port.
      if (localAddress?.endsWith(hex) && (transport === "udp" || state === "0A")) return true;
    }
  }
  return false;
}

/** What a scenario checks in a received request: the Request-URI, and each header's whole value. */
export interface RequestChecks {
  method: string;
  requestUri: string;
  /** header name → its exact value, a {regex} for a value not known in advance, or null for "absent". */
  headers: Record<string, string | { regex: string } | null>;
}

/**
 * The <ereg check_it> actions that make a SIPp scenario fail unless the received request is exactly as
 * expected (SIPp reads one header line; cleardown writes each header on one line), and a <log> line that puts
 * every value read into the scenario's log.
 */
export function requestChecks(checks: RequestChecks): string {
  return messageChecks(`${checks.method} ${checks.requestUri} SIP/2.0`, checks.headers);
}

/** The same for a response: its status line, then the headers. */
export function responseChecks(statusLine: string, headers: RequestChecks["headers"]): string {
  return messageChecks(statusLine, headers);
}

function messageChecks(startLine: string, headers: RequestChecks["headers"]): string {
  const lines: string[] = [];
  const vars: string[] = ["sl"];
  const first = `^${regexQuote(startLine)}`;
  lines.push(`<ereg regexp="${xmlQuote(first)}" search_in="msg" check_it="true" assign_to="sl"/>`);
  let n = 0;
  for (const [name, want] of Object.entries(headers)) {
    const v = `h${n++}`;
    vars.push(v);
    if (want === null) {
      lines.push(`<ereg regexp=".+" search_in="hdr" header="${name}:" check_it_inverse="true" assign_to="${v}"/>`);
      continue;
    }
    const body = typeof want === "string" ? regexQuote(want) : want.regex;
    const re = `^[[:space:]]*${body}[[:space:]]*$`;
    lines.push(`<ereg regexp="${xmlQuote(re)}" search_in="hdr" header="${name}:" check_it="true" assign_to="${v}"/>`);
  }
  lines.push(
    `<log message="checked ${xmlQuote(startLine.split(" ")[0])}: ${vars.map((v) => `${v}=[$${v}]`).join(" | ")}"/>`,
  );
  return lines.map((l) => `      ${l}`).join("\n");
}

function statsOf(csv: string): SippStats {
  const rows = csv.trim().split("\n");
  const head = (rows[0] ?? "").split(";");
  const last = (rows.at(-1) ?? "").split(";");
  const col = (name: string) => Number(last[head.indexOf(name)] ?? Number.NaN);
  return { successful: col("SuccessfulCall(C)"), failed: col("FailedCall(C)"), created: col("TotalCallCreated") };
}
