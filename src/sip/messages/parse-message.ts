// The public parse API: bytes of one message (a datagram, or a message the stream framer cut out) to a
// SipMessage, or a SipFault naming line:column and header. Never throws.
// Order: size limit, the empty line ending the head, UTF-8, syntax (parse-head.ts), body by Content-Length,
// then the codec's semantic checks (message-checks.ts).
import { isUtf8 } from "node:buffer";
import type { SipMessage } from "./message.ts";
import { checkMessage } from "./message-checks.ts";
import { DEFAULT_MAX_HEADERS, parseHead } from "./parse-head.ts";
import type { SipFault } from "./sip-fault.ts";

export const DEFAULT_MAX_MESSAGE_BYTES = 65536;

export interface ParseOptions {
  /** messages larger than this are rejected (default 64 KiB) */
  maxMessageBytes?: number;
  /** at most this many header fields (default 256) */
  maxHeaders?: number;
  /** "datagram" (default): without Content-Length the body is the rest (RFC 3261 §18.3); "stream": required */
  framing?: "datagram" | "stream";
}

export type ParseResult =
  | { ok: true; message: SipMessage /** octets after the Content-Length-framed body, ignored */; ignoredBytes: number }
  | { ok: false; fault: SipFault };

const CRLFCRLF = Buffer.from("\r\n\r\n");

function fault(f: SipFault): ParseResult {
  return { ok: false, fault: f };
}

function lineOf(buf: Buffer, end: number): number {
  let line = 1;
  for (let i = buf.indexOf(10); i !== -1 && i < end; i = buf.indexOf(10, i + 1)) line++;
  return line;
}

export function toBuffer(input: Uint8Array | string): Buffer {
  if (typeof input === "string") return Buffer.from(input, "utf8");
  return Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
}

export function parseMessage(input: Uint8Array | string, options: ParseOptions = {}): ParseResult {
  const buf = toBuffer(input);
  const max = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (buf.length > max) {
    return fault({
      layer: "size",
      line: 1,
      column: 1,
      message: `message of ${buf.length} octets exceeds ${max}`,
      status: 513,
    });
  }
  const headEnd = buf.indexOf(CRLFCRLF);
  if (headEnd === -1) {
    return fault({
      layer: "framing",
      line: lineOf(buf, buf.length),
      column: 1,
      message: "no empty line (CRLF CRLF) ending the header fields",
      status: 400,
    });
  }
  const bodyStart = headEnd + 4;
  // The head must be valid UTF-8 (RFC 3261 §7.3.1 TEXT-UTF8). Decoding replaces each invalid sequence with
  // U+FFFD, so only a head that decodes with one needs the check; an ASCII head decodes to a one-byte string, in
  // which that search ends at once.
  const text = buf.toString("utf8", 0, bodyStart);
  if (text.indexOf("\ufffd") !== -1 && !isUtf8(buf.subarray(0, bodyStart))) {
    const at = text.indexOf("\ufffd");
    const before = text.slice(0, Math.max(at, 0));
    const line = before.split("\r\n").length;
    return fault({
      layer: "syntax",
      line,
      column: before.length - before.lastIndexOf("\n"),
      message: "the header section is not valid UTF-8",
      status: 400,
    });
  }
  const head = parseHead(text, options.maxHeaders ?? DEFAULT_MAX_HEADERS);
  if (!head.ok) return head;
  let length = -1;
  let lengthIndex = -1;
  for (let i = 0; i < head.headers.length; i++) {
    if (head.headers[i].name === "Content-Length") {
      length = head.headers[i].parsed as number;
      lengthIndex = i;
      break;
    }
  }
  const available = buf.length - bodyStart;
  let bodyLength = available;
  if (lengthIndex === -1) {
    if (options.framing === "stream") {
      return fault({
        layer: "framing",
        line: 1,
        column: 1,
        header: "Content-Length",
        message: "Content-Length is required on a stream transport (RFC 3261 §18.3)",
        status: 400,
      });
    }
  } else if (length > available) {
    return fault({
      layer: "framing",
      line: head.headerLines[lengthIndex],
      column: 1,
      header: "Content-Length",
      message: `Content-Length ${length} exceeds the ${available} octets of body received (RFC 3261 §18.3)`,
      status: 400,
    });
  } else bodyLength = length;
  const body = buf.subarray(bodyStart, bodyStart + bodyLength);
  // Built field by field rather than by spreading the start line: a spread copies through a slow generic path.
  const start = head.start;
  const message: SipMessage =
    start.kind === "request"
      ? { kind: "request", method: start.method, uri: start.uri, version: start.version, headers: head.headers, body }
      : {
          kind: "response",
          version: start.version,
          status: start.status,
          reason: start.reason,
          headers: head.headers,
          body,
        };
  const problem = checkMessage(message, head.headerLines);
  if (problem) return fault(problem);
  return { ok: true, message, ignoredBytes: available - bodyLength };
}
