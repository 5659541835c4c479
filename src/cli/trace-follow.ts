// `cleardown trace` without a Call-ID lists the calls traced (as sngrep's call list: start time, method, parties,
// messages, state); `--follow` prints each message as it comes, one line each with its wall-clock time, until
// Ctrl-C — of one call, or of every call (optionally a user's).
import type { TraceEntryView } from "../trace/trace-view.ts";
import type { AdminClient } from "./admin-client.ts";
import { CliError, type Result } from "./command-line.ts";
import { textTable } from "./text-table.ts";

interface Listed {
  callId: string;
  role: string;
  state?: string;
  started: string;
  last: string;
  method?: string;
  from?: string;
  to?: string;
  messages: number;
}

function timeOption(v: unknown, name: string): string | undefined {
  if (v === undefined) return undefined;
  if (Number.isNaN(Date.parse(String(v))))
    throw new CliError(`--${name}: expected an ISO 8601 time such as 2026-12-06T19:00:00Z, found "${v}"`);
  return String(v);
}

export async function listTraces(client: AdminClient, v: Record<string, unknown>): Promise<Result> {
  const q = new URLSearchParams();
  if (v.user) q.set("user", String(v.user));
  const since = timeOption(v.since, "since");
  const until = timeOption(v.until, "until");
  if (since) q.set("since", since);
  if (until) q.set("until", until);
  const { traces } = await client.json<{ traces: Listed[] }>("GET", `/v1/traces?${q}`);
  if (v.json) return { exitCode: 0, output: JSON.stringify(traces, null, 2) };
  const table = textTable(
    ["STARTED", "METHOD", "FROM", "TO", "MSGS", "STATE", "CALL-ID"],
    traces.map((t) => [t.started, t.method, t.from, t.to, t.messages, t.state, t.callId]),
  );
  return { exitCode: 0, output: `${traces.length ? `${table}\n` : ""}${traces.length} calls traced` };
}

function line(e: TraceEntryView, callId?: string): string {
  const ids = e.trace?.length ? `  [${e.trace.join(", ")}]` : "";
  const clock = e.time ? e.time.slice(11, 23) : "";
  return `${clock} +${e.deltaMs ?? 0}ms ${callId ? `${callId}  ` : ""}${e.from} → ${e.to}  ${e.protocol === "H.248" ? "H.248 " : ""}${e.label}${ids}`;
}

/** Polls until SIGINT or SIGTERM; each new message of the followed calls printed once. */
export async function followTraces(client: AdminClient, callId: string | undefined, user?: string): Promise<Result> {
  const printed = new Map<string, number>();
  let stopped = false;
  const stop = () => {
    stopped = true;
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  // Calls already ended before we started are not replayed when following all: only what happens from now.
  let since = new Date(Date.now() - 1000).toISOString();
  const out = (s: string) => process.stdout.write(`${s}\n`);
  if (callId === undefined) out(`following every call${user ? ` of ${user}` : ""} at ${client.url} (Ctrl-C stops)`);
  while (!stopped) {
    const ids: string[] = [];
    if (callId !== undefined) ids.push(callId);
    else {
      const q = new URLSearchParams({ since, ...(user ? { user } : {}) });
      const polled = new Date(Date.now() - 1000).toISOString();
      const { traces } = await client.json<{ traces: Listed[] }>("GET", `/v1/traces?${q}`);
      since = polled;
      ids.push(...traces.map((t) => t.callId));
    }
    for (const id of ids) {
      const r = await client.request("GET", `/v1/calls/${encodeURIComponent(id)}/trace?format=json`);
      if (r.status !== 200) continue;
      const { entries } = r.json() as { entries: TraceEntryView[] };
      const done = printed.get(id) ?? 0;
      for (const e of entries.slice(done)) out(line(e, callId === undefined ? id : undefined));
      printed.set(id, Math.max(done, entries.length));
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { exitCode: 0, output: "" };
}
