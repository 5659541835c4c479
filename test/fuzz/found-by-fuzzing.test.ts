// Regression tests for the faults the codec fuzzer found (test/fuzz/), each named by the input that showed it.
import { describe, expect, it } from "vitest";
import { decodeMessage, H248SyntaxError, tryDecodeMessage } from "../../src/h248/decode-message.ts";
import { encodeMessage } from "../../src/h248/encode-message.ts";
import { decodeWithGrammar } from "../../src/h248/grammar-reference.ts";
import { formatHeaderValue, parseHeaderValue } from "../../src/sip/messages/header-values.ts";
import type { StructuredName } from "../../src/sip/messages/message.ts";
import { parseMessage } from "../../src/sip/messages/parse-message.ts";
import { serializeMessage } from "../../src/sip/messages/serialize-message.ts";
import { StreamFramer } from "../../src/sip/transport/stream-framer.ts";
import { h248NestedEmbed } from "./fuzz-inputs.ts";

function reformatted(name: StructuredName, value: string): { text: string; same: boolean } {
  const first = parseHeaderValue(name, value);
  if (!first.ok) throw new Error(`${name}: ${value} does not parse`);
  const text = formatHeaderValue(name, first.value as never);
  const again = parseHeaderValue(name, text);
  return { text, same: again.ok && JSON.stringify(again.value) === JSON.stringify(first.value) };
}

describe("SIP structured values format to text that parses back to them", () => {
  it('Contact: <sip:a@h>;x="[zz]" (a quoted value in brackets is no IPv6 reference: stays quoted)', () => {
    expect(reformatted("Contact", '<sip:a@h>;x="[zz]"')).toEqual({ text: '<sip:a@h>;x="[zz]"', same: true });
    expect(reformatted("Contact", "<sip:a@h>;x=[::1]")).toEqual({ text: "<sip:a@h>;x=[::1]", same: true });
  });

  it('Contact: <sip:a@h>;received="1:2" (only a Via\'s received may be a bare IPv6 address)', () => {
    expect(reformatted("Contact", '<sip:a@h>;received="1:2"')).toEqual({
      text: '<sip:a@h>;received="1:2"',
      same: true,
    });
    expect(reformatted("Via", "SIP/2.0/UDP h;received=2001:db8::1").text).toBe("SIP/2.0/UDP h;received=2001:db8::1");
  });

  it("INVITE sip:a@h:3799…113 (a 232-digit port): numbers past 1e21 are written in digits, not 3.8e+231", () => {
    const port = `37${"9".repeat(228)}113`;
    const raw = `INVITE sip:a@h:${port} SIP/2.0\r\nContent-Length: 0\r\n\r\n`;
    const first = parseMessage(raw);
    const again = first.ok ? parseMessage(serializeMessage(first.message)) : first;
    expect(first.ok && first.message.kind === "request" && first.message.uri).toMatchObject({ port: Number(port) });
    expect(again.ok && again.message).toEqual(first.ok && first.message);
  });

  it("Session-Expires: 1e400-long digits (Infinity) and Max-Forwards: 10**21 format back to themselves", () => {
    expect(reformatted("Session-Expires", `1${"0".repeat(400)}`).same).toBe(true);
    expect(reformatted("Max-Forwards", `1${"0".repeat(21)}`).same).toBe(true);
    expect(reformatted("CSeq", `${"9".repeat(30)} INVITE`).same).toBe(true);
    expect(reformatted("Via", `SIP/2.0/UDP h:${"9".repeat(40)}`).same).toBe(true);
  });
});

describe("SIP stream framing does not depend on how reads cut the stream", () => {
  const frames = (bytes: Buffer, chunk: number) => {
    const f = new StreamFramer();
    const out = [];
    for (let at = 0; at < bytes.length; at += chunk) out.push(...f.push(bytes.subarray(at, at + chunk)));
    return out.map((x) => (x.kind === "fault" ? `fault: ${x.reason}` : x.kind));
  };

  it("a 70 000-octet head: refused as too large whole or read in pieces (it was 'message too large' whole)", () => {
    const head = Buffer.from(`MESSAGE sip:b@h SIP/2.0\r\nX: ${"a".repeat(70_000)}\r\nContent-Length: 0\r\n\r\n`);
    expect(frames(head, head.length)).toEqual(["fault: header section larger than the limit"]);
    expect(frames(head, 1000)).toEqual(["fault: header section larger than the limit"]);
  });

  it("a CRLF CRLF ping split across reads is still one keepalive; two pings are two", () => {
    expect(frames(Buffer.from("\r\n\r\n"), 1)).toEqual(["keepalive"]);
    expect(frames(Buffer.from("\r\n\r\n\r\n\r\n"), 4)).toEqual(["keepalive", "keepalive"]);
    expect(frames(Buffer.from("\r\n\r\n\r\n\r\n"), 3)).toEqual(["keepalive", "keepalive"]);
  });
});

describe("H.248", () => {
  it('Local { a=x\\}y } (octetString escape): the SDP holds "}", re-encodes as "\\}", and the grammar agrees', () => {
    const text = "!/1 [1.2.3.4]:2944 T=1{C=1{MF=t1{M{L{v=0\r\na=x\\}y\r\n}}}}}";
    const m = decodeMessage(text);
    expect(JSON.stringify(m)).toContain('"sdp":"v=0\\r\\na=x}y\\r\\n"');
    expect(decodeMessage(encodeMessage(m, { compact: true }))).toEqual(m);
    expect(decodeMessage(encodeMessage(m))).toEqual(m);
    const reference = decodeWithGrammar(text);
    expect(reference.ok && reference.value).toEqual(m);
  });

  it("AuditValue … Audit { Signals { } }: an empty Signals descriptor in an audit re-encodes with its braces", () => {
    const text =
      "MEGACO/2 [1.2.3.4]:2944\nTransaction = 1 {\n Context = - {\n  AuditValue = t1 {\n   Audit { Signals { } }\n  }\n }\n}";
    const m = decodeMessage(text);
    expect(JSON.stringify(m)).toContain('{"kind":"signals","signals":[]}');
    for (const compact of [false, true]) expect(decodeMessage(encodeMessage(m, { compact }))).toEqual(m);
  });

  it("Events nesting Embed 100 000 deep: a syntax fault, not a RangeError out of the decoder", () => {
    expect(tryDecodeMessage(h248NestedEmbed(32).toString("latin1")).ok).toBe(true);
    for (const depth of [33, 100_000]) {
      const r = tryDecodeMessage(h248NestedEmbed(depth).toString("latin1"));
      expect(r.ok === false && r.error).toBeInstanceOf(H248SyntaxError);
    }
  });
});
