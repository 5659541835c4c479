// RFC 5118 (SIP torture test messages for IPv6): one test per message. The files' extraction quirks (bare LF,
// a missing empty line, two wrong Content-Lengths) are normalised by rfc5118Normalised, never edited.
import { describe, expect, it } from "vitest";
import { contacts, vias } from "../../src/sip/messages/header-access.ts";
import type { SipRequest, SipUri } from "../../src/sip/messages/message.ts";
import { parseMessage } from "../../src/sip/messages/parse-message.ts";
import { rfc5118Names, rfc5118Normalised, rfc5118Raw } from "./corpora.ts";

function accept(name: string): SipRequest {
  const r = parseMessage(rfc5118Normalised(name));
  if (!r.ok) throw new Error(`${name} rejected: ${JSON.stringify(r.fault)}`);
  return r.message as SipRequest;
}
const uri = (m: SipRequest) => m.uri as SipUri;

describe("RFC 5118 IPv6 torture tests (normalised: CRLF, empty line, Content-Length)", () => {
  it("the raw files are rejected as extracted (bare LF): the normalisation is what makes them SIP", () => {
    expect(parseMessage(rfc5118Raw("ipv6-good")).ok).toBe(false);
  });
  it("§4.1 ipv6-good: an IPv6 reference in the Request-URI", () => {
    expect(uri(accept("ipv6-good"))).toMatchObject({ host: "[2001:db8::10]", port: null });
  });
  it("§4.2 ipv6-bad: an IPv6 address without brackets in the Request-URI is rejected", () => {
    const r = parseMessage(rfc5118Normalised("ipv6-bad"));
    expect(r.ok).toBe(false);
    if (!r.ok) expect([r.fault.layer, r.fault.line]).toEqual(["syntax", 1]);
  });
  it("§4.3 port-ambiguous: the port-looking group stays inside the brackets", () => {
    expect(uri(accept("port-ambiguous"))).toMatchObject({ host: "[2001:db8::10:5070]", port: null });
  });
  it("§4.3 port-unambiguous: the port after the brackets", () => {
    expect(uri(accept("port-unambiguous"))).toMatchObject({ host: "[2001:db8::10]", port: 5070 });
  });
  it("§4.4 ipv6-in-sdp: IPv6 in the body is the body's business", () => {
    const m = accept("ipv6-in-sdp");
    expect(Buffer.from(m.body).toString()).toContain("IN IP6 2001:db8::20");
  });
  it("§4.5 via-received-param-with-delim: received=[IPv6] accepted", () => {
    expect(vias(accept("via-received-param-with-delim"))[0].params[0]).toEqual(["received", "[2001:db8::9:255]"]);
  });
  it("§4.5 via-received-param-no-delim: received=IPv6 without brackets accepted", () => {
    expect(vias(accept("via-received-param-no-delim"))[0].params[0]).toEqual(["received", "2001:db8::9:255"]);
  });
  it("§4.6 mult-ip-in-header: IPv4 and IPv6 Vias side by side", () => {
    expect(vias(accept("mult-ip-in-header")).map((v) => [v.host, v.port])).toEqual([
      ["[2001:db8::9:1]", 6050],
      ["192.0.2.1", null],
      ["[2001:db8::9:255]", null],
    ]);
    expect(vias(accept("mult-ip-in-header"))[2].params).toContainEqual(["received", "192.0.2.200"]);
  });
  it("§4.7 mult-ip-in-sdp: accepted", () => {
    expect(accept("mult-ip-in-sdp").body.length).toBeGreaterThan(0);
  });
  it("§4.8 ipv4-mapped-ipv6: IPv4-mapped IPv6 references", () => {
    const m = accept("ipv4-mapped-ipv6");
    expect(vias(m)[0]).toMatchObject({ host: "[::ffff:192.0.2.10]", port: 19823 });
    const c = contacts(m);
    expect(c !== "*" && (c[0].uri as SipUri).host).toBe("[::ffff:192.0.2.2]");
  });
  it("§4.9 ipv6-correct-abnf-2-colons: '::' before an IPv4 tail accepted", () => {
    expect(uri(accept("ipv6-correct-abnf-2-colons")).host).toBe("[2001:db8::192.0.2.1]");
  });
  it("§4.10 ipv6-bug-abnf-3-colons: the RFC 3261 ABNF's ':::' form tolerated", () => {
    expect(uri(accept("ipv6-bug-abnf-3-colons")).host).toBe("[2001:db8:::192.0.2.1]");
  });
  it("every RFC 5118 message is covered", () => {
    expect(rfc5118Names()).toHaveLength(12);
  });
});
