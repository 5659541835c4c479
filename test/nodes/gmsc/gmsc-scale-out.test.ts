// Two GMSC nodes as operators run them (`cleardown serve --role gmsc`, two child processes) sharing one real
// redis-server and one MGW (the Erlang megaco MG, whose fixed address both have in gmsc.mg; it registered with A).
// A call set up through A is cleared through B's admin API after A was killed by its PID (TS 23.231 §7.3.2): B builds
// both BYEs from the shared record — each leg's Route set, CSeq and tags — and Subtracts each seized termination
// exactly once. Then a node killed and restarted with the Redis store still holds its call and clears it.
import { createSocket } from "node:dgram";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MegacoMg, startMegacoMg } from "../../peers/megaco/mg.ts";
import { freeTcpPort, freeUdpPort } from "../../support/free-port.ts";
import { type RedisPeer, startRedis } from "../../support/redis-server.ts";
import { type SippRun, startSipp } from "../../support/sipp.ts";
import { startUdpTap, type UdpTap } from "../../support/udp-tap.ts";
import { one } from "./call-checks.ts";
import { addsOf, CALLED, sentSince, subtractsOf, waitFor } from "./gmsc-harness.ts";
import { type GmscProcess, startGmscProcess } from "./gmsc-process.ts";
import { isupFiles } from "./isup.ts";
import { headerOf, messages, type WireMessage } from "./wire.ts";

let redis: RedisPeer;
let client: Redis;
let mg: MegacoMg;
let precedingTap: UdpTap;
let succeedingTap: UdpTap;
const ports = { preceding: 0, succeeding: 0, mg: 0 };
const nodes: GmscProcess[] = [];
const runs: SippRun[] = [];
const isup = isupFiles();

const tag = (value: string | undefined) => /;tag=([^;>\s]+)/.exec(value ?? "")?.[1];
const routeOf = (m: WireMessage) =>
  m.headers
    .filter(([n]) => n.toLowerCase() === "route")
    .flatMap(([, v]) => v.split(/,\s*(?=<)/))
    .map((v) => v.trim());
const normalClearing = 'Q.850 ;cause=16 ;text="Normal call clearing"';

async function gmsc(name: string, sipPort?: number, mgcPort?: number, adminPort?: number): Promise<GmscProcess> {
  const node = await startGmscProcess({
    name,
    sipPort: sipPort ?? (await freeUdpPort()),
    mgcPort: mgcPort ?? (await freeUdpPort()),
    adminPort: adminPort ?? (await freeTcpPort()),
    store: redis.url,
    config: {
      gmsc: {
        mg: `udp://127.0.0.1:${ports.mg}`,
        routes: [{ prefix: "49", target: `udp://127.0.0.1:${succeedingTap.port}` }],
      },
    },
  });
  nodes.push(node);
  return node;
}

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url, { lazyConnect: false, maxRetriesPerRequest: 1 });
  [ports.preceding, ports.succeeding, ports.mg] = await Promise.all([freeUdpPort(), freeUdpPort(), freeUdpPort()]);
  precedingTap = await startUdpTap({ address: "127.0.0.1", port: ports.preceding });
  succeedingTap = await startUdpTap({ address: "127.0.0.1", port: ports.succeeding });
}, 120_000);

afterAll(async () => {
  for (const r of runs) await r.stop();
  await mg?.stop();
  for (const n of nodes) await n.kill();
  client?.disconnect();
  await redis?.stop();
  await Promise.all([precedingTap?.close(), succeedingTap?.close()]);
});

/** A call answered on both legs through `via`, each side's SIPp waiting for the GMSC's BYE (Record-Routes on both). */
async function establishedThrough(via: GmscProcess) {
  const marks = { preceding: precedingTap.datagrams.length, succeeding: succeedingTap.datagrams.length };
  const mgMark = mg.lines().length;
  const fill = { ...isup, ROUTED: 1, HOLD_MS: 0, RING_AFTER_MS: 0, BYE_ANSWER_MS: 0 };
  const callee = await startSipp({
    scenario: "gmsc-succeeding-answer.xml",
    local: { address: "127.0.0.1", port: ports.succeeding },
    fill: { ...fill, TAP: succeedingTap.port },
    timeoutMs: 40_000,
  });
  runs.push(callee);
  const caller = await startSipp({
    scenario: "gmsc-preceding-wait-bye.xml",
    remote: `127.0.0.1:${via.sipPort}`,
    local: { address: "127.0.0.1", port: ports.preceding },
    fill: { ...fill, TAP: precedingTap.port, NUMBER: CALLED },
    timeoutMs: 40_000,
  });
  runs.push(caller);
  const callId = `1-${caller.pid}@127.0.0.1`;
  await waitFor(
    `call ${callId} answered through ${via.name}`,
    async () => {
      const r = await via.admin("GET", `/v1/calls/${callId}`);
      return (
        r.status === 200 && r.body.call.preceding.state === "confirmed" && r.body.call.succeeding.state === "confirmed"
      );
    },
    15_000,
  );
  return {
    callId,
    done: async () => {
      await caller.succeeded();
      await callee.succeeded();
    },
    toPreceding: () => sentSince(precedingTap, marks.preceding),
    toSucceeding: () => sentSince(succeedingTap, marks.succeeding),
    mgCommands: () =>
      mg
        .lines()
        .slice(mgMark)
        .filter((l) => l.event === "command"),
  };
}

