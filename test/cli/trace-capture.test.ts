// Issue 19 items 3 and 4: traces an operator can use and captures Wireshark reads. SIPp plays both UEs of a call
// the S-CSCF releases (24.229:5.4.5.1.2 items 1 and 2); then, through the admin API and the real `cleardown`
// binary: the list of traced calls with wall-clock times, method, parties, state and message count, filtered by
// user and time; each message's ISO time and delta, and its text on request; `cleardown trace --follow` printing a
// live call's messages as they come; and `cleardown trace --pcap` (and ?format=pcap) writing a pcap that Debian's
// tshark dissects as SIP with no malformed packet.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ALICE,
  BOB,
  bye,
  type PlacedCall,
  releaseCall,
  type Scscf,
  startScscf,
  TOKEN,
} from "../nodes/scscf/scscf-harness.ts";
import { cleardown, projectDir } from "../support/cleardown-run.ts";

const C = "24.229:5.4.5.1.2";
let scscf: Scscf;
let call: PlacedCall;
const dir = mkdtempSync(join(tmpdir(), "cleardown-trace-"));
const env = () => ({ CLEARDOWN_ADMIN: scscf.node.adminUrl, CLEARDOWN_ADMIN_TOKEN: TOKEN });

function released(s: Scscf, callId: string, tag: string) {
  return releaseCall(
    s,
    { scscf: s, served: "calling", callId, fromTag: `a-${tag}`, toTag: `b-${tag}`, cseq: 50 },
    (p) => ({
      toCallee: bye(p.calleeContact, BOB, `b-${tag}`, ALICE, `a-${tag}`, callId, "51 BYE", null),
      toCaller: bye(
        p.callerContact,
        ALICE,
        `a-${tag}`,
        BOB,
        `b-${tag}`,
        callId,
        { regex: "[0-9]{1,10} BYE" },
        p.callerPcscf,
      ),
    }),
  );
}

const CALL = "trace-capture-1@127.0.0.1";
let before: number;

beforeAll(async () => {
  before = Date.now();
  scscf = await startScscf("udp");
  ({ call } = await released(scscf, CALL, "cap"));
});
afterAll(async () => {
  await scscf?.close();
  rmSync(dir, { recursive: true, force: true });
});

const tshark = async (...args: string[]) =>
  (await promisify(execFile)("tshark", args, { timeout: 60_000, env: { ...process.env, HOME: dir } })).stdout;

