// Issue 19 item 4: HEP3 mirroring to a Homer collector (config `hep: udp://…`). A UDP socket on loopback plays the
// collector; the HEP packets it receives are written into a pcap (as the UDP datagrams they were) and dissected by
// Debian's tshark as HEP carrying SIP (an S-CSCF's release, SIPp UEs) and MEGACO (a GMSC's call through the Erlang
// megaco MG), none malformed.
import { execFile } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pcapFile } from "../../src/trace/pcap.ts";
import { established } from "../nodes/gmsc/call-checks.ts";
import { startGmscHarness } from "../nodes/gmsc/gmsc-harness.ts";
import { ALICE, BOB, bye, releaseCall, startScscf } from "../nodes/scscf/scscf-harness.ts";

const C = "24.229:5.4.5.1.2";
// Debian's tshark 4.0 has no HEP dissector of its own (Homer ships a Lua one): the test's, read from the HEP3
// specification, unwraps the packet and hands its payload to tshark's SIP and MEGACO dissectors.
const hepDissector = join(import.meta.dirname, "../support/hep3.lua");
const dir = mkdtempSync(join(tmpdir(), "cleardown-hep-"));
let collector: Socket;
let port: number;
const received: Array<{ time: number; bytes: Buffer }> = [];

beforeAll(async () => {
  collector = createSocket("udp4");
  collector.on("message", (bytes) => received.push({ time: Date.now(), bytes }));
  await new Promise<void>((r) => collector.bind(0, "127.0.0.1", () => r()));
  port = collector.address().port;
});
afterAll(() => {
  collector?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What the collector got since `from`, as a pcap of UDP datagrams to its port; tshark's fields per packet. */
async function dissected(from: number, name: string): Promise<{ file: string; rows: string[][] }> {
  const file = join(dir, `${name}.pcap`);
  writeFileSync(
    file,
    pcapFile(
      received.slice(from).map((r) => ({
        time: r.time,
        wire: { transport: "UDP", src: { address: "127.0.0.1", port: 40_000 }, dst: { address: "127.0.0.1", port } },
        bytes: r.bytes,
      })),
    ),
  );
  const tshark = (...args: string[]) =>
    promisify(execFile)(
      "tshark",
      ["-X", `lua_script:${hepDissector}`, "-r", file, "-d", `udp.port==${port},hep3`, ...args],
      {
        timeout: 60_000,
        env: { ...process.env, HOME: dir },
      },
    ).then((r) => r.stdout);
  expect(await tshark("-Y", "_ws.malformed")).toBe("");
  const rows = (await tshark("-T", "fields", "-e", "frame.protocols", "-e", "sip.Method", "-e", "megaco.command"))
    .trim()
    .split("\n")
    .map((l) => l.split("\t"));
  return { file, rows };
}

async function until(what: string, ok: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("HEP3 mirroring to a Homer collector (issue 19 item 4)", () => {
  it(`${C}/1 ${C}/2 an S-CSCF's every SIP message, the two BYEs among them, dissected by tshark as HEP/SIP`, async () => {
    const from = received.length;
    const s = await startScscf("udp", { hep: `udp://127.0.0.1:${port}` });
    try {
      const callId = "hep-1@127.0.0.1";
      await releaseCall(
        s,
        { scscf: s, served: "calling", callId, fromTag: "a-hep", toTag: "b-hep", cseq: 50 },
        (p) => ({
          toCallee: bye(p.calleeContact, BOB, "b-hep", ALICE, "a-hep", callId, "51 BYE", null),
          toCaller: bye(
            p.callerContact,
            ALICE,
            "a-hep",
            BOB,
            "b-hep",
            callId,
            { regex: "[0-9]{1,10} BYE" },
            p.callerPcscf,
          ),
        }),
      );
      const traced = (await s.trace(callId)).length;
      await until(`${traced} HEP packets`, () => received.length - from >= traced);
      const { rows } = await dissected(from, "scscf");
      expect(rows.length).toBeGreaterThanOrEqual(traced);
      for (const [protocols] of rows) expect(protocols).toMatch(/^raw:ip:udp:hep3:sip/);
      // The two BYEs the S-CSCF sent (24.229:5.4.5.1.2 items 1 and 2), with their Reason.
      expect(rows.filter(([, method]) => method === "BYE")).toHaveLength(2);
    } finally {
      await s.close();
    }
  });

  it("23.231:7.3.2/1 a GMSC's SIP and H.248 messages: tshark reads HEP/SIP and HEP/MEGACO, the Subtracts among them", async () => {
    const from = received.length;
    const h = await startGmscHarness({ hep: `udp://127.0.0.1:${port}` });
    try {
      const c = await established(h);
      const r = await h.admin("POST", `/v1/calls/${encodeURIComponent(c.callId)}/release`, {});
      expect(r.status).toBe(202);
      await c.done();
      await until(
        "the Subtract replies mirrored",
        () => received.slice(from).filter((x) => x.bytes.includes("Subtract") || x.bytes.includes("SC=")).length > 0,
      );
      await new Promise((res) => setTimeout(res, 300));
      const { rows } = await dissected(from, "gmsc");
      const megaco = rows.filter(([p]) => /hep3:megaco/.test(p));
      const sip = rows.filter(([p]) => /hep3:sip/.test(p));
      expect(sip.length).toBeGreaterThan(0);
      expect(megaco.length).toBeGreaterThan(0);
      expect(rows.length).toBe(sip.length + megaco.length);
    } finally {
      await h.close();
    }
  });
});