type Call = Awaited<ReturnType<typeof establishedThrough>>;

/** What the node that set the call up sent on each leg: the dialogs the shared record must reproduce. */
function dialogsSetUp(c: Call) {
  const okUp = one(messages(c.toPreceding(), /^SIP\/2\.0 200 /), "200 OK (INVITE) upstream");
  const invite = one(messages(c.toSucceeding(), /^INVITE /), "INVITE downstream");
  return {
    precedingLocalTag: tag(headerOf(okUp, "To")),
    succeedingCallId: headerOf(invite, "Call-ID"),
    succeedingLocalTag: tag(headerOf(invite, "From")),
  };
}

/** A BYE as the leg's stored dialog builds it, sent by the node `by` (its own Via). */
function expectBye(
  m: WireMessage,
  want: { uri: string; route: string[]; callId?: string; fromTag?: string; toTag: RegExp; cseq: string },
  by: GmscProcess,
) {
  expect(m.start).toBe(`BYE ${want.uri} SIP/2.0`);
  expect(routeOf(m)).toEqual(want.route);
  expect(headerOf(m, "Call-ID")).toBe(want.callId);
  expect(tag(headerOf(m, "From"))).toBe(want.fromTag);
  expect(tag(headerOf(m, "To"))).toMatch(want.toTag);
  expect(headerOf(m, "CSeq")).toBe(want.cseq);
  expect(headerOf(m, "Via")).toMatch(new RegExp(`^SIP/2\\.0/UDP 127\\.0\\.0\\.1:${by.sipPort};`));
  expect(headerOf(m, "Reason")).toBe(normalClearing);
}

/** Both BYEs, built from the stored dialogs by the node `by`: Request-URI, Route set, tags, CSeq. */
function expectByesFromRecord(c: Call, setUp: ReturnType<typeof dialogsSetUp>, by: GmscProcess) {
  const [p, s] = [precedingTap.port, succeedingTap.port];
  // The preceding leg's route set is the INVITE's Record-Route in order (RFC 3261 §12.1.1).
  expectBye(
    one(messages(c.toPreceding(), /^BYE /), "BYE to the preceding node"),
    {
      uri: `sip:msc-a@127.0.0.1:${p}`,
      route: [`<sip:127.0.0.1:${p};lr;stp=a2>`, `<sip:127.0.0.1:${p};lr;stp=a1>`],
      callId: c.callId,
      fromTag: setUp.precedingLocalTag,
      toTag: /^\d+MscA1$/,
      cseq: "1 BYE",
    },
    by,
  );
  // The succeeding leg's route set is the 2xx's Record-Route reversed (§12.1.2); its INVITE was CSeq 1, so the
  // GMSC's next request there is 2, whichever node sends it.
  expectBye(
    one(messages(c.toSucceeding(), /^BYE /), "BYE to the succeeding node"),
    {
      uri: `sip:msc-b@127.0.0.1:${s}`,
      route: [`<sip:127.0.0.1:${s};lr;stp=b2>`, `<sip:127.0.0.1:${s};lr;stp=b1>`],
      callId: setUp.succeedingCallId,
      fromTag: setUp.succeedingLocalTag,
      toTag: /^\d+MscB1$/,
      cseq: "2 BYE",
    },
    by,
  );
}

/** Each termination the call's Add seized was subtracted once, and nothing else; the MGW holds nothing. */
async function expectReleasedOnce(c: Call) {
  const seized = addsOf(c.mgCommands()).map((a) => `${a.contextId}/${a.terminationId}`);
  expect(seized).toHaveLength(2);
  await waitFor("the MG's Subtracts", () => subtractsOf(c.mgCommands()).length >= 2);
  // A little longer: a second Subtract of either would show up by now.
  await new Promise((r) => setTimeout(r, 300));
  expect(subtractsOf(c.mgCommands())).toEqual(seized);
  expect(await mg.contexts()).toEqual([]);
}