describe("traces an operator can use (issue 19 item 3)", () => {
  it(`${C}/1 ${C}/2 /v1/traces: the call with wall-clock start, role, state, method, parties and message count; filtered by user and time`, async () => {
    const { body } = await scscf.admin("GET", "/v1/traces");
    const t = body.traces.find((x: { callId: string }) => x.callId === CALL);
    expect(t).toMatchObject({ callId: CALL, role: "scscf", state: "ended", method: "INVITE", from: ALICE, to: BOB });
    expect(Date.parse(t.started)).toBeGreaterThanOrEqual(before);
    expect(t.started).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(t.last)).toBeGreaterThanOrEqual(Date.parse(t.started));
    // INVITE, 200, ACK in; out; the two BYEs and their 200s.
    const { body: trace } = await scscf.admin("GET", `/v1/calls/${encodeURIComponent(CALL)}/trace`);
    expect(t.messages).toBe(trace.entries.length);
    const ids = async (q: string) =>
      (await scscf.admin("GET", `/v1/traces?${q}`)).body.traces.map((x: { callId: string }) => x.callId);
    expect(await ids("user=alice")).toContain(CALL);
    expect(await ids("user=carol")).not.toContain(CALL);
    expect(await ids(`since=${new Date(Date.now() + 60_000).toISOString()}`)).not.toContain(CALL);
    expect(await ids(`until=${new Date(before - 60_000).toISOString()}`)).not.toContain(CALL);
    expect((await scscf.admin("GET", "/v1/traces?since=yesterday")).status).toBe(400);
  });

  it(`${C}/1.g every message with its ISO time and delta; ?raw=1 adds the text as it crossed the wire`, async () => {
    const { body } = await scscf.admin("GET", `/v1/calls/${encodeURIComponent(CALL)}/trace?raw=1`);
    const entries = body.entries as Array<{
      time: string;
      deltaMs: number;
      raw: string;
      label: string;
      direction: string;
      rule?: string;
    }>;
    expect(entries[0].deltaMs).toBe(0);
    for (const e of entries) expect(e.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(entries.map((e) => e.deltaMs)).toEqual([...entries.map((e) => e.deltaMs)].sort((a, b) => a - b));
    expect(entries[0].raw).toMatch(/^INVITE sip:bob@/);
    const byeToCallee = entries.find((e) => e.direction === "sent" && e.rule === `${C}/1#bye-to-called`);
    expect(byeToCallee?.raw).toMatch(/^BYE /);
    expect(byeToCallee?.raw).toContain('Reason: SIP ;cause=503 ;text="Session Terminated"\r\n');
    expect(byeToCallee?.raw).toContain("CSeq: 51 BYE\r\n");
    const plain = await scscf.admin("GET", `/v1/calls/${encodeURIComponent(CALL)}/trace`);
    expect(plain.body.entries[0].raw).toBeUndefined();
  });

  it(`${C}/1 the text ladder: each arrow after its time of day and its delta`, async () => {
    const r = await cleardown(["trace", CALL], env());
    expect(r.code, r.stderr).toBe(0);
    const byes = r.stdout.split("\n").filter((l) => / BYE /.test(l));
    expect(byes).toHaveLength(2);
    for (const l of byes) expect(l).toMatch(/^\d\d:\d\d:\d\d\.\d{3} +\+\d+ms {2}/);
    const raw = await cleardown(["trace", "--raw", CALL], env());
    expect(raw.stdout).toMatch(
      /^── \d{4}-\d\d-\d\dT\S+ \+0ms received 127\.0\.0\.1:\d+ → S-CSCF \(UDP 127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+\)\nINVITE sip:bob@/m,
    );
  });

  it(`${C}/1 ${C}/2 cleardown trace --follow prints a live call's messages as they come, stops on Ctrl-C`, async () => {
    const follower: ChildProcess = spawn(
      process.execPath,
      [join(projectDir, "bin/cleardown.js"), "trace", "--follow"],
      {
        env: { ...process.env, ...env() },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    follower.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
    });
    const exited = new Promise<number | null>((r) => follower.once("exit", (code) => r(code)));
    try {
      const until = async (what: string, ok: () => boolean) => {
        const end = Date.now() + 30_000;
        while (!ok()) {
          if (Date.now() > end) throw new Error(`${what}: not seen in ${out}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      await until("the follower started", () => out.includes("following every call"));
      const live = "trace-follow-2@127.0.0.1";
      await released(scscf, live, "fol");
      await until(
        "both BYEs of the live call",
        () => out.split("\n").filter((l) => l.includes(live) && / BYE {2}\[/.test(l)).length === 2,
      );
      const lines = out.split("\n").filter((l) => l.includes(live));
      expect(lines[0]).toMatch(
        new RegExp(
          `^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\+0ms ${live.replace(/\./g, "\\.")}  127\\.0\\.0\\.1:\\d+ → S-CSCF  INVITE$`,
        ),
      );
      expect(lines.some((l) => l.endsWith(`BYE  [${C}/1]`))).toBe(true);
      // The first call ended before the follower started: not replayed.
      expect(out).not.toContain(CALL);
      follower.kill("SIGINT");
      expect(await exited).toBe(0);
    } finally {
      if (follower.exitCode === null && follower.pid) process.kill(follower.pid, "SIGKILL");
    }
  });
});

describe("captures Wireshark reads (issue 19 item 4)", () => {
  it(`${C}/1 ${C}/2 cleardown trace --pcap FILE: tshark reads every message as SIP, none malformed, the BYEs with their Reason`, async () => {
    const file = join(dir, "call.pcap");
    const r = await cleardown(["trace", "--pcap", file, CALL], env());
    expect(r.code, r.stderr).toBe(0);
    const { body } = await scscf.admin("GET", `/v1/calls/${encodeURIComponent(CALL)}/trace`);
    expect(r.stdout.trim()).toBe(`wrote ${body.entries.length} messages of ${CALL} to ${file}`);
    expect(await tshark("-r", file, "-Y", "_ws.malformed")).toBe("");
    const fields = (
      await tshark(
        "-r",
        file,
        "-T",
        "fields",
        "-e",
        "frame.protocols",
        "-e",
        "sip.Method",
        "-e",
        "sip.Status-Code",
        "-e",
        "sip.Reason",
      )
    )
      .trim()
      .split("\n")
      .map((l) => l.split("\t"));
    expect(fields).toHaveLength(body.entries.length);
    for (const [protocols] of fields) expect(protocols).toMatch(/^raw:ip:udp:sip(:sdp)?$/);
    const byes = fields.filter(([, method]) => method === "BYE");
    expect(byes).toHaveLength(2);
    for (const b of byes) expect(b[3]).toBe('SIP ;cause=503 ;text="Session Terminated"');
    // The addresses and ports the messages crossed: the caller's SIPp port among them.
    const ports = await tshark("-r", file, "-T", "fields", "-e", "udp.srcport");
    expect(ports.split("\n")).toContain(String(call.callerPort));
  });

  it("GET /v1/calls/{callId}/trace?format=pcap serves the same capture", async () => {
    const file = join(dir, "call.pcap");
    const res = await fetch(`${scscf.node.adminUrl}/v1/calls/${encodeURIComponent(CALL)}/trace?format=pcap`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.tcpdump.pcap");
    expect(Buffer.from(await res.arrayBuffer()).equals(readFileSync(file))).toBe(true);
  });
});
