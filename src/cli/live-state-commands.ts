// What a running node holds, as an operator asks for it (kamcmd dlg.list, dlg.dlg_list, ul.dump, stats): the
// S-CSCF's dialogs and registrations, the GMSC's calls, a rules reload and a summary of /metrics. Text for people,
// --json for scripts; lists are paged by the node (--limit, --cursor, or --all to follow every page).
import { AdminClient, adminNotes, adminOptions, nodeSaid } from "./admin-client.ts";
import { CliError, type CommandSpec, exitCodes, type OptionSpec, type Result } from "./command-line.ts";
import { metricsSummary } from "./metrics-summary.ts";
import { duration, textTable } from "./text-table.ts";

type Values = Record<string, string | boolean | string[] | undefined>;

const json: OptionSpec = { type: "boolean", help: "the node's answer as JSON" };
const paging: Record<string, OptionSpec> = {
  limit: { type: "string", value: "N", help: "records per page (default 100, at most 10000)" },
  cursor: { type: "string", value: "C", help: "the page after the one that gave this cursor" },
  all: { type: "boolean", help: "follow every page" },
};

async function roleOf(client: AdminClient): Promise<string> {
  return String((await client.json<{ role?: string }>("GET", "/v1/health")).role ?? "scscf");
}

async function requireRole(client: AdminClient, want: "scscf" | "gmsc", command: string): Promise<void> {
  const role = await roleOf(client);
  if (role === want) return;
  const other = want === "gmsc" ? "cleardown dialogs" : "cleardown calls";
  throw new CliError(
    `cleardown ${command}: the node at ${client.url} is ${role === "gmsc" ? "a GMSC" : "an S-CSCF"}; ${command} asks ${want === "gmsc" ? "a GMSC" : "an S-CSCF"} (try ${other})`,
    exitCodes.failure,
  );
}

/** Every page the node gives (one unless --all), with the last `next` cursor. */
async function pages<T>(
  client: AdminClient,
  path: string,
  key: string,
  v: Values,
  query: Record<string, string | undefined>,
): Promise<{ items: T[]; count?: number; next?: string }> {
  const limit = (v.limit as string | undefined) ?? "100";
  if (!/^\d+$/.test(limit)) throw new CliError(`--limit: expected a number of records, found "${limit}"`);
  let cursor = v.cursor as string | undefined;
  const items: T[] = [];
  let count: number | undefined;
  for (;;) {
    const q = new URLSearchParams({ limit, ...(cursor ? { cursor } : {}) });
    for (const [k, val] of Object.entries(query)) if (val !== undefined) q.set(k, val);
    const body = await client.json<Record<string, unknown>>("GET", `${path}?${q}`, undefined, [200], 60_000);
    items.push(...((body[key] as T[]) ?? []));
    if (typeof body.count === "number") count = body.count;
    cursor = body.next as string | undefined;
    if (!v.all || cursor === undefined) return { items, count, next: cursor };
  }
}

function footer(what: string, shown: number, count: number | undefined, next: string | undefined, again: string) {
  const of = count === undefined ? "" : ` of ${count}`;
  return `${shown}${of} ${what}${next ? `; next page: ${again} --cursor ${next}` : ""}`;
}

interface DialogItem {
  callId: string;
  state: string;
  servedUser: string;
  servedIdentity?: string;
  from?: string;
  to?: string;
  ageSeconds?: number;
  owner?: string;
}

export const dialogsCommand: CommandSpec = {
  name: "dialogs",
  summary: "The dialogs an S-CSCF holds: Call-ID, state, served user, parties, age and owner node (kamcmd dlg.list).",
  options: {
    ...adminOptions,
    state: { type: "string", value: "early|confirmed|releasing", help: "only dialogs in this state" },
    served: { type: "string", value: "IDENTITY", help: "only the dialogs of this served user (sip:user@host)" },
    ...paging,
    json,
  },
  notes: [...adminNotes, "one dialog in full: cleardown dialogs show CALL-ID"],
  examples: ["cleardown dialogs --state confirmed --served sip:alice@home.example"],
  async run(v) {
    const client = new AdminClient(v);
    await requireRole(client, "scscf", "dialogs");
    const r = await pages<DialogItem>(client, "/v1/dialogs", "dialogs", v, {
      state: v.state as string | undefined,
      served: v.served as string | undefined,
    });
    if (v.json) return { exitCode: 0, output: JSON.stringify(r, null, 2) };
    const table = textTable(
      ["CALL-ID", "STATE", "SERVES", "IDENTITY", "AGE", "OWNER"],
      r.items.map((d) => [d.callId, d.state, d.servedUser, d.servedIdentity, duration(d.ageSeconds), d.owner]),
    );
    const filtered = v.state || v.served ? " (filtered)" : "";
    return {
      exitCode: 0,
      output: `${r.items.length ? `${table}\n` : ""}${footer(`dialogs${filtered}`, r.items.length, r.count, r.next, "cleardown dialogs")}`,
    };
  },
};