async function storeKeys(): Promise<string[]> {
  return (await client.keys("cleardown:call*")).sort();
}

describe("GMSC scale-out: any node releases any call", () => {
  let a: GmscProcess;
  let b: GmscProcess;

  it("23.231:7.3.2/1 23.231:7.3.2/2 23.231:7.3.4/2 a call set up through A is cleared through B's admin API after A is killed: both BYEs from the shared record (Route sets, CSeq, tags), each termination subtracted once", async () => {
    a = await gmsc("GMSC-A");
    b = await gmsc("GMSC-B");
    // The MGW is provisioned with the pool of MGCs (A, the one it registers with, and B), as a real one is with its
    // MGC list; both GMSCs have its fixed address in gmsc.mg.
    mg = await startMegacoMg(a.mgcPort, { port: ports.mg, secondaryMgcPorts: [b.mgcPort] });
    const c = await establishedThrough(a);
    const setUp = dialogsSetUp(c);

    // The shared record: written by A, versioned, living as long as an answered call may (24 h), with its index.
    const raw = JSON.parse((await client.get(`cleardown:call:{${c.callId}}`)) ?? "null");
    expect(raw).toMatchObject({ owner: "GMSC-A", value: { call: { callId: c.callId, clearing: false } } });
    expect(raw.version).toBeGreaterThanOrEqual(3);
    const ttl = await client.pttl(`cleardown:call:{${c.callId}}`);
    expect(ttl).toBeGreaterThan(200_000);
    expect(ttl).toBeLessThanOrEqual(24 * 3600 * 1000);
    expect(await client.get(`cleardown:call-index:{leg:${setUp.succeedingCallId}}`)).toContain(`"call":"${c.callId}"`);

    await a.kill();
    await expect(fetch(`${a.adminUrl}/v1/health`)).rejects.toThrow();
    expect(subtractsOf(c.mgCommands())).toEqual([]);

    // B finds the call A set up by either leg's Call-ID.
    const seen = await b.admin("GET", `/v1/calls/${encodeURIComponent(setUp.succeedingCallId ?? "")}`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ callId: c.callId, store: { owner: "GMSC-A" } });

    const r = await b.admin("POST", `/v1/calls/${encodeURIComponent(c.callId)}/release`, { cause: "administrative" });
    expect(r.status).toBe(202);
    expect(r.body.clauses).toEqual(expect.arrayContaining(["23.231:7.3.2/1", "23.231:7.3.2/2", "23.231:7.3.4/2"]));
    await c.done();
    expectByesFromRecord(c, setUp, b);
    await expectReleasedOnce(c);
    await waitFor("the call gone from the store", async () => (await storeKeys()).length === 0);
    expect((await b.admin("GET", "/v1/calls")).body.calls).toEqual([]);
    const metrics = (await b.admin("GET", "/metrics")).text;
    expect(metrics).toContain('cleardown_h248_transactions_total{command="Subtract",outcome="replied"} 2');
    expect(metrics).toContain('cleardown_releases_completed_total{rule="23.231:7.3.2/1#release-termination"} 1');
  });

  it("23.231:7.3.2/1 23.231:7.3.4/2 a node killed and restarted with the Redis store loses no call: the restarted B finds it by the succeeding leg's Call-ID and clears it, its Subtracts executed (not answered from the MGW's reply cache)", async () => {
    const c = await establishedThrough(b);
    const setUp = dialogsSetUp(c);
    await b.kill();
    b = await gmsc("GMSC-B", b.sipPort, b.mgcPort, Number(new URL(b.adminUrl).port));
    const r = await b.admin("POST", `/v1/calls/${encodeURIComponent(setUp.succeedingCallId ?? "")}/release`, {});
    expect(r.status).toBe(202);
    expect(r.body.callId).toBe(c.callId);
    await c.done();
    expectByesFromRecord(c, setUp, b);
    await expectReleasedOnce(c);
    await waitFor("the call gone from the store", async () => (await storeKeys()).length === 0);
  });

  it("23.231:7.3.2/1 23.231:7.3.2/2 23.231:7.3.4/2 a lease per call: the release POSTed to two live nodes at once is acted on by one; one BYE per leg, one Subtract per termination", async () => {
    // A second live node on the MGC address the MGW knows (A's, A being gone).
    const c2 = await gmsc("GMSC-C", a.sipPort, a.mgcPort);
    const c = await establishedThrough(b);
    const [rb, rc] = await Promise.all(
      [b, c2].map((n) =>
        n.admin("POST", `/v1/calls/${encodeURIComponent(c.callId)}/release`, { cause: "administrative" }),
      ),
    );
    // One of the two started the clearing (its BYE plans); the other, holding the call after it, found it
    // clearing (nothing more to send: 409, as on the S-CSCF) or gone (404).
    const starters = [rb, rc].filter(
      (r) => r.status === 202 && r.body.plans.some((p: { kind: string }) => p.kind === "sip-bye"),
    );
    expect(starters).toHaveLength(1);
    for (const r of [rb, rc]) expect([202, 404, 409]).toContain(r.status);
    await c.done();
    // Exactly one BYE on each leg (a second node acting at once would send its own), each termination once.
    expect(messages(c.toPreceding(), /^BYE /)).toHaveLength(1);
    expect(messages(c.toSucceeding(), /^BYE /)).toHaveLength(1);
    await expectReleasedOnce(c);
    await waitFor("the call gone from the store", async () => (await storeKeys()).length === 0);
  });

  it("23.231:7.3.4/2 an INVITE with the Call-ID of a call another node holds: 482 from the node it reached, nothing seized, the call untouched", async () => {
    const d = await gmsc("GMSC-D");
    const c = await establishedThrough(b);
    const mgMark = mg.lines().length;
    // B lets the idle call's lease go (a tenth of the lease after its last event): the record as it stays.
    await waitFor("B letting the call's lease go", async () => {
      const raw = await client.get(`cleardown:call:{${c.callId}}`);
      return raw !== null && JSON.parse(raw).value.leaseOwner === undefined;
    });
    const before = await client.get(`cleardown:call:{${c.callId}}`);
    const keys = await storeKeys();
    // The node that creates a call does not ask the store first: the write that would create it finds the call.
    const answers = await inviteAnswers(d.sipPort, c.callId);
    expect(answers.map((a) => a.split("\r\n")[0])).toEqual(["SIP/2.0 100 Trying", "SIP/2.0 482 Loop Detected"]);
    expect(answers[1]).toContain('Reason: SIP ;cause=482 ;text="a call with this Call-ID is in progress"');
    expect(await client.get(`cleardown:call:{${c.callId}}`)).toBe(before);
    expect(await storeKeys()).toEqual(keys);
    expect(
      mg
        .lines()
        .slice(mgMark)
        .filter((l) => l.event === "command"),
    ).toEqual([]);
    const r = await b.admin("POST", `/v1/calls/${encodeURIComponent(c.callId)}/release`, { cause: "administrative" });
    expect(r.status).toBe(202);
    await c.done();
    await expectReleasedOnce(c);
  });
});

