// host = hostname / IPv4address / IPv6reference (RFC 3261 §25.1), with the RFC 5118 §4.10 correction that lets
// an IPv6 address end in "::" followed by an IPv4 address.
import { HOST, is } from "./char-classes.ts";
import type { Cursor } from "./scanner.ts";

/** IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT */
export function isIPv4address(s: string): boolean {
  let groups = 0;
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++digits > 3) return false;
    } else if (c === 46) {
      if (digits === 0 || ++groups > 3) return false;
      digits = 0;
    } else return false;
  }
  return groups === 3 && digits > 0;
}

/** hostname = *( domainlabel "." ) toplabel [ "." ]; labels are alphanum with inner "-", toplabel starts ALPHA */
export function isHostname(s: string): boolean {
  let end = s.length;
  if (end > 1 && s.charCodeAt(end - 1) === 46) end--;
  let labelStart = 0;
  for (let i = 0; i <= end; i++) {
    const c = i < end ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (i === labelStart || s.charCodeAt(i - 1) === 45) return false;
      if (i === end) {
        const f = s.charCodeAt(labelStart);
        return (f >= 65 && f <= 90) || (f >= 97 && f <= 122);
      }
      labelStart = i + 1;
    } else if (c === 45) {
      if (i === labelStart) return false;
    } else if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122))) return false;
  }
  return false;
}

const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/** hexseq = hex4 *( ":" hex4 ), hex4 = 1*4HEXDIG */
function isHexseq(s: string): boolean {
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isHex(c)) {
      if (++digits > 4) return false;
    } else if (c === 58) {
      if (digits === 0) return false;
      digits = 0;
    } else return false;
  }
  return digits > 0;
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
  for (let ch = c.code(); isHex(ch) || ch === 58 || ch === 46; ch = c.code()) c.i++;
  const v = c.s.slice(start, c.i);
  if (!(isIPv4address(v) || isIPv6address(v))) c.fail("an IPv4 or IPv6 address", start);
  return v;
}

export function isHostChar(c: number): boolean {
  return is(c, HOST);
}
