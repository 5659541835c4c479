// host = hostname / IPv4address / IPv6reference (RFC 3261 §25.1), with the RFC 5118 §4.10 correction that lets
// an IPv6 address end in "::" followed by an IPv4 address. The checks work on a range of the text being scanned,
// so the parser never slices a host (or a piece of an IPv6 address) just to look at it.
import { HOST, is } from "./char-classes.ts";
import type { Cursor } from "./scanner.ts";

const isDigitCode = (c: number) => c >= 48 && c <= 57;
const isAlphaCode = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isHex = (c: number) => isDigitCode(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/** IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT, over s[from, to) */
function isIPv4At(s: string, from: number, to: number): boolean {
  let groups = 0;
  let digits = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (isDigitCode(c)) {
      if (++digits > 3) return false;
    } else if (c === 46) {
      if (digits === 0 || ++groups > 3) return false;
      digits = 0;
    } else return false;
  }
  return groups === 3 && digits > 0;
}

export function isIPv4address(s: string): boolean {
  return isIPv4At(s, 0, s.length);
}

/** hostname = *( domainlabel "." ) toplabel [ "." ]; labels are alphanum with inner "-", toplabel starts ALPHA */
function isHostnameAt(s: string, from: number, to: number): boolean {
  let end = to;
  if (end - from > 1 && s.charCodeAt(end - 1) === 46) end--;
  let labelStart = from;
  for (let i = from; i <= end; i++) {
    const c = i < end ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (i === labelStart || s.charCodeAt(i - 1) === 45) return false;
      if (i === end) return isAlphaCode(s.charCodeAt(labelStart));
      labelStart = i + 1;
    } else if (c === 45) {
      if (i === labelStart) return false;
    } else if (!(isDigitCode(c) || isAlphaCode(c))) return false;
  }
  return false;
}

export function isHostname(s: string): boolean {
  return isHostnameAt(s, 0, s.length);
}

/** hexseq = hex4 *( ":" hex4 ), hex4 = 1*4HEXDIG, over s[from, to) */
function isHexseqAt(s: string, from: number, to: number): boolean {
  let digits = 0;
  for (let i = from; i < to; i++) {
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

// Searches bounded by the range: the text read is a whole message head, and an unbounded indexOf for something
// absent from a short range would read on to the end of the head, once per host (quadratic in the head).

/** Where code `ch` first stands in s[from, to), or -1. */
export function indexIn(s: string, ch: number, from: number, to: number): number {
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === ch) return i;
  return -1;
}

/** Where code `ch` last stands in s[from, to), or -1. */
function lastIndexIn(s: string, ch: number, from: number, to: number): number {
  for (let i = to - 1; i >= from; i--) if (s.charCodeAt(i) === ch) return i;
  return -1;
}

/** The first "::" lying wholly within s[from, to), or -1. */
function doubleColonIn(s: string, from: number, to: number): number {
  for (let i = indexIn(s, 58, from, to); i !== -1 && i + 1 < to; i = indexIn(s, 58, i + 1, to)) {
    if (s.charCodeAt(i + 1) === 58) return i;
  }
  return -1;
}

/** hexpart = hexseq / hexseq "::" [hexseq] / "::" [hexseq], over s[from, to) */
function isHexpartAt(s: string, from: number, to: number): boolean {
  const dc = doubleColonIn(s, from, to);
  if (dc === -1) return isHexseqAt(s, from, to);
  return (dc === from || isHexseqAt(s, from, dc)) && (dc + 2 === to || isHexseqAt(s, dc + 2, to));
}

/** IPv6address = hexpart [":" IPv4address], or (RFC 5118 §4.10) hexpart ending in "::" then IPv4address. */
function isIPv6At(s: string, from: number, to: number): boolean {
  if (indexIn(s, 46, from, to) === -1) return isHexpartAt(s, from, to);
  const last = lastIndexIn(s, 58, from, to);
  if (last === -1 || !isIPv4At(s, last + 1, to)) return false;
  if (isHexpartAt(s, from, last)) return true;
  // s[from, last + 1) must end in "::", its only "::", after a hexseq or nothing
  if (last - 1 < from || s.charCodeAt(last - 1) !== 58) return false;
  return last + 1 - from === 2 || (doubleColonIn(s, from, last + 1) === last - 1 && isHexseqAt(s, from, last - 1));
}

export function isIPv6address(s: string): boolean {
  return isIPv6At(s, 0, s.length);
}

// Kinds of host characters, for scanHost.
const DIGIT = 1;
const ALPHA = 2;
const DASH = 4;
const LABEL_CHAR = DIGIT | ALPHA | DASH;
const KIND = new Uint8Array(128);
for (let c = 48; c <= 57; c++) KIND[c] = DIGIT;
for (let c = 65; c <= 90; c++) KIND[c] = ALPHA;
for (let c = 97; c <= 122; c++) KIND[c] = ALPHA;
KIND[45] = DASH;

/**
 * Scans a host; returns it as written (IPv6 references keep their brackets). A hostname or IPv4 address is the
 * longest run of alphanum, "-" and ".", valid if it is an IPv4address or a hostname as a whole. The hostname
 * rules are checked label by label in the pass that finds the run (this is the hottest loop of a parse): every
 * label non-empty, not starting or ending with "-"; the toplabel (the last, or the one before a final ".")
 * starting with ALPHA.
 */
export function scanHost(c: Cursor): string {
  const s = c.s;
  const start = c.i;
  if (s.charCodeAt(start) === 91) {
    const close = indexIn(s, 93, start, c.end);
    if (close === -1 || !isIPv6At(s, start + 1, close)) c.fail("an IPv6 reference [IPv6address]");
    c.i = close + 1;
    return s.slice(start, c.i);
  }
  const n = c.end;
  let i = start;
  let labels = true; // every label so far well formed
  let first = 0; // kind of the current label's first character, 0 if the label is empty
  let before = 0; // the same for the label before the last "."
  for (;;) {
    const from = i;
    while (i < n) {
      const ch = s.charCodeAt(i);
      if (ch >= 128 || (KIND[ch] & LABEL_CHAR) === 0) break;
      i++;
    }
    first = i > from ? KIND[s.charCodeAt(from)] : 0;
    if (first === DASH || (i > from && s.charCodeAt(i - 1) === 45)) labels = false;
    if (i < n && s.charCodeAt(i) === 46) {
      if (i === from) labels = false;
      before = first;
      i++;
    } else break;
  }
  const hostname = labels && (first !== 0 ? first === ALPHA : i - start > 1 && before === ALPHA);
  if (!hostname && !(isDigitCode(s.charCodeAt(start)) && isIPv4At(s, start, i))) {
    c.fail("a hostname or IPv4 address", start);
  }
  c.i = i;
  return s.slice(start, i);
}

/** Via received: IPv4address / IPv6address / IPv6reference (RFC 5118 §4.5). */
export function scanReceived(c: Cursor): string {
  const s = c.s;
  const start = c.i;
  if (s.charCodeAt(start) === 91) return scanHost(c);
  const end = c.end;
  let i = start;
  while (i < end) {
    const ch = s.charCodeAt(i);
    if (!(isHex(ch) || ch === 58 || ch === 46)) break;
    i++;
  }
  if (!(isIPv4At(s, start, i) || isIPv6At(s, start, i))) c.fail("an IPv4 or IPv6 address", start);
  c.i = i;
  return s.slice(start, i);
}

export function isHostChar(c: number): boolean {
  return is(c, HOST);
}
