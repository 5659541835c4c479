// An S-CSCF node on loopback for a test, with its admin API, and SIPp UEs placing a call through it: the
// calling UE (behind a P-CSCF entry) and the called UE, each checking the BYE it receives field by field.
import type { Logger } from "pino";
import { onTestFinished } from "vitest";
import type { NodeConfig } from "../../../generated/types/index.ts";
import { validateConfig } from "../../../src/config/node-config.ts";
import { type ScscfNode, startScscfNode } from "../../../src/nodes/scscf/scscf-node.ts";
import type { Clock } from "../../../src/nodes/scscf/session-timers.ts";
import type { TraceEntry } from "../../../src/trace/call-trace.ts";
import { freeTcpPort, freeUdpPort } from "../../support/free-port.ts";
import { silentLogger } from "../../support/silent-logger.ts";
import { type RequestChecks, requestChecks, type SippRun, startSipp } from "../../support/sipp.ts";

export const TOKEN = "test-admin-token-0123456789";

/** JSON from the admin API, read field by field in the tests. */
// biome-ignore lint/suspicious/noExplicitAny: test code reads parsed JSON freely
export type Json = any;
export const DOMAIN = "home.test";
export const ALICE = `sip:alice@${DOMAIN}`;
export const BOB = `sip:bob@${DOMAIN}`;
export const REASON_ADMIN = 'SIP ;cause=503 ;text="Session Terminated"';

/** An S-CSCF as the UEs and the test see it: its SIP address and its admin API (in this process or another). */
export interface ScscfEndpoint {
  host: string;
  port: number;
  transport: "udp" | "tcp";
  /** This S-CSCF's Record-Route entry as it writes it. */
  own: string;
  admin(method: "GET" | "POST", path: string, body?: unknown, token?: string): Promise<{ status: number; body: Json }>;
  /** Dialogs in its store. */
  dialogCount(): Promise<number>;
  /** The runtime audit trail of a call. */
  trace(callId: string): Promise<TraceEntry[]>;
}

export interface Scscf extends ScscfEndpoint {
  node: ScscfNode;
  close(): Promise<void>;
}

/** An admin API client with the test token. */
export function adminClient(baseUrl: string): ScscfEndpoint["admin"] {
  return async (method, path, body, token = TOKEN) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (metrics, ladders)
    }
    return { status: res.status, body: parsed as Json };
  };
}

/** How the node reads its rules: from a copy of spec/ and rules/ (`root`), reloaded when a file changes. */
export interface ScscfNodeOptions {
  root?: string;
  watchRules?: boolean;
  logger?: Logger;
}

/** An S-CSCF for the test under way, closed when that test ends, passed or failed. */
export async function scscfForTest(...args: Parameters<typeof startScscf>): Promise<Scscf> {
  const s = await startScscf(...args);
  onTestFinished(() => s.close());
  return s;
}

export async function startScscf(
  transport: "udp" | "tcp" = "udp",
  extra: Partial<NodeConfig> = {},
  clock?: Clock,
  nodeOptions: ScscfNodeOptions = {},
): Promise<Scscf> {
  const host = "127.0.0.1";
  const port = transport === "udp" ? await freeUdpPort(host) : await freeTcpPort(host);
  const config = validateConfig({
    role: "scscf",
    sip: [`${transport}://${host}:${port}`],
    admin: `http://${host}:0`,
    adminToken: TOKEN,
    // Short RFC 3261 timers: Timer F = 64·T1 = 3.2 s.
    timers: { t1: 50, t2: 400, t4: 500 },
    ...extra,
  });
  const node = await startScscfNode({
    config,
    logger: nodeOptions.logger ?? silentLogger(),
    ...(clock ? { clock } : {}),
    ...(nodeOptions.root ? { root: nodeOptions.root } : {}),
    ...(nodeOptions.watchRules ? { watchRules: true } : {}),
  });
  const admin = adminClient(node.adminUrl);
  return {
    node,
    host,
    port,
    transport,
    own: `<sip:${host}:${port}${transport === "tcp" ? ";transport=tcp" : ""};lr>`,
    admin,
    dialogCount: () => node.dialogs.size(),
    trace: async (callId) => node.shell.traces.get(callId) ?? [],
    close: () => node.close(),
  };
}

