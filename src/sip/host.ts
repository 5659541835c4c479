// host = hostname / IPv4address / IPv6reference (RFC 3261 §25.1), with the RFC 5118 §4.10 correction that lets
// an IPv6 address end in "::" followed by an IPv4 address.
import { HOST, is } from "./char-classes.ts";
import type { Cursor } from "./scanner.ts";

const IPV4 = /^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$/;
const DOMAINLABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;
const TOPLABEL = /^[a-z](?:[a-z0-9-]*[a-z0-9])?$/i;
const HEX4 = /^[0-9a-f]{1,4}$/i;

export function isIPv4address(s: string): boolean {
  return IPV4.test(s);
}

export function isHostname(s: string): boolean {
  const labels = s.split(".");
  if (labels.length > 1 && labels[labels.length - 1] === "") labels.pop();
  const top = labels.pop();
  if (top === undefined || !TOPLABEL.test(top)) return false;
  return labels.every((l) => DOMAINLABEL.test(l));
}

function isHexseq(s: string): boolean {
  return s.split(":").every((p) => HEX4.test(p));
}

/** hexpart = hexseq / hexseq "::" [hexseq] / "::" [hexseq] */
function isHexpart(s: string): boolean {
  const dc = s.indexOf("::");
  if (dc === -1) return isHexseq(s);
  const left = s.slice(0, dc);
  const right = s.slice(dc + 2);
  return (left === "" || isHexseq(left)) && (right === "" || isHexseq(right));
}

/** IPv6address = hexpart [":" IPv4address], or (RFC 5118 §4.10) hexpart ending in "::" then IPv4address. */
export function isIPv6address(s: string): boolean {
  if (s.indexOf(".") === -1) return isHexpart(s);
  const last = s.lastIndexOf(":");
  if (last === -1 || !isIPv4address(s.slice(last + 1))) return false;
  if (isHexpart(s.slice(0, last))) return true;
  const dc = s.slice(0, last + 1);
  return dc.endsWith("::") && (dc === "::" || (dc.indexOf("::") === dc.length - 2 && isHexseq(dc.slice(0, -2))));
}

/** Scans a host; returns it as written (IPv6 references keep their brackets). */
export function scanHost(c: Cursor): string {
  const start = c.i;
  if (c.code() === 91) {
    const close = c.s.indexOf("]", start);
    if (close === -1 || !isIPv6address(c.s.slice(start + 1, close))) c.fail("an IPv6 reference [IPv6address]");
    c.i = close + 1;
    return c.s.slice(start, c.i);
  }
  const h = c.run(HOST, false);
  if (!(isIPv4address(h) || isHostname(h))) c.fail("a hostname or IPv4 address", start);
  return h;
}

/** Via received: IPv4address / IPv6address / IPv6reference (RFC 5118 §4.5). */
export function scanReceived(c: Cursor): string {
  const start = c.i;
  if (c.code() === 91) return scanHost(c);
  while (c.i < c.s.length && /[0-9a-fA-F:.]/.test(c.s[c.i])) c.i++;
  const v = c.s.slice(start, c.i);
  if (!(isIPv4address(v) || isIPv6address(v))) c.fail("an IPv4 or IPv6 address", start);
  return v;
}

export function isHostChar(c: number): boolean {
  return is(c, HOST);
}
