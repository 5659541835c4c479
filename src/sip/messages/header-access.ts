// Reading and editing the header fields of a SipMessage. Typed readers return the structured values parsed with
// the message; list fields (Via, Route, Record-Route, Contact, Reason) are flattened across header lines in order.
import { canonicalHeaderName } from "./header-names.ts";
import { formatHeaderValue, isStructured, parseHeaderValue } from "./header-values.ts";
import type {
  CSeq,
  NameAddr,
  Param,
  ReasonValue,
  SessionExpires,
  SipHeader,
  SipMessage,
  StructuredName,
  StructuredValues,
  Via,
} from "./message.ts";
import { paramOf } from "./uri.ts";

/** All values of a header field (canonical or compact name), as text, in order. */
export function headerValues(msg: SipMessage, name: string): string[] {
  const n = canonicalHeaderName(name);
  const out: string[] = [];
  for (const h of msg.headers) if (h.name === n) out.push(h.value);
  return out;
}

/** How many header fields of that name the message has (no values listed: a check runs on every request). */
export function headerCount(msg: SipMessage, name: string): number {
  const n = canonicalHeaderName(name);
  let count = 0;
  for (const h of msg.headers) if (h.name === n) count++;
  return count;
}

/** The first value of a header field, as text. */
export function headerValue(msg: SipMessage, name: string): string | undefined {
  const n = canonicalHeaderName(name);
  for (const h of msg.headers) if (h.name === n) return h.value;
  return undefined;
}

/** The structured value of the first header field of that name. */
export function structured<K extends StructuredName>(msg: SipMessage, name: K): StructuredValues[K] | undefined {
  for (const h of msg.headers) if (h.name === name) return h.parsed as StructuredValues[K];
  return undefined;
}

function flat<T>(msg: SipMessage, name: "Via" | "Route" | "Record-Route" | "Reason"): T[] {
  const out: T[] = [];
  for (const h of msg.headers) {
    if (h.name !== name) continue;
    const values = h.parsed as T[];
    for (let k = 0; k < values.length; k++) out.push(values[k]);
  }
  return out;
}

export const vias = (msg: SipMessage): Via[] => flat<Via>(msg, "Via");
export const topVia = (msg: SipMessage): Via | undefined => structured(msg, "Via")?.[0];
export const routes = (msg: SipMessage): NameAddr[] => flat<NameAddr>(msg, "Route");
export const recordRoutes = (msg: SipMessage): NameAddr[] => flat<NameAddr>(msg, "Record-Route");
export const reasons = (msg: SipMessage): ReasonValue[] => flat<ReasonValue>(msg, "Reason");
export const fromOf = (msg: SipMessage): NameAddr | undefined => structured(msg, "From");
export const toOf = (msg: SipMessage): NameAddr | undefined => structured(msg, "To");
export const callIdOf = (msg: SipMessage): string | undefined => structured(msg, "Call-ID");
export const cseqOf = (msg: SipMessage): CSeq | undefined => structured(msg, "CSeq");
export const maxForwardsOf = (msg: SipMessage): number | undefined => structured(msg, "Max-Forwards");
export const sessionExpiresOf = (msg: SipMessage): SessionExpires | undefined => structured(msg, "Session-Expires");

/** Contact values across header lines; "*" if the (single) Contact is the wildcard. */
export function contacts(msg: SipMessage): NameAddr[] | "*" {
  const out: NameAddr[] = [];
  for (const h of msg.headers) {
    if (h.name !== "Contact") continue;
    if (h.parsed === "*") return "*";
    const values = h.parsed as NameAddr[];
    for (let k = 0; k < values.length; k++) out.push(values[k]);
  }
  return out;
}

export function tagOf(v: NameAddr | undefined): string | undefined {
  const t = v ? paramOf(v.params, "tag") : undefined;
  return t ?? undefined;
}

export function branchOf(v: Via | undefined): string | undefined {
  const b = v ? paramOf(v.params, "branch") : undefined;
  return b ?? undefined;
}

export { paramOf };

/** Sets (adds or replaces) a parameter, keeping order. */
export function withParam(params: Param[], name: string, value: string | null): Param[] {
  const lower = name.toLowerCase();
  const i = params.findIndex(([n]) => n.toLowerCase() === lower);
  if (i === -1) return [...params, [name, value]];
  const out = params.slice();
  out[i] = [params[i][0], value];
  return out;
}

/**
 * A header field from text. A structured field's value is parsed; an invalid one is a programming error in the
 * code building the message, so this throws (the parse API never does).
 */
export function makeHeader(name: string, value: string): SipHeader {
  const n = canonicalHeaderName(name);
  if (!isStructured(n)) return { name: n, value };
  const r = parseHeaderValue(n, value);
  if (!r.ok) throw new Error(`invalid ${n} value ${JSON.stringify(value)}: expected ${r.expected} at ${r.offset}`);
  return { name: n, value, parsed: r.value };
}

/** A header field from a structured value. */
export function headerOf<K extends StructuredName>(name: K, value: StructuredValues[K]): SipHeader {
  return { name, value: formatHeaderValue(name, value), parsed: value };
}

/** Removes every header field of that name; returns the removed ones. */
export function removeHeaders(msg: SipMessage, name: string): SipHeader[] {
  const n = canonicalHeaderName(name);
  const removed = msg.headers.filter((h) => h.name === n);
  if (removed.length > 0) msg.headers = msg.headers.filter((h) => h.name !== n);
  return removed;
}

/** Replaces every header field of that name by one (placed where the first one was, else appended). */
export function setHeader(msg: SipMessage, header: SipHeader): void {
  const i = msg.headers.findIndex((h) => h.name === header.name);
  removeHeaders(msg, header.name);
  if (i === -1) msg.headers.push(header);
  else msg.headers.splice(i, 0, header);
}

/** Puts a header field above all others of its name (Via, Record-Route: RFC 3261 §16.6). */
export function prependHeader(msg: SipMessage, header: SipHeader): void {
  const i = msg.headers.findIndex((h) => h.name === header.name);
  if (i === -1) msg.headers.unshift(header);
  else msg.headers.splice(i, 0, header);
}

/** Removes the first value of a list field (the top Via, the top Route), dropping the line if it empties. */
export function shiftListValue(msg: SipMessage, name: "Via" | "Route"): void {
  const i = msg.headers.findIndex((h) => h.name === name);
  if (i === -1) return;
  const values = (msg.headers[i].parsed as unknown[]).slice(1);
  if (values.length === 0) msg.headers.splice(i, 1);
  else msg.headers[i] = headerOf(name, values as StructuredValues[typeof name]);
}
