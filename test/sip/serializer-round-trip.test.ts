// Serializer output parses back to the same message (RFC 3261 §7), and formatted structured values parse back to
// the same values; the parse API never throws and enforces its limits.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatHeaderValue, isStructured, parseHeaderValue } from "../../src/sip/messages/header-values.ts";
import type { SipMessage, StructuredName } from "../../src/sip/messages/message.ts";
import { parseMessage } from "../../src/sip/messages/parse-message.ts";
import { serializeMessage } from "../../src/sip/messages/serialize-message.ts";
import { validishHead, messageWithBody as withBody } from "./head-arbitraries.ts";

const shape = (m: SipMessage) => ({
  ...m,
  body: Buffer.from(m.body).toString("hex"),
  headers: m.headers.filter((h) => h.name !== "Content-Length").map((h) => ({ name: h.name, v: h.parsed ?? h.value })),
});

describe("serializer round trip (RFC 3261 §7)", () => {
  it("parse(serialize(parse(x))) equals parse(x)", () => {
    let checked = 0;
    fc.assert(
      fc.property(withBody, (raw) => {
        const first = parseMessage(raw);
        if (!first.ok) return;
        checked++;
        const again = parseMessage(serializeMessage(first.message));
        expect(again.ok).toBe(true);
        if (again.ok) expect(shape(again.message)).toEqual(shape(first.message));
      }),
      { numRuns: 400, seed: 7 },
    );
    expect(checked).toBeGreaterThan(50);
  });

  it("formatted structured values parse back to the same values", () => {
    fc.assert(
      fc.property(validishHead, (h) => {
        const r = parseMessage(h);
        if (!r.ok) return;
        for (const header of r.message.headers) {
          if (!isStructured(header.name)) continue;
          const name = header.name as StructuredName;
          const text = formatHeaderValue(name, header.parsed as never);
          const back = parseHeaderValue(name, text);
          expect(back).toEqual({ ok: true, value: header.parsed });
        }
      }),
      { numRuns: 400, seed: 8 },
    );
  });
});

describe("parse API robustness and limits", () => {
  it("never throws, whatever the octets", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          validishHead.map((h) => Buffer.from(h)),
        ),
        (bytes) => {
          const r = parseMessage(bytes);
          expect(typeof r.ok).toBe("boolean");
        },
      ),
      { numRuns: 500 },
    );
  });

  it("rejects a message over the size limit (64 KiB default, configurable) before reading it", () => {
    const big = Buffer.alloc(70_000, 0x41);
    const r = parseMessage(big);
    expect(r.ok === false && r.fault).toMatchObject({ layer: "size", status: 513 });
    const small = "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\r\n";
    expect(parseMessage(small, { maxMessageBytes: 20 }).ok).toBe(false);
    expect(parseMessage(small).ok).toBe(true);
  });

  it("rejects more header fields than the bound, naming the line", () => {
    const msg = `OPTIONS sip:a@b SIP/2.0\r\n${"X-A: 1\r\n".repeat(20)}\r\n`;
    const r = parseMessage(msg, { maxHeaders: 10 });
    expect(r.ok === false && r.fault).toMatchObject({ layer: "size", line: 12 });
  });

  it("names line:column and header of a syntax fault inside a folded value", () => {
    const msg = "OPTIONS sip:a@b SIP/2.0\r\nTo: <sip:a@b>;\r\n  tag=x;\r\n  =y\r\n\r\n";
    const r = parseMessage(msg);
    expect(r.ok === false && r.fault).toMatchObject({ layer: "syntax", line: 4, column: 3, header: "To" });
  });

  it("requires Content-Length on a stream (RFC 3261 §18.3)", () => {
    const msg = "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n\r\n";
    expect(parseMessage(msg, { framing: "stream" }).ok).toBe(false);
  });
});