/** An initial INVITE with this Call-ID sent to a node; the responses it got within 2 s. */
async function inviteAnswers(port: number, callId: string): Promise<string[]> {
  const sock = createSocket("udp4");
  const got: string[] = [];
  sock.on("message", (m) => got.push(m.toString("latin1")));
  await new Promise<void>((resolve) => sock.bind(0, "127.0.0.1", () => resolve()));
  const own = sock.address().port;
  const sdp = "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\n";
  const invite = [
    `INVITE sip:${CALLED}@127.0.0.1;user=phone SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${own};branch=z9hG4bK-dup-${own}`,
    "Max-Forwards: 70",
    "From: <sip:4930123@127.0.0.1;user=phone>;tag=dup1",
    `To: <sip:${CALLED}@127.0.0.1;user=phone>`,
    `Call-ID: ${callId}`,
    "CSeq: 1 INVITE",
    `Contact: <sip:msc-x@127.0.0.1:${own}>`,
    "Content-Type: application/sdp",
    `Content-Length: ${sdp.length}`,
    "",
    sdp,
  ].join("\r\n");
  sock.send(Buffer.from(invite, "latin1"), port, "127.0.0.1");
  await new Promise((r) => setTimeout(r, 2000));
  // The 482 is acknowledged, as the INVITE's sender must (RFC 3261 §17.1.1.3), so the node stops retransmitting it.
  const final = got.find((m) => /^SIP\/2\.0 [2-6]\d\d /.test(m));
  if (final !== undefined) {
    const to = /\r\nTo: ([^\r]+)/i.exec(final)?.[1] ?? "";
    const ack = [
      `ACK sip:${CALLED}@127.0.0.1;user=phone SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${own};branch=z9hG4bK-dup-${own}`,
      "Max-Forwards: 70",
      "From: <sip:4930123@127.0.0.1;user=phone>;tag=dup1",
      `To: ${to}`,
      `Call-ID: ${callId}`,
      "CSeq: 1 ACK",
      "Content-Length: 0",
      "",
      "",
    ].join("\r\n");
    sock.send(Buffer.from(ack, "latin1"), port, "127.0.0.1");
  }
  await new Promise((r) => setTimeout(r, 100));
  sock.close();
  return got.filter((m, i) => got.indexOf(m) === i);
}
