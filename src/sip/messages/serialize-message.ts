// Serializes a SipMessage for the wire (RFC 3261 §7): start line, one header line per field (values as held,
// never folded), Content-Length set from the body, empty line, body.

import type { SipMessage } from "./message.ts";
import { formatUri } from "./uri.ts";

export function startLineText(msg: SipMessage): string {
  return msg.kind === "request"
    ? `${msg.method} ${formatUri(msg.uri)} ${msg.version}`
    : `${msg.version} ${msg.status} ${msg.reason}`;
}

/** The message as octets. Content-Length always states the body's length (required on streams, §18.3). */
export function serializeMessage(msg: SipMessage): Buffer {
  let head = `${startLineText(msg)}\r\n`;
  for (const h of msg.headers) {
    if (h.name === "Content-Length") continue;
    head += `${h.name}: ${h.value}\r\n`;
  }
  head += `Content-Length: ${msg.body.length}\r\n\r\n`;
  if (msg.body.length === 0) return Buffer.from(head, "utf8");
  return Buffer.concat([Buffer.from(head, "utf8"), msg.body]);
}
