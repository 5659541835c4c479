// The commands that talk to a running node's admin API: release, trace (and the live-state commands). Each is a
// CommandSpec: its options, help and example; the client turns every failure into one line and an exit code.
import type { TraceEntryView } from "../trace/trace-view.ts";
import { AdminClient, adminNotes, adminOptions, nodeSaid } from "./admin-client.ts";
import { CliError, type CommandSpec, exitCodes, type Result } from "./command-line.ts";
import { liveStateCommands } from "./live-state-commands.ts";

const json = { type: "boolean", help: "the node's answer as JSON" } as const;

async function roleOf(client: AdminClient): Promise<"scscf" | "gmsc"> {
  const health = await client.json<{ role?: string }>("GET", "/v1/health");
  return health.role === "gmsc" ? "gmsc" : "scscf";
}

type Plans = { plans?: Array<{ kind: string; rule: string; trace: string[] }> };

export const releaseCommand: CommandSpec = {
  name: "release",
  summary:
    "A network-internal release through a node's admin API: one dialog or call (S-CSCF: TS 24.229 §5.4.5.1.2; GMSC: TS 23.231 §7.3.2), or in bulk on an S-CSCF (every dialog, or a served user's).",
  args: "[CALL-ID]",
  positionals: { min: 0, max: 1 },
  options: {
    ...adminOptions,
    "call-id": { type: "string", value: "ID", help: "the dialog's or call's Call-ID (or give it as the argument)" },
    all: { type: "boolean", help: "release every dialog (S-CSCF) or call (GMSC) the node holds" },
    served: { type: "string", value: "IDENTITY", help: "release every dialog of this served user (S-CSCF)" },
    cause: { type: "string", value: "CAUSE", help: "the release cause the rules know (default administrative)" },
    text: { type: "string", value: "TEXT", help: "the Reason text, replacing the rule table's" },
    json,
  },
  notes: adminNotes,
  examples: [
    "cleardown release --admin http://127.0.0.1:8080 a84b4c76e66710@192.0.2.4",
    "cleardown release --all --cause administrative",
    "cleardown release --served sip:alice@home.example",
  ],
  async run(v, positionals) {
    const callId = (v["call-id"] as string | undefined) ?? positionals[0];
    const chosen = [callId !== undefined, v.all === true, v.served !== undefined].filter(Boolean).length;
    if (chosen !== 1)
      throw new CliError(
        "cleardown release: name what to release, once: a CALL-ID (or --call-id), --all, or --served IDENTITY; see cleardown release --help",
      );
    const client = new AdminClient(v);
    const body = { ...(v.cause ? { cause: v.cause } : {}), ...(v.text ? { text: v.text } : {}) };
    const role = await roleOf(client);
    if (callId === undefined) {
      if (role === "gmsc") {
        if (!v.all) throw new CliError("cleardown release --served: a GMSC serves no users; give a CALL-ID or --all");
        return releaseEveryCall(client, body, v.json === true);
      }
      const bulk = v.all ? { all: true, ...body } : { servedIdentity: v.served, ...body };
      // A bulk release answers once the releases it started have ended: no time bound.
      const r = await client.json<Record<string, unknown>>("POST", "/v1/dialogs/release", bulk, [202]);
      if (v.json) return { exitCode: 0, output: JSON.stringify(r, null, 2) };
      return {
        exitCode: 0,
        output: `bulk release (${r.cause}): ${r.matched} matched, ${r.started} started, ${r.notStarted} not started, ${r.elapsedMs} ms`,
      };
    }
    const kind = role === "gmsc" ? "calls" : "dialogs";
    const r = await client.json<Plans>(
      "POST",
      `/v1/${kind}/${encodeURIComponent(callId)}/release`,
      body,
      [202],
      30_000,
    );
    if (v.json) return { exitCode: 0, output: JSON.stringify(r, null, 2) };
    const lines = (r.plans ?? []).map((p) => `  ${p.kind.padEnd(14)} ${p.rule}  [${p.trace.join(", ")}]`);
    return { exitCode: 0, output: [`release of ${callId} started (${role})`, ...lines].join("\n") };
  },
};

