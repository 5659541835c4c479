// Hostile and broken input at the S-CSCF: the admin API's answers to a Reason text with CR/LF and an oversize
// body, SIP from outside the trusted peers (403), malformed SIP (400 with a Warning, counted, the node going
// on), and a flood from one source refused 503 + Retry-After while a bulk release in progress completes.
import { describe, expect, it } from "vitest";
import { freeUdpPort } from "../../support/free-port.ts";
import { startSipp } from "../../support/sipp.ts";
import { udpExchange } from "../../support/udp-exchange.ts";
import {
  ALICE,
  BOB,
  bye,
  eventually,
  lastRequest,
  type PlacedCall,
  placeCall,
  releaseCall,
  type Scscf,
  scscfForTest,
} from "./scscf-harness.ts";

const C = "24.229:5.4.5.1.2";

const metric = async (s: Scscf, line: string) => {
  const text = String((await s.admin("GET", "/metrics")).body);
  const found = text.split("\n").find((l) => l.startsWith(line));
  return Number(found?.split(" ").pop() ?? 0);
};

describe("S-CSCF: hostile and broken input", () => {
  it(`${C}/1.g ${C}/2.g the operator's Reason text replaces the table's text in both BYEs; CR/LF or a quote in it is answered 400`, async () => {
    const s = await scscfForTest("udp");
    const callId = "sipp-reason-text-1@127.0.0.1";
    const path = `/v1/dialogs/${encodeURIComponent(callId)}/release`;
    const reason = 'SIP ;cause=503 ;text="Fraud suspected"';
    const withText = (checks: ReturnType<typeof bye>) => ({
      ...checks,
      headers: { ...checks.headers, Reason: reason },
    });
    const { call } = await releaseCall(
      s,
      { scscf: s, served: "calling", callId, fromTag: "art", toTag: "brt", cseq: 3 },
      (p) => ({
        toCallee: withText(bye(p.calleeContact, BOB, "brt", ALICE, "art", callId, "4 BYE", null)),
        toCaller: withText(
          bye(p.callerContact, ALICE, "art", BOB, "brt", callId, { regex: "[0-9]{1,10} BYE" }, p.callerPcscf),
        ),
      }),
      {
        trigger: async () => {
          for (const text of ["Fraud\r\nsuspected", "Fraud\nsuspected", 'Fraud "suspected"']) {
            const bad = await s.admin("POST", path, { cause: "administrative", text });
            expect(bad.status).toBe(400);
            expect(bad.body.error).toBe(
              "request body: /text: expected a string (a Reason text for the BYEs instead of the rule table's; it goes into a quoted-string (RFC 3326), so no CR, LF, other control character, quote or backslash), " +
                `found ${JSON.stringify(text)}`,
            );
          }
          // Nothing was released by the refused requests: the dialog is still confirmed.
          expect((await s.admin("GET", `/v1/dialogs/${encodeURIComponent(callId)}`)).body.dialog.state).toBe(
            "confirmed",
          );
          const r = await s.admin("POST", path, { cause: "administrative", text: "Fraud suspected" });
          expect(r.status).toBe(202);
          return r.body;
        },
      },
    );
    expect(lastRequest(call.callee.messages(), "BYE").headers.Reason).toBe(reason);
  });

  it("admin API: no token 401, an oversize body 413, not JSON 400, an unknown route 404 — each with a clear message", async () => {
    const s = await scscfForTest("udp");
    const none = await fetch(`${s.node.adminUrl}/v1/dialogs`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: "a bearer token is required (Authorization: Bearer <token>)" });
    const big = await s.admin("POST", "/v1/dialogs/x/release", { cause: "administrative", text: "x".repeat(20_000) });
    expect(big).toMatchObject({ status: 413, body: { error: "request body over 16384 bytes" } });
    const notJson = await s.admin("POST", "/v1/dialogs/x/release", "{cause: administrative}");
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toMatch(/^request body is not JSON: /);
    expect((await s.admin("GET", "/v1/nothing")).body).toEqual({ error: "no route for GET /v1/nothing" });
    // A path that does not decode is the client's error (issue 20 item 5), named, never a 500.
    const undecodable = await s.admin("GET", "/v1/dialogs/%E0%A4%A");
    expect(undecodable.status).toBe(400);
    expect(undecodable.body.error).toBe(
      'path segment "%E0%A4%A": expected percent-encoded UTF-8 (RFC 3986 §2.1): "%" and two hex digits per octet, the octets a UTF-8 character',
    );
    expect((await s.admin("POST", "/v1/dialogs/%FF/release", {})).status).toBe(400);
  });

  it("admin API: a CPU profile of the running node for the asked time; a time outside 10..60000 ms is answered 400", async () => {
    const s = await scscfForTest("udp");
    const bad = await s.admin("POST", "/v1/debug/cpu-profile?ms=5");
    expect(bad).toMatchObject({ status: 400, body: { error: "ms: expected an integer from 10 to 60000, found 5" } });
    const r = await s.admin("POST", "/v1/debug/cpu-profile?ms=50");
    expect(r.status).toBe(200);
    // The .cpuprofile shape DevTools reads: a node tree, and sampling times covering about the asked span.
    expect(r.body.nodes[0].callFrame.functionName).toBe("(root)");
    expect((r.body.endTime - r.body.startTime) / 1000).toBeGreaterThanOrEqual(40);
  });

  it("admin API: an allocation profile of the running node for the asked time; a time outside 10..60000 ms is answered 400", async () => {
    const s = await scscfForTest("udp");
    const bad = await s.admin("POST", "/v1/debug/heap-profile?ms=60001");
    expect(bad).toMatchObject({
      status: 400,
      body: { error: "ms: expected an integer from 10 to 60000, found 60001" },
    });
    // Allocations while the profiler samples: an admin request is parsed and answered meanwhile.
    const profiling = s.admin("POST", "/v1/debug/heap-profile?ms=200");
    for (let i = 0; i < 20; i++) await s.admin("GET", "/v1/health");
    const r = await profiling;
    expect(r.status).toBe(200);
    // The .heapprofile shape DevTools reads: a call tree from (root) with bytes per frame, and the samples.
    expect(r.body.head.callFrame.functionName).toBe("(root)");
    expect(r.body.samples.length).toBeGreaterThan(0);
    expect(r.body.samples[0].size).toBeGreaterThan(0);
  });

  it("SIP from an address outside the trusted peers is answered 403; malformed SIP is answered 400 with a Warning and counted", async () => {
    const s = await scscfForTest("udp", { trustedPeers: ["192.0.2.0/24"] });
    const untrusted = await startSipp({
      scenario: "scscf-options.xml",
      local: { address: "127.0.0.1", port: await freeUdpPort() },
      remote: `127.0.0.1:${s.port}`,
      fill: { EXPECT: 403, FLOOD: "" },
    });
    await untrusted.succeeded();
    expect(untrusted.messages()).toMatch(
      /SIP\/2\.0 403 Forbidden[\s\S]*Warning: 399 cleardown "127\.0\.0\.1 is not a trusted peer"/,
    );

    const malformed = [
      "INVITE sip:bob@home.test SIP/2.0",
      "Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK-bad-1",
      "From: <sip:alice@home.test>;tag=1",
      "To: <sip:bob@home.test>",
      "Call-ID: malformed-1",
      "CSeq: 1 INVITE",
      "Max-Forwards: seventy",
      "Content-Length: 0",
      "",
      "",
    ].join("\r\n");
    const reply = await udpExchange(s.port, malformed, 2000);
    expect(reply).toMatch(/^SIP\/2\.0 400 Bad Request\r\n/);
    expect(reply).toMatch(/\r\nWarning: 399 [^\r\n]*Max-Forwards/);
    expect(await udpExchange(s.port, "\x00\x01garbage that is no SIP at all\r\n\r\n")).toBeUndefined();
    expect(await metric(s, 'cleardown_malformed_messages_total{protocol="SIP",outcome="answered"}')).toBe(1);
    expect(await metric(s, 'cleardown_malformed_messages_total{protocol="SIP",outcome="dropped"}')).toBe(1);
    expect((await s.admin("GET", "/v1/health")).body.status).toBe("ok");
  });

  it(`${C}/closing a flood from one source is refused 503 + Retry-After while a bulk release under way completes`, async () => {
    const s = await scscfForTest("udp", { limits: { requestsPerSecond: 100, requestBurst: 100 } });
    const calls: PlacedCall[] = [];
    for (let n = 1; n <= 3; n++) {
      const callId = `sipp-flood-${n}@127.0.0.1`;
      const [a, b] = [`af${n}`, `bf${n}`];
      calls.push(
        await placeCall({ scscf: s, served: "calling", callId, fromTag: a, toTag: b, cseq: n }, (p) => ({
          toCallee: bye(p.calleeContact, BOB, b, ALICE, a, callId, `${n + 1} BYE`, null),
          toCaller: bye(p.callerContact, ALICE, a, BOB, b, callId, { regex: "[0-9]{1,10} BYE" }, p.callerPcscf),
        })),
      );
    }
    await eventually(
      async () =>
        [1, 2, 3].every((n) =>
          (s.node.shell.traces.get(`sipp-flood-${n}@127.0.0.1`) ?? []).some((e) => e.label === "ACK"),
        ),
      (ok) => ok,
      "three calls up",
    );
    // 2,000 OPTIONS at 1,000/s from 127.0.0.2: 100 admitted at once, then about 100/s.
    const flood = await startSipp({
      scenario: "scscf-options.xml",
      local: { address: "127.0.0.2", port: await freeUdpPort("127.0.0.2") },
      remote: `127.0.0.1:${s.port}`,
      calls: 2000,
      rate: 1000,
      limit: 2000,
      traceMessages: false,
      timeoutMs: 20_000,
      fill: { EXPECT: "", FLOOD: 1 },
    });
    await eventually(
      () => metric(s, 'cleardown_requests_refused_total{reason="rate"}'),
      (n) => n > 100,
      "the flood is being refused",
    );
    const bulk = await s.admin("POST", "/v1/dialogs/release", { all: true });
    expect(bulk.body).toMatchObject({ matched: 3, started: 3 });
    await Promise.all(calls.flatMap((c) => [c.caller.succeeded(), c.callee.succeeded()]));
    await eventually(
      () => s.node.dialogs.size(),
      (n) => n === 0,
      "every dialog released despite the flood",
    );
    await flood.succeeded();
    const stats = flood.stats();
    expect(stats.successful).toBe(2000);
    expect(await metric(s, 'cleardown_requests_refused_total{reason="rate"}')).toBeGreaterThan(1000);
  });
});