type DialogDetail = {
  dialog: Record<string, unknown> & {
    release?: { byeToCalled: string; byeToCalling: string };
  };
  servedIdentity?: string;
  releaseCause?: string;
  releaseRule?: string;
  createdAtIso?: string;
  ageSeconds?: number;
  store?: { owner: string; version: number };
};

export const dialogsShowCommand: CommandSpec = {
  name: "dialogs show",
  summary:
    "One dialog as the S-CSCF holds it: state, parties, Contacts, route sets, CSeqs, release outcome, age and owner node.",
  args: "CALL-ID",
  positionals: { min: 1, max: 1 },
  options: { ...adminOptions, json },
  notes: adminNotes,
  examples: ["cleardown dialogs show a84b4c76e66710@192.0.2.4"],
  async run(v, [callId]) {
    const client = new AdminClient(v);
    const r = await client.json<DialogDetail>("GET", `/v1/dialogs/${encodeURIComponent(callId)}`);
    if (v.json) return { exitCode: 0, output: JSON.stringify(r, null, 2) };
    const d = r.dialog;
    const routes = (x: unknown) => (Array.isArray(x) && x.length ? x.join(", ") : "(none)");
    const rows: Array<[string, unknown]> = [
      ["Call-ID", d.callId],
      ["state", d.state],
      ["serves", `the ${d.servedUser} user${r.servedIdentity ? ` ${r.servedIdentity}` : ""}`],
      ["From (INVITE)", d.fromOfInvite],
      ["To (200 OK)", d.toOf200],
      ["calling Contact", d.callingContact],
      ["called Contact", d.calledContact],
      ["route set → called", routes(d.routeSetTowardsCalled)],
      ["route set → calling", routes(d.routeSetTowardsCalling)],
      ["CSeq calling→called", d.cseqCallingToCalled],
      ["CSeq called→calling", d.cseqCalledToCalling],
      ...(d.release
        ? ([["BYE → called / calling", `${d.release.byeToCalled} / ${d.release.byeToCalling}`]] as Array<
            [string, unknown]
          >)
        : []),
      ...(r.releaseCause ? ([["release cause", r.releaseCause]] as Array<[string, unknown]>) : []),
      ...(r.releaseRule ? ([["release rule", r.releaseRule]] as Array<[string, unknown]>) : []),
      ["created", r.createdAtIso],
      ["age", duration(r.ageSeconds)],
      ["owner node", r.store ? `${r.store.owner} (record version ${r.store.version})` : undefined],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    return {
      exitCode: 0,
      output: rows.map(([k, val]) => `${k.padEnd(width)}  ${val === undefined ? "-" : String(val)}`).join("\n"),
    };
  },
};

interface RegistrationItem {
  aor: string;
  owner?: string;
  bindings: Array<{ contact: string; expiresInSeconds: number; instance?: string; tempGruus: number }>;
}

export const registrationsCommand: CommandSpec = {
  name: "registrations",
  summary: "The S-CSCF registrar's addresses of record and their live bindings (kamcmd ul.dump).",
  options: {
    ...adminOptions,
    aor: { type: "string", value: "AOR", help: "only this address of record (sip:user@host)" },
    ...paging,
    json,
  },
  notes: adminNotes,
  examples: ["cleardown registrations --aor sip:bob@home.example"],
  async run(v) {
    const client = new AdminClient(v);
    await requireRole(client, "scscf", "registrations");
    const r = await pages<RegistrationItem>(client, "/v1/registrations", "registrations", v, {
      aor: v.aor as string | undefined,
    });
    if (v.json) return { exitCode: 0, output: JSON.stringify(r, null, 2) };
    const rows = r.items.flatMap((a) =>
      a.bindings.map((b) => [a.aor, b.contact, duration(b.expiresInSeconds), b.instance, b.tempGruus, a.owner]),
    );
    const table = textTable(["AOR", "CONTACT", "EXPIRES IN", "INSTANCE", "TEMP-GRUUS", "OWNER"], rows);
    return {
      exitCode: 0,
      output: `${rows.length ? `${table}\n` : ""}${footer("addresses of record", r.items.length, r.count, r.next, "cleardown registrations")}`,
    };
  },
};

interface CallItem {
  callId: string;
  succeedingCallId: string;
  preceding: string;
  succeeding: string;
  clearing: boolean;
  seized: string[];
  contexts: string[];
  ageSeconds?: number;
  owner?: string;
}

export const callsCommand: CommandSpec = {
  name: "calls",
  summary:
    "The calls a GMSC holds: both legs and their states, the MGW terminations seized and their contexts, clearing, age, owner.",
  options: {
    ...adminOptions,
    clearing: { type: "boolean", help: "only calls being cleared" },
    ...paging,
    json,
  },
  notes: [...adminNotes, "one call in full: GET /v1/calls/CALL-ID; its ladder: cleardown trace CALL-ID"],
  examples: ["cleardown calls --admin http://127.0.0.1:8081"],
  async run(v) {
    const client = new AdminClient(v);
    await requireRole(client, "gmsc", "calls");
    const r = await pages<CallItem>(client, "/v1/calls", "calls", v, {
      clearing: v.clearing ? "true" : undefined,
    });
    if (v.json) return { exitCode: 0, output: JSON.stringify(r, null, 2) };
    const table = textTable(
      ["CALL-ID (PRECEDING)", "SUCCEEDING CALL-ID", "LEGS", "CLEARING", "SEIZED (CONTEXT/TERMINATION)", "AGE", "OWNER"],
      r.items.map((c) => [
        c.callId,
        c.succeedingCallId,
        `${c.preceding}/${c.succeeding}`,
        c.clearing ? "yes" : "no",
        c.seized.join(" ") || "(none)",
        duration(c.ageSeconds),
        c.owner,
      ]),
    );
    return {
      exitCode: 0,
      output: `${r.items.length ? `${table}\n` : ""}${footer("calls", r.items.length, undefined, r.next, "cleardown calls")}`,
    };
  },
};

export const reloadCommand: CommandSpec = {
  name: "reload",
  summary:
    "Reloads the node's rules/ (as SIGHUP does): the next release uses them; a broken file is refused and the rules in force stay (exit 1, the errors listed).",
  options: { ...adminOptions, json },
  notes: adminNotes,
  examples: ["cleardown reload --admin http://127.0.0.1:8080"],
  async run(v): Promise<Result> {
    const client = new AdminClient(v);
    const r = await client.request("POST", "/v1/rules/reload", undefined, 60_000);
    if (v.json && (r.status === 200 || r.status === 422))
      return { exitCode: r.status === 200 ? 0 : 1, output: r.text.trimEnd() };
    if (r.status === 200) {
      const b = r.json() as { digest: string; changed: boolean };
      return {
        exitCode: 0,
        output: `rules reloaded: ${b.changed ? "new version" : "unchanged"} ${b.digest}`,
      };
    }
    if (r.status === 422) {
      const b = r.json() as { errors?: string[] };
      return {
        exitCode: exitCodes.failure,
        output: ["rules refused; the rules in force stay:", ...(b.errors ?? []).map((e) => `  ${e}`)].join("\n"),
      };
    }
    throw new CliError(nodeSaid(r), exitCodes.failure);
  },
};

export const statsCommand: CommandSpec = {
  name: "stats",
  summary:
    "A summary of the node's /metrics for people: what it holds, releases per rule (started, completed, failed), BYE latency, H.248, retransmissions, malformed and refused messages.",
  options: { ...adminOptions, raw: { type: "boolean", help: "the Prometheus text as the node serves it" } },
  notes: adminNotes,
  examples: ["cleardown stats --admin http://127.0.0.1:8080"],
  async run(v) {
    const client = new AdminClient(v);
    const health = await client.json<Record<string, unknown>>("GET", "/v1/health");
    const r = await client.request("GET", "/metrics");
    if (r.status !== 200) throw new CliError(nodeSaid(r), exitCodes.failure);
    if (v.raw) return { exitCode: 0, output: r.text.trimEnd() };
    return { exitCode: 0, output: metricsSummary(health, r.text) };
  },
};

export const liveStateCommands = [
  dialogsCommand,
  dialogsShowCommand,
  registrationsCommand,
  callsCommand,
  reloadCommand,
  statsCommand,
];
