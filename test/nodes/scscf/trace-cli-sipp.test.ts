// The runtime audit trail of a release, as an operator reads it: SIPp plays both UEs of a call the S-CSCF releases,
// then `cleardown trace` (a child process talking to the admin API) prints the ladder with the clause ids beside
// each BYE arrow; --json gives every message with the rule and the clause ids of each field sent; --svg the
// sequence diagram. A call with no trace and an unknown format are refused with what was expected.
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../../src/rules/schema-registry.ts";
import type { TraceEntry } from "../../../src/trace/call-trace.ts";
import { ALICE, BOB, bye, type PlacedCall, releaseCall, type Scscf, startScscf, TOKEN } from "./scscf-harness.ts";

const C = "24.229:5.4.5.1.2";
const callId = "trace-cli-1@127.0.0.1";
let scscf: Scscf;
let call: PlacedCall;

/** `cleardown trace …` as a child process; resolves with its exit code and output either way. */
async function cleardownTrace(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [resolve(projectRoot, "bin/cleardown.js"), "trace", "--admin", scscf.node.adminUrl, ...args],
      { env: { ...process.env, CLEARDOWN_ADMIN_TOKEN: TOKEN }, timeout: 30_000 },
    );
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

beforeAll(async () => {
  scscf = await startScscf("udp");
  const s = scscf;
  ({ call } = await releaseCall(
    s,
    { scscf: s, served: "calling", callId, fromTag: "a-trace", toTag: "b-trace", cseq: 50 },
    (p) => ({
      toCallee: bye(p.calleeContact, BOB, "b-trace", ALICE, "a-trace", callId, "51 BYE", null),
      toCaller: bye(
        p.callerContact,
        ALICE,
        "a-trace",
        BOB,
        "b-trace",
        callId,
        { regex: "[0-9]{1,10} BYE" },
        p.callerPcscf,
      ),
    }),
  ));
});
afterAll(async () => scscf?.close());

describe("cleardown trace and the admin API's trace of a released call", () => {
  it(`${C}/1 ${C}/2 cleardown trace CALL-ID prints the ladder: a column per party, each BYE arrow with its clause id beside it`, async () => {
    const { code, out } = await cleardownTrace(callId);
    expect(code).toBe(0);
    const lines = out.trimEnd().split("\n");
    expect(lines[0]).toBe(`Call-ID ${callId}`);
    const caller = `127.0.0.1:${call.callerPort}`;
    const callee = `127.0.0.1:${call.calleePort}`;
    expect(lines[1].trim().split(/\s+/)).toEqual([caller, "S-CSCF", callee]);
    // The caller is the first column, the S-CSCF the second: the BYE to the caller points left from the S-CSCF's
    // lifeline to the caller's, the one to the callee right from the S-CSCF's to the callee's.
    const lifelines = [...lines[2].matchAll(/\|/g)].map((m) => m.index);
    const toCaller = lines.filter((l) => / BYE /.test(l) && l.endsWith(`   ${C}/2`));
    const toCallee = lines.filter((l) => / BYE /.test(l) && l.endsWith(`   ${C}/1`));
    expect(toCaller).toHaveLength(1);
    expect(toCallee).toHaveLength(1);
    expect(toCaller[0].indexOf("|<-")).toBe(lifelines[0]);
    expect(toCaller[0].indexOf("-|", lifelines[0])).toBe((lifelines[1] ?? 0) - 1);
    expect(toCallee[0].indexOf("|-", (lifelines[1] ?? 0) - 1)).toBe(lifelines[1]);
    expect(toCallee[0].indexOf("->|")).toBe((lifelines[2] ?? 0) - 2);
    expect(lines.filter((l) => /200 OK \(BYE\)/.test(l))).toHaveLength(2);
  });

  it(`${C}/1 ${C}/1.e ${C}/1.g ${C}/2 ${C}/2.e cleardown trace --json: every message of the call, the sent BYEs with their rule and each field's clause ids`, async () => {
    const { code, out } = await cleardownTrace("--json", callId);
    expect(code).toBe(0);
    const { callId: id, entries } = JSON.parse(out) as { callId: string; entries: TraceEntry[] };
    expect(id).toBe(callId);
    const sentByes = entries.filter((e) => e.direction === "sent" && e.label === "BYE");
    expect(sentByes.map((e) => e.rule).sort()).toEqual([`${C}/1#bye-to-called`, `${C}/2#bye-to-calling`]);
    const toCallee = sentByes.find((e) => e.rule === `${C}/1#bye-to-called`);
    expect(toCallee?.to).toBe(`127.0.0.1:${call.calleePort}`);
    expect(toCallee?.fields).toContainEqual({
      name: "CSeq",
      value: "51 BYE",
      trace: [`${C}/1.e`, "rfc3261:8.1.1.5", `x-${C}/cseq-range`],
    });
    expect(toCallee?.fields).toContainEqual({
      name: "Reason",
      value: 'SIP ;cause=503 ;text="Session Terminated"',
      trace: [`${C}/1.g`, "rfc3326:2"],
    });
    const toCaller = sentByes.find((e) => e.rule === `${C}/2#bye-to-calling`);
    expect(toCaller?.fields?.find((f) => f.name === "CSeq")?.trace).toEqual([
      `${C}/2.e`,
      "rfc3261:8.1.1.5",
      `x-${C}/cseq-range`,
    ]);
    expect(entries.filter((e) => e.direction === "received" && e.label === "200 OK (BYE)")).toHaveLength(2);
    expect(entries.map((e) => e.at)).toEqual([...entries.map((e) => e.at)].sort((a, b) => a - b));
  });

  it(`${C}/1 ${C}/2 cleardown trace --svg and GET /v1/calls/{callId}/trace?format=svg: an SVG sequence diagram with the BYE arrows and their clause ids`, async () => {
    const { code, out } = await cleardownTrace("--svg", callId);
    expect(code).toBe(0);
    expect(out.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(out.trimEnd().endsWith("</svg>")).toBe(true);
    expect(out.match(/<text [^>]*>BYE<\/text>/g)).toHaveLength(2);
    expect(out).toContain(`>${C}/1</text>`);
    expect(out).toContain(`>${C}/2</text>`);
    expect(out.match(/<text /g)?.length).toBe(out.match(/<\/text>/g)?.length);

    const res = await fetch(`${scscf.node.adminUrl}/v1/calls/${encodeURIComponent(callId)}/trace?format=svg`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/svg+xml");
    expect(`${await res.text()}\n`).toBe(out);
  });

  it("refuses a Call-ID it kept no trace for (exit 1, the admin API's 404) and an unknown format (400 naming the formats)", async () => {
    const unknown = await cleardownTrace("nobody@127.0.0.1");
    expect(unknown.code).toBe(1);
    expect(unknown.out).toContain("the node answered 404: no trace kept for Call-ID nobody@127.0.0.1");
    expect(unknown.out).toContain("no trace kept for Call-ID nobody@127.0.0.1");
    const format = await scscf.admin("GET", `/v1/calls/${encodeURIComponent(callId)}/trace?format=xml`);
    expect(format.status).toBe(400);
    expect(JSON.stringify(format.body)).toContain("format: expected json, text, svg or pcap, found xml");
  });
});
