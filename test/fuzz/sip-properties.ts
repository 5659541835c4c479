// The properties the fuzzer holds the SIP codec to, for any octets: what parseMessage accepts re-serialises and
// parses back equal (and each structured value, formatted, parses back to itself; and the message frames whole on
// a stream); what it rejects gets from bad-request.ts either a drop or a 400 that is itself a valid SIP message;
// the stream framer cuts the same frames whatever the chunking. Nothing may throw.
import { isDeepStrictEqual } from "node:util";
import { respondToMalformed } from "../../src/sip/messages/bad-request.ts";
import { cseqOf } from "../../src/sip/messages/header-access.ts";
import { formatHeaderValue, parseHeaderValue } from "../../src/sip/messages/header-values.ts";
import type { SipMessage, StructuredName } from "../../src/sip/messages/message.ts";
import { type ParseResult, parseMessage } from "../../src/sip/messages/parse-message.ts";
import { serializeMessage } from "../../src/sip/messages/serialize-message.ts";
import { type Framed, StreamFramer } from "../../src/sip/transport/stream-framer.ts";
import { ACCEPTED, guarded, REJECTED, type Verdict, violation } from "./verdict.ts";

/** What a round trip must keep: the start line, each field's structured value (or text), the body. */
function shape(m: SipMessage): unknown {
  const start = m.kind === "request" ? [m.method, m.uri, m.version] : [m.version, m.status, m.reason];
  const headers = m.headers.filter((h) => h.name !== "Content-Length").map((h) => [h.name, h.parsed ?? h.value]);
  return [start, headers, Buffer.from(m.body).toString("hex")];
}

// The codec's limits (64 KiB, 256 fields) are what it takes in, not what is valid: a message at a limit may pass it
// once serialised (compact names written out, a Content-Length added), so the re-serialised one is read without.
const NO_LIMITS = { maxMessageBytes: Number.POSITIVE_INFINITY, maxHeaders: Number.POSITIVE_INFINITY };

function checkAccepted(message: SipMessage): Verdict {
  const wire = guarded("serializeMessage", () => serializeMessage(message));
  if ("verdict" in wire) return wire.verdict;
  const back = guarded("parseMessage (re-serialised)", () => parseMessage(wire.value, NO_LIMITS));
  if ("verdict" in back) return back.verdict;
  if (!back.value.ok) return violation("re-serialised message", `rejected: ${JSON.stringify(back.value.fault)}`);
  if (!isDeepStrictEqual(shape(back.value.message), shape(message))) {
    return violation("re-serialised message", "parses back to a different message");
  }
  for (const h of message.headers) {
    if (h.parsed === undefined) continue;
    const name = h.name as StructuredName;
    const text = guarded(`formatHeaderValue(${name})`, () => formatHeaderValue(name, h.parsed as never));
    if ("verdict" in text) return text.verdict;
    const again = guarded(`parseHeaderValue(${name})`, () => parseHeaderValue(name, text.value));
    if ("verdict" in again) return again.verdict;
    if (!again.value.ok || !isDeepStrictEqual(again.value.value, h.parsed)) {
      return violation(`formatted ${name}`, `${JSON.stringify(h.value)} formats as ${JSON.stringify(text.value)}`);
    }
  }
  const framed = guarded("StreamFramer.push (re-serialised)", () =>
    new StreamFramer(wire.value.length).push(wire.value),
  );
  if ("verdict" in framed) return framed.verdict;
  const [frame, ...rest] = framed.value;
  if (rest.length > 0 || frame?.kind !== "message" || !frame.bytes.equals(wire.value)) {
    return violation("stream framing", `a serialised message frames as ${JSON.stringify(framed.value.map(kindOf))}`);
  }
  return ACCEPTED;
}

function checkRejected(bytes: Buffer, result: Extract<ParseResult, { ok: false }>): Verdict {
  const action = guarded("respondToMalformed", () =>
    respondToMalformed(bytes, result.fault, { host: "fuzz.example.net", toTag: "fz1" }),
  );
  if ("verdict" in action) return action.verdict;
  if (action.value.action === "drop") return REJECTED;
  const response = action.value.response;
  const wire = guarded("serializeMessage (400)", () => serializeMessage(response));
  if ("verdict" in wire) return wire.verdict;
  // (a 400 copying a long Via may pass the size limit)
  const back = guarded("parseMessage (400)", () => parseMessage(wire.value, NO_LIMITS));
  if ("verdict" in back) return back.verdict;
  // RFC 4475 §3.1.2.4 wants a 400 to a request whose CSeq is 2**31 or more, and RFC 3261 §8.2.6.2 wants the 400 to
  // copy that CSeq: the one fault such a response may have.
  const echoedBadCSeq = (cseqOf(response)?.seq ?? 0) >= 2 ** 31;
  if (!back.value.ok && !(echoedBadCSeq && back.value.fault.header === "CSeq")) {
    return violation("the 400 response", `is not valid SIP: ${JSON.stringify(back.value.fault)}`);
  }
  return REJECTED;
}

function kindOf(f: Framed): string {
  return f.kind === "message" ? `message(${f.bytes.length})` : f.kind === "fault" ? `fault(${f.reason})` : f.kind;
}

function framesOf(bytes: Buffer, cuts: number[]): Framed[] {
  const framer = new StreamFramer();
  const out: Framed[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(...framer.push(bytes.subarray(from, cut)));
    from = cut;
  }
  return out;
}

function comparable(frames: Framed[]): string[] {
  return frames.map((f) =>
    f.kind === "message"
      ? `message ${f.bytes.toString("hex")}`
      : f.kind === "fault"
        ? `fault ${f.reason} ${f.close} ${f.head?.toString("hex") ?? ""}`
        : f.kind,
  );
}

/** The octets as a TCP stream: followed by a valid message, read whole and in chunks; every frame parsed. */
function checkStream(bytes: Buffer, next: Buffer): Verdict {
  const stream = Buffer.concat([bytes, next]);
  const whole = guarded("StreamFramer.push", () => framesOf(stream, []));
  if ("verdict" in whole) return whole.verdict;
  const step = 1 + (stream.length % 97);
  const cuts: number[] = [];
  for (let at = step; at < stream.length && cuts.length < 64; at += step * (cuts.length + 1)) cuts.push(at);
  const chunked = guarded("StreamFramer.push (chunked)", () => framesOf(stream, cuts));
  if ("verdict" in chunked) return chunked.verdict;
  if (!isDeepStrictEqual(comparable(whole.value), comparable(chunked.value))) {
    return violation(
      "stream framing",
      `whole: ${JSON.stringify(whole.value.map(kindOf))}, in chunks: ${JSON.stringify(chunked.value.map(kindOf))}`,
    );
  }
  for (const f of whole.value) {
    if (f.kind !== "message") continue;
    const parsed = guarded("parseMessage (framed)", () => parseMessage(f.bytes, { framing: "stream" }));
    if ("verdict" in parsed) return parsed.verdict;
  }
  return ACCEPTED;
}

const NEXT = Buffer.from(
  "OPTIONS sip:a@b.example SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK2\r\nContent-Length: 0\r\n\r\n",
);

/** Holds the SIP codec's properties on `bytes`, given what parseMessage made of them. */
export function checkSip(bytes: Buffer, result: ParseResult): Verdict {
  const verdict = result.ok ? checkAccepted(result.message) : checkRejected(bytes, result);
  if (verdict.kind === "exception" || verdict.kind === "violation") return verdict;
  const stream = checkStream(bytes, NEXT);
  return stream.kind === "exception" || stream.kind === "violation" ? stream : verdict;
}
