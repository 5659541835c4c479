// The runtime audit trail is bounded by the node configuration's `traces` (maxCalls, maxEntriesPerCall, maxAgeMs):
// an S-CSCF on loopback, pinged with SIP OPTIONS from a UDP socket of the test (one Call-ID per ping: a received
// OPTIONS and the 200 sent), keeps what the configuration says and no more; a bad value is refused with its place.
import { createSocket, type Socket } from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, validateConfig } from "../../src/config/node-config.ts";
import { eventually, type Scscf, startScscf } from "./scscf/scscf-harness.ts";

let scscf: Scscf | undefined;
let socket: Socket | undefined;
afterEach(async () => {
  await scscf?.close();
  scscf = undefined;
  await new Promise<void>((r) => (socket ? socket.close(() => r()) : r()));
  socket = undefined;
});

async function pinger(): Promise<(callId: string) => void> {
  const s = createSocket("udp4");
  socket = s;
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  const { port } = s.address();
  return (callId) => {
    const target = `sip:${scscf?.host}:${scscf?.port}`;
    const text = [
      `OPTIONS ${target} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-${callId.replace(/\W/g, "")};rport`,
      "Max-Forwards: 70",
      `From: <sip:ping@127.0.0.1>;tag=ping`,
      `To: <${target}>`,
      `Call-ID: ${callId}`,
      "CSeq: 1 OPTIONS",
      "Content-Length: 0",
      "",
      "",
    ].join("\r\n");
    s.send(text, scscf?.port ?? 0, "127.0.0.1");
  };
}

const trace = async (callId: string) => scscf?.admin("GET", `/v1/calls/${encodeURIComponent(callId)}/trace`);

describe("retention of the runtime audit trail (config traces)", () => {
  it("keeps the messages of at most maxCalls calls (the least recently active go first) and maxEntriesPerCall of each", async () => {
    scscf = await startScscf("udp", { traces: { maxCalls: 2, maxEntriesPerCall: 1, maxAgeMs: 600_000 } });
    const ping = await pinger();
    for (const id of ["ping-1@test", "ping-2@test", "ping-3@test"]) {
      ping(id);
      await eventually(
        async () => (await trace(id))?.status,
        (s) => s === 200,
        `the trace of ${id}`,
      );
    }
    expect((await scscf.admin("GET", "/v1/traces")).body.traces.map((t: { callId: string }) => t.callId)).toEqual([
      "ping-2@test",
      "ping-3@test",
    ]);
    expect((await trace("ping-1@test"))?.status).toBe(404);
    // The OPTIONS was received and answered 200, but one entry per call is all that is kept: a full trace keeps
    // its newest messages (a long call's trace still ends with its release).
    const kept = (await trace("ping-3@test"))?.body.entries;
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ protocol: "SIP", direction: "sent", label: "200 OK (OPTIONS)", from: "S-CSCF" });
  });

  it("drops a call's trace once it has seen no message for maxAgeMs", async () => {
    scscf = await startScscf("udp", { traces: { maxAgeMs: 1000 } });
    const ping = await pinger();
    ping("ping-old@test");
    const fresh = await eventually(
      async () => (await trace("ping-old@test"))?.body.entries?.length ?? 0,
      (n) => n === 2,
      "the OPTIONS and its 200 in the trace",
    );
    expect(fresh).toBe(2);
    await new Promise((r) => setTimeout(r, 1300));
    expect((await trace("ping-old@test"))?.status).toBe(404);
    expect((await scscf.admin("GET", "/v1/traces")).body.traces).toEqual([]);
  });

  it("refuses a retention that is not a non-negative integer, naming the place and what was expected", () => {
    expect(() => validateConfig({ traces: { maxCalls: -1 } }, "node.json")).toThrow(ConfigError);
    expect(() => validateConfig({ traces: { maxCalls: -1 } }, "node.json")).toThrow(/node\.json.*\/traces\/maxCalls/);
    expect(() => validateConfig({ traces: { keepForever: true } }, "node.json")).toThrow(/\/traces/);
  });
});