/** Polls until `ok` holds (bounded), for state the node reaches asynchronously. */
export async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 10_000) {
  const until = Date.now() + ms;
  let last: T = await read();
  while (!ok(last)) {
    if (Date.now() > until) throw new Error(`${what}: not reached within ${ms} ms; last seen ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
    last = await read();
  }
  return last;
}

export interface CallSetup {
  scscf: ScscfEndpoint;
  /** Whom the S-CSCF serves: the INVITE's top Route carries `orig` when it serves the calling user. */
  served: "calling" | "called";
  callId: string;
  fromTag: string;
  toTag: string;
  cseq: number;
  /** The caller re-INVITEs with this CSeq. */
  cseq2?: number;
  /** The callee re-INVITEs with this CSeq (else it sends nothing and item 2/4's CSeq is random). */
  calleeCseq?: number;
  /** The caller's and callee's Contact URIs (default their own address). */
  callerContact?: string;
  calleeContact?: string;
  /** The INVITE's Request-URI (default the callee's address). */
  calledUri?: string;
  /** Whether a P-CSCF entry stands on the called side of the Record-Route. */
  calleePcscf?: boolean;
  callerPort?: number;
  calleePort?: number;
  /** Extra Route entries the INVITE carries after the S-CSCF's (default none). */
  firstRoute?: string;
  /** An application server's Record-Route entry, when one is on the dialog's route (between two of ours). */
  as?: string;
  /** How each UE answers its BYE: a status line ("200 OK") or a number of ms to stay silent. */
  callerAnswer?: string | { silentMs: number };
  calleeAnswer?: string | { silentMs: number };
}

export interface PlacedCall {
  caller: SippRun;
  callee: SippRun;
  callerPort: number;
  calleePort: number;
  callerPcscf: string;
  calleePcscf?: string;
  callerContact: string;
  calleeContact: string;
}

/** Starts the callee, then the caller; the call is up once the S-CSCF holds the dialog confirmed. */
export async function placeCall(
  s: CallSetup,
  expectBye: (p: Omit<PlacedCall, "caller" | "callee">) => { toCaller: RequestChecks; toCallee: RequestChecks },
): Promise<PlacedCall> {
  const { scscf } = s;
  const t = scscf.transport;
  const free = t === "udp" ? freeUdpPort : freeTcpPort;
  const callerPort = s.callerPort ?? (await free("127.0.0.1"));
  const calleePort = s.calleePort ?? (await free("127.0.0.1"));
  const tp = t === "tcp" ? ";transport=tcp" : "";
  const callerPcscf = `<sip:127.0.0.1:${callerPort}${tp};lr;x-pcscf=orig>`;
  const calleePcscf = s.calleePcscf ? `<sip:127.0.0.1:${calleePort}${tp};lr;x-pcscf=term>` : undefined;
  const callerContact = s.callerContact ?? `sip:alice@127.0.0.1:${callerPort}${tp}`;
  const calleeContact = s.calleeContact ?? `sip:bob@127.0.0.1:${calleePort}${tp}`;
  const placed = { callerPort, calleePort, callerPcscf, calleePcscf, callerContact, calleeContact };
  const checks = expectBye(placed);
  // What this S-CSCF (and an AS it hands the INVITE to) put into the Record-Route, top (called side) first.
  const ownPath = s.as ? [scscf.own, s.as, scscf.own] : [scscf.own];
  const answer = (a: CallSetup["callerAnswer"]) =>
    typeof a === "object" ? { NO_ANSWER: a.silentMs, BYE_STATUS: "" } : { NO_ANSWER: "", BYE_STATUS: a ?? "200 OK" };
  const common = {
    CALLING_AOR: ALICE,
    CALLED_AOR: BOB,
    FROM_TAG: s.fromTag,
    TO_TAG: s.toTag,
  };
  const callee = await startSipp({
    scenario: "scscf-ue-callee.xml",
    local: { address: "127.0.0.1", port: calleePort },
    transport: t,
    timeoutMs: 30_000,
    fill: {
      ...common,
      CALLEE_CONTACT: calleeContact,
      CALLEE_PCSCF: calleePcscf ?? "",
      CALLER_REINVITES: s.cseq2 ? 1 : "",
      CALLEE_CSEQ: s.calleeCseq ?? "",
      CALLER_TARGET: callerContact,
      // The callee's route set: the Record-Route of the INVITE it received, in order.
      CALLEE_ROUTE: [...ownPath, callerPcscf].join(", "),
      BYE_CHECKS: requestChecks(checks.toCallee),
      ...answer(s.calleeAnswer),
    },
  });
  const scscfHostPort = `${scscf.host}:${scscf.port}${tp}`;
  const caller = await startSipp({
    scenario: "scscf-ue-caller.xml",
    local: { address: "127.0.0.1", port: callerPort },
    remote: `${scscf.host}:${scscf.port}`,
    transport: t,
    callId: s.callId,
    timeoutMs: 30_000,
    fill: {
      ...common,
      CALLED_URI: s.calledUri ?? calleeContact,
      FIRST_ROUTE: `<sip:${scscfHostPort};lr${s.served === "calling" ? ";orig" : ""}>${s.firstRoute ?? ""}`,
      CALLER_PCSCF: callerPcscf,
      CSEQ: s.cseq,
      CSEQ2: s.cseq2 ?? "",
      CALLEE_REINVITES: s.calleeCseq ? 1 : "",
      CALLER_CONTACT: callerContact,
      // The caller's route set past its own P-CSCF: the 2xx's Record-Route, reversed.
      IN_DIALOG_ROUTE: [...[...ownPath].reverse(), ...(calleePcscf ? [calleePcscf] : [])].join(", "),
      BYE_CHECKS: requestChecks(checks.toCaller),
      ...answer(s.callerAnswer),
    },
  });
  return { caller, callee, ...placed };
}

/** A REGISTER through the S-CSCF's registrar from `fromPort`, for the contact at `contactPort`. */
async function register(
  scscf: ScscfEndpoint,
  user: "alice" | "bob",
  ports: { from: number; contact: number },
  instance: string,
  expires: number,
) {
  const run = await startSipp({
    scenario: "scscf-ue-register.xml",
    local: { address: "127.0.0.1", port: ports.from },
    remote: `${scscf.host}:${scscf.port}`,
    transport: scscf.transport,
    timeoutMs: 10_000,
    fill: {
      DOMAIN,
      AOR: `sip:${user}@${DOMAIN}`,
      USER: user,
      INSTANCE: instance,
      CONTACT_HOSTPORT: `127.0.0.1:${ports.contact}`,
      EXPIRES: expires,
      GRUUS: expires > 0 ? 1 : "",
    },
  });
  await run.succeeded();
  return run;
}

/** A UE registers through the S-CSCF's registrar with +sip.instance and gruu; returns the GRUUs issued. */
export async function registerUe(
  scscf: ScscfEndpoint,
  user: "alice" | "bob",
  port: number,
  instance: string,
): Promise<{ pub: string; temp: string; contact: string }> {
  const logs = (await register(scscf, user, { from: port, contact: port }, instance, 600)).logs();
  const pub = /pub-gruu (\S+)/.exec(logs)?.[1];
  const temp = /temp-gruu (\S+)/.exec(logs)?.[1];
  if (!pub || !temp) throw new Error(`registration of ${user} issued no GRUUs: ${logs}`);
  return { pub, temp, contact: `sip:${user}@127.0.0.1:${port};transport=${scscf.transport.toUpperCase()}` };
}

/** The UE's binding at `contactPort` is removed (REGISTER with expires 0), sent from another port. */
export async function deregisterUe(scscf: ScscfEndpoint, user: "alice" | "bob", contactPort: number, instance: string) {
  const from = await (scscf.transport === "udp" ? freeUdpPort : freeTcpPort)("127.0.0.1");
  await register(scscf, user, { from, contact: contactPort }, instance, 0);
}

/** The headers of the last request `method` SIPp received or sent, from its message log. */
export function lastRequest(log: string, method: string): { line: string; headers: Record<string, string> } {
  const blocks = log.split(/-{20,}.*\n/).filter((b) => new RegExp(`^\\s*${method} `, "m").test(b));
  const block = blocks.at(-1) ?? "";
  const lines = block.split(/\r?\n/).map((l) => l.trim());
  const start = lines.findIndex((l) => l.startsWith(`${method} `));
  const headers: Record<string, string> = {};
  for (const l of lines.slice(start + 1)) {
    if (l === "") break;
    const i = l.indexOf(":");
    headers[l.slice(0, i)] = l.slice(i + 1).trim();
  }
  return { line: lines[start] ?? "", headers };
}

/** How many times SIPp received a request `method` (retransmissions included). */
export function receivedCount(log: string, method: string): number {
  return log.split(/-{20,}.*\n/).filter((b) => /message received/.test(b) && new RegExp(`^${method} `, "m").test(b))
    .length;
}

/** Waits until the S-CSCF has forwarded the ACK of every INVITE of the call (so no UE still waits for one). */
export async function acksPassed(
  s: ScscfEndpoint,
  setup: Pick<CallSetup, "callId" | "cseq2" | "calleeCseq">,
): Promise<void> {
  const want = 1 + (setup.cseq2 ? 1 : 0) + (setup.calleeCseq ? 1 : 0);
  await eventually(
    async () => (await s.trace(setup.callId)).filter((e) => e.direction === "sent" && e.label === "ACK").length,
    (n) => n >= want,
    `${want} ACK(s) forwarded`,
  );
}

export function bye(
  requestUri: string,
  to: string,
  toTag: string,
  from: string,
  fromTag: string,
  callId: string,
  cseq: string | { regex: string },
  route: string | null,
  /** 70 as the S-CSCF sends it, less one for each proxy on the way (an AS, this S-CSCF again). */
  maxForwards = 70,
): RequestChecks {
  return {
    method: "BYE",
    requestUri,
    headers: {
      To: `<${to}>;tag=${toTag}`,
      From: `<${from}>;tag=${fromTag}`,
      "Call-ID": callId,
      CSeq: cseq,
      Route: route,
      Reason: REASON_ADMIN,
      "Max-Forwards": String(maxForwards),
    },
  };
}

export const byeRules = (released: Json): string[] =>
  released.plans.filter((p: { kind: string }) => p.kind === "sip-request").map((p: { rule: string }) => p.rule);

export interface ReleaseOptions {
  /** The call is ready for release once the stored dialog satisfies this (after re-INVITEs, say). */
  ready?: (dialog: Json) => boolean;
  cause?: string;
  /** The network-internal indication; default POST /v1/dialogs/{callId}/release with the cause. */
  trigger?: (call: PlacedCall) => Promise<Json>;
  /** What happens while the release is under way (before both UEs are done). */
  during?: (call: PlacedCall) => Promise<void>;
}

/** Sets the call up, waits until the S-CSCF holds it confirmed (and ready), releases it, waits for both UEs. */
export async function releaseCall(
  s: ScscfEndpoint,
  setup: CallSetup,
  expectBye: Parameters<typeof placeCall>[1],
  options: ReleaseOptions = {},
): Promise<{ call: PlacedCall; released: Json }> {
  const call = await placeCall(setup, expectBye);
  const path = `/v1/dialogs/${encodeURIComponent(setup.callId)}`;
  const ready = options.ready ?? (() => true);
  await eventually(
    () => s.admin("GET", path),
    (r) => r.status === 200 && r.body.dialog.state === "confirmed" && ready(r.body.dialog),
    "dialog confirmed",
  );
  await acksPassed(setup.scscf, setup);
  let released: Json;
  if (options.trigger) released = await options.trigger(call);
  else {
    const r = await s.admin("POST", `${path}/release`, { cause: options.cause ?? "administrative" });
    if (r.status !== 202) throw new Error(`release answered ${r.status}: ${JSON.stringify(r.body)}`);
    released = r.body;
  }
  if (options.during) await options.during(call);
  await Promise.all([call.caller.succeeded(), call.callee.succeeded()]);
  await eventually(
    () => s.dialogCount(),
    (n) => n === 0,
    "no dialog state left",
  );
  return { call, released };
}
