// Hostile and broken input at the GMSC: SIP from an address outside trustedPeers (SIPp on 127.0.0.2) answered 403
// before anything is seized; malformed SIP answered 400 with a Warning or dropped, and counted; a datagram that is
// no H.248 dropped and counted; the admin API's own refusals (no token, oversize or non-JSON body, a Reason text with
// CR/LF) — and the node serving calls all along. An operator's Reason text reaches both BYEs through the rules.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeUdpPort } from "../../support/free-port.ts";
import { metricValue } from "../../support/metrics-text.ts";
import { startSipp } from "../../support/sipp.ts";
import { udpExchange } from "../../support/udp-exchange.ts";
import { established, expectBothReleased, one } from "./call-checks.ts";
import { CALLED, type GmscHarness, startGmscHarness } from "./gmsc-harness.ts";
import { headerOf, messages } from "./wire.ts";

let h: GmscHarness;
beforeAll(async () => {
  h = await startGmscHarness({ trustedPeers: ["127.0.0.1"], logLevel: "warn" });
}, 120_000);
afterAll(async () => h?.close());

const sipPort = () => h.node.shell.transportLayer.addresses[0].port;

describe("GMSC: hostile and broken input", () => {
  it("an INVITE from an address outside trustedPeers is answered 403 with a Warning, nothing seized at the MGW, no call kept", async () => {
    const before = h.mg.lines().length;
    const rogue = await startSipp({
      scenario: "gmsc-untrusted-invite.xml",
      local: { address: "127.0.0.2", port: await freeUdpPort("127.0.0.2") },
      remote: `127.0.0.1:${sipPort()}`,
      fill: { NUMBER: CALLED, FROM: "127\\.0\\.0\\.2" },
      timeoutMs: 10_000,
    });
    await rogue.succeeded();
    expect(rogue.messages()).toMatch(/SIP\/2\.0 403 Forbidden\r\n/);
    expect(h.mg.lines().slice(before)).toEqual([]);
    expect((await h.admin("GET", "/v1/calls")).body.calls).toEqual([]);
    // A trusted peer's call goes through as ever.
    const c = await established(h, "gmsc-preceding-bye.xml");
    await c.done();
    await expectBothReleased(h, c);
  });

  it("malformed SIP is answered 400 with a Warning naming the header, garbage is dropped, a datagram that is no H.248 is dropped; each counted, the node serving on", async () => {
    const malformed = [
      `INVITE sip:${CALLED}@127.0.0.1:${sipPort()};user=phone SIP/2.0`,
      "Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK-bad-1",
      "From: <sip:4930123@127.0.0.1>;tag=1",
      `To: <sip:${CALLED}@127.0.0.1>`,
      "Call-ID: malformed-1@127.0.0.1",
      "CSeq: 1 INVITE",
      "Max-Forwards: seventy",
      "Content-Length: 0",
      "",
      "",
    ].join("\r\n");
    const reply = await udpExchange(sipPort(), malformed);
    expect(reply).toMatch(/^SIP\/2\.0 400 Bad Request\r\n/);
    expect(reply).toMatch(/\r\nWarning: 399 [^\r\n]*Max-Forwards/);
    expect(await udpExchange(sipPort(), "\x00\x01garbage that is no SIP at all\r\n\r\n")).toBeUndefined();
    // Straight to the MGC's own port (the tap in front of it relays for the MG only).
    const mgcPort = Number(/:(\d+)$/.exec(h.node.shell.options.config.gmsc?.mgc ?? "")?.[1]);
    expect(await udpExchange(mgcPort, "MEGACO/1 [127.0.0.1]:2944\r\nTransaction = { broken")).toBeUndefined();
    const t = await h.metrics();
    expect(metricValue(t, "cleardown_malformed_messages_total", { protocol: "SIP", outcome: "answered" })).toBe(1);
    expect(metricValue(t, "cleardown_malformed_messages_total", { protocol: "SIP", outcome: "dropped" })).toBe(1);
    expect(metricValue(t, "cleardown_malformed_messages_total", { protocol: "H.248", outcome: "dropped" })).toBe(1);
    expect((await h.admin("GET", "/v1/health")).body.status).toBe("ok");
    const c = await established(h, "gmsc-preceding-bye.xml");
    await c.done();
    await expectBothReleased(h, c);
  });

  it("admin API: no token 401, an oversize body 413, not JSON 400, a Reason text with CR/LF 400 — nothing of it touches the call; an operator's Reason text reaches both BYEs (23.231:7.3.2/2)", async () => {
    const c = await established(h);
    const url = `${h.node.adminUrl}/v1/calls/${c.callId}/release`;
    const none = await fetch(url, { method: "POST" });
    expect(none.status).toBe(401);
    const post = (body: string) =>
      fetch(url, {
        method: "POST",
        headers: { authorization: "Bearer gmsc-test-token-0123456789", "content-type": "application/json" },
        body,
      });
    const big = await post(JSON.stringify({ cause: "administrative", pad: "x".repeat(20_000) }));
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ error: "request body over 16384 bytes" });
    expect((await post("{ not json")).status).toBe(400);
    const crlf = await h.admin("POST", `/v1/calls/${c.callId}/release`, { text: "Bye\r\nVia: SIP/2.0/UDP evil" });
    expect(crlf.status).toBe(400);
    expect(crlf.body.error).toMatch(/^request body: \/text: expected .*no CR, LF/);
    expect((await h.admin("GET", `/v1/calls/${c.callId}`)).body.call.clearing).toBe(false);

    const r = await h.admin("POST", `/v1/calls/${c.callId}/release`, { text: "Operator release" });
    expect(r.status).toBe(202);
    await c.done();
    await expectBothReleased(h, c);
    const reason = 'Q.850 ;cause=16 ;text="Operator release"';
    expect(headerOf(one(messages(c.toSucceeding(), /^BYE /), "BYE downstream"), "Reason")).toBe(reason);
    expect(headerOf(one(messages(c.toPreceding(), /^BYE /), "BYE upstream"), "Reason")).toBe(reason);
  });
});
