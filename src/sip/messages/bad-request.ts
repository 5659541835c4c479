// What to do with a message the codec rejected (RFC 3261 §21.4.1, §20.43; RFC 4475 §3.1.2): a request whose
// Via, From, To, Call-ID and CSeq can still be read gets a 400 (or 505 / 513) with Warning: 399 naming the fault;
// anything else (a response, an ACK, a request missing those fields) is dropped and counted by the caller.
import { randomBytes } from "node:crypto";
import { headerOf } from "./header-access.ts";
import { canonicalHeaderName } from "./header-names.ts";
import { isStructured, parseHeaderValue } from "./header-values.ts";
import { type NameAddr, NO_BODY, type SipHeader, type SipResponse, type Via } from "./message.ts";
import { quote } from "./params.ts";
import { toBuffer } from "./parse-message.ts";
import { describeFault, type SipFault } from "./sip-fault.ts";

export type MalformedAction = { action: "respond"; response: SipResponse } | { action: "drop"; reason: string };

const REASONS: Record<number, string> = { 400: "Bad Request", 505: "Version Not Supported", 513: "Message Too Large" };
const NEEDED = ["Via", "From", "To", "Call-ID", "CSeq"] as const;

export interface BadRequestOptions {
  /** host (or host:port) of this element for the Warning (RFC 3261 §20.43) */
  host: string;
  /** To tag to add when the request's To has none (default: random) */
  toTag?: string;
}

/** Decides between answering a rejected message and dropping it. Never throws. */
export function respondToMalformed(
  input: Uint8Array | string,
  fault: SipFault,
  opts: BadRequestOptions,
): MalformedAction {
  const buf = toBuffer(input);
  // Read only as much as a head can be; the fault may be that the message is too large.
  const limit = Math.min(buf.length, 65536);
  let end = buf.indexOf("\r\n\r\n");
  if (end === -1 || end > limit) end = limit;
  const text = buf.toString("utf8", 0, end);
  const lines = text.split("\r\n");
  const first = lines[0] ?? "";
  const method = /^([A-Za-z0-9\-.!%*_+`'~]+) /.exec(first)?.[1];
  if (method === undefined || /^SIP\//i.test(first)) return { action: "drop", reason: "not a request" };
  if (method === "ACK") return { action: "drop", reason: "an ACK is never answered (RFC 3261 §17.2.1)" };
  // Unfold leniently, then read each needed field on its own.
  const fields: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    if (/^[ \t]/.test(line) && fields.length > 0) fields[fields.length - 1][1] += line;
    else {
      const m = /^([^:\s]+)[ \t]*:(.*)$/.exec(line);
      if (m) fields.push([canonicalHeaderName(m[1]), m[2]]);
    }
  }
  const vias: Via[] = [];
  const found = new Map<string, SipHeader>();
  for (const [name, raw] of fields) {
    if (!(NEEDED as readonly string[]).includes(name) || !isStructured(name)) continue;
    const value = raw.trim();
    const r = parseHeaderValue(name, value);
    if (!r.ok) {
      if (name === "Via")
        return { action: "drop", reason: "a Via header field cannot be read, so no response can be routed" };
      continue;
    }
    if (name === "Via") vias.push(...(r.value as Via[]));
    else if (!found.has(name)) found.set(name, { name, value, parsed: r.value });
  }
  const missing = NEEDED.filter((n) => (n === "Via" ? vias.length === 0 : !found.has(n)));
  if (missing.length > 0) return { action: "drop", reason: `cannot form a response without ${missing.join(", ")}` };
  const to = found.get("To")!;
  const toValue = to.parsed as NameAddr;
  const toHeader = toValue.params.some(([n]) => n.toLowerCase() === "tag")
    ? to
    : headerOf("To", {
        ...toValue,
        params: [...toValue.params, ["tag", opts.toTag ?? randomBytes(6).toString("hex")]],
      });
  const status = REASONS[fault.status] ? fault.status : 400;
  const warning = `399 ${opts.host} ${quote(describeFault(fault))}`;
  return {
    action: "respond",
    response: {
      kind: "response",
      version: "SIP/2.0",
      status,
      reason: REASONS[status],
      headers: [
        headerOf("Via", vias),
        found.get("From")!,
        toHeader,
        found.get("Call-ID")!,
        found.get("CSeq")!,
        { name: "Warning", value: warning },
      ],
      body: NO_BODY,
    },
  };
}