/** GMSC-initiated clearing (TS 23.231 §7.3.2) of every call it holds, one release request per call. */
async function releaseEveryCall(client: AdminClient, body: Record<string, unknown>, json: boolean): Promise<Result> {
  const result = { matched: 0, started: 0, notStarted: 0 };
  let cursor: string | undefined;
  const keys: string[] = [];
  do {
    const page = await client.json<{ calls: Array<{ callId: string }>; next?: string }>(
      "GET",
      `/v1/calls?limit=1000${cursor ? `&cursor=${cursor}` : ""}`,
    );
    keys.push(...page.calls.map((c) => c.callId));
    cursor = page.next;
  } while (cursor);
  for (const key of keys) {
    result.matched++;
    const r = await client.request("POST", `/v1/calls/${encodeURIComponent(key)}/release`, body, 30_000);
    if (r.status === 202) result.started++;
    else result.notStarted++;
  }
  if (json) return { exitCode: 0, output: JSON.stringify(result, null, 2) };
  return {
    exitCode: 0,
    output: `release of every call: ${result.matched} matched, ${result.started} started, ${result.notStarted} not started (ended meanwhile)`,
  };
}

export const traceCommand: CommandSpec = {
  name: "trace",
  summary:
    "A call's ladder diagram from the node's runtime audit trail (wall-clock time of each message, the clause ids beside it); without a CALL-ID, the calls traced (sngrep's list). --follow prints messages as they come.",
  args: "[CALL-ID]",
  positionals: { min: 0, max: 1 },
  options: {
    ...adminOptions,
    json: { type: "boolean", help: "the trace (or the list) as JSON" },
    svg: { type: "boolean", help: "the ladder as SVG" },
    raw: { type: "boolean", help: "each message's text as it crossed the wire, after the ladder (in JSON: raw)" },
    follow: { type: "boolean", short: "f", help: "print messages as they come until Ctrl-C (one call, or all)" },
    user: { type: "string", value: "USER", help: "list or follow only calls from or to this user (part of a URI)" },
    since: { type: "string", value: "TIME", help: "list only calls active since this ISO time" },
    until: { type: "string", value: "TIME", help: "list only calls started before this ISO time" },
    pcap: { type: "string", value: "FILE", help: "write the call's messages to FILE as a pcap (Wireshark, tshark)" },
  },
  notes: adminNotes,
  examples: [
    "cleardown trace a84b4c76e66710@192.0.2.4",
    "cleardown trace --user alice --since 2026-12-06T19:00:00Z",
    "cleardown trace --follow",
  ],
  async run(v, [callId]): Promise<Result> {
    const client = new AdminClient(v);
    if (v.follow) {
      const { followTraces } = await import("./trace-follow.ts");
      return followTraces(client, callId, v.user as string | undefined);
    }
    if (callId === undefined) {
      const { listTraces } = await import("./trace-follow.ts");
      return listTraces(client, v);
    }
    if (v.pcap) {
      const { writeTracePcap } = await import("./trace-pcap.ts");
      return writeTracePcap(client, callId, v.pcap as string);
    }
    const path = `/v1/calls/${encodeURIComponent(callId)}/trace`;
    const format = v.json ? "json" : v.svg ? "svg" : "text";
    const r = await client.request("GET", `${path}?format=${format}${v.raw && v.json ? "&raw=1" : ""}`);
    if (r.status !== 200) throw new CliError(nodeSaid(r), exitCodes.failure);
    if (!v.raw || format !== "text") return { exitCode: 0, output: r.text.trimEnd() };
    const { entries } = await client.json<{ entries: TraceEntryView[] }>("GET", `${path}?format=json&raw=1`);
    const texts = entries.map(
      (e) =>
        `── ${e.time ?? ""} +${e.deltaMs ?? 0}ms ${e.direction} ${e.from} → ${e.to}${e.wire ? ` (${e.wire.transport} ${e.wire.src.address}:${e.wire.src.port} → ${e.wire.dst.address}:${e.wire.dst.port})` : ""}\n${(e.raw ?? "(text not kept)").trimEnd()}`,
    );
    return { exitCode: 0, output: [r.text.trimEnd(), "", ...texts].join("\n") };
  },
};

export const nodeCommands: CommandSpec[] = [releaseCommand, traceCommand, ...liveStateCommands];
