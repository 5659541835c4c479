// Structured values of the header fields the stack reads (RFC 3261 §20, RFC 3326 Reason, RFC 4028
// Session-Expires, RFC 3581 rport): scanners that accept exactly what sip-message.ne accepts, and formatters.
import { isDigit, isNamed, upperAscii } from "./char-classes.ts";
import { decimal } from "./decimal.ts";
import { indexIn, scanHost, scanReceived } from "./host.ts";
import type {
  ContactValue,
  CSeq,
  NameAddr,
  ReasonValue,
  SessionExpires,
  StructuredName,
  StructuredValues,
  Via,
} from "./message.ts";
import { formatNameAddr, scanNameAddr } from "./name-addr.ts";
import { equal, formatParams, type SpecificParam, scanParams } from "./params.ts";
import { Cursor, ScanFault } from "./scanner.ts";

function digitsN(c: Cursor, max: number, what: string): string {
  const v = c.digits(what);
  if (v.length > max) c.fail(what, c.i - v.length + max);
  return v;
}

// Parameter names are matched by length first, then case-insensitively in place (no lower-cased copy).
const viaParam: SpecificParam = (name, c) => {
  switch (name.length) {
    case 3:
      if (!isNamed(name, "ttl")) return undefined;
      equal(c, "ttl");
      return digitsN(c, 3, "a ttl of 1 to 3 digits");
    case 5:
      if (isNamed(name, "rport")) return c.separator(61) ? c.digits("an rport number") : null;
      if (!isNamed(name, "maddr")) return undefined;
      equal(c, "maddr");
      return scanHost(c);
    case 6:
      if (!isNamed(name, "branch")) return undefined;
      equal(c, "branch");
      return c.token("a branch token");
    case 8:
      if (!isNamed(name, "received")) return undefined;
      equal(c, "received");
      return scanReceived(c);
    default:
      return undefined;
  }
};

function scanViaParm(c: Cursor): Via {
  const protocol = upperAscii(c.token("a protocol name"));
  if (!c.separator(47)) c.fail('"/" in the sent-protocol');
  const version = c.token("a protocol version");
  if (!c.separator(47)) c.fail('"/" in the sent-protocol');
  const transport = upperAscii(c.token("a transport"));
  c.lws();
  const host = scanHost(c);
  let port: number | null = null;
  if (c.separator(58)) port = c.number("a port number");
  return { protocol, version, transport, host, port, params: scanParams(c, viaParam) };
}

/** item *(COMMA item), then the end of the value. */
function list<T>(c: Cursor, item: (c: Cursor) => T): T[] {
  const out = [item(c)];
  while (c.separator(44)) out.push(item(c));
  c.end_('"," or ";" or the end of the value');
  return out;
}

const tagParam: SpecificParam = (name, c) => {
  if (!isNamed(name, "tag")) return undefined;
  equal(c, "tag");
  return c.token("a tag token");
};

function scanFromSpec(c: Cursor): NameAddr {
  const v = scanNameAddr(c, true, tagParam);
  c.end_('";" or the end of the value');
  return v;
}

const QVALUE = /^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$/;

const contactParam: SpecificParam = (name, c) => {
  if (isNamed(name, "q")) {
    equal(c, "q");
    const start = c.i;
    while (isDigit(c.code()) || c.code() === 46) c.i++;
    const q = c.s.slice(start, c.i);
    if (!QVALUE.test(q)) c.fail("a qvalue (0 to 1, at most 3 decimals)", start);
    return q;
  }
  if (isNamed(name, "expires")) {
    equal(c, "expires");
    return c.digits("expires delta-seconds");
  }
  return undefined;
};

// Item scanners are module-level functions, not closures made per call (each closure costs an allocation).
const contactParm = (c: Cursor): NameAddr => scanNameAddr(c, true, contactParam);

function scanContact(c: Cursor): ContactValue {
  if (c.end - c.i === 1 && c.code() === 42) return "*";
  return list(c, contactParm);
}

const routeParam = (c: Cursor): NameAddr => scanNameAddr(c, false);

function checkWord(c: Cursor, from: number, to: number): void {
  if (from === to) c.fail("a Call-ID word", from);
  const s = c.s;
  for (let i = from; i < to; i++) if (!isWordChar(s.charCodeAt(i))) c.fail("a Call-ID word character", i);
}

function scanCallId(c: Cursor): string {
  const from = c.i;
  const end = c.end;
  const at = indexIn(c.s, 64, from, end);
  if (at === -1) checkWord(c, from, end);
  else {
    checkWord(c, from, at);
    checkWord(c, at + 1, end);
  }
  return c.text();
}

function isWordChar(ch: number): boolean {
  // word = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" / "(" / ")" / "<" / ">" /
  //            ":" / "\" / DQUOTE / "/" / "[" / "]" / "?" / "{" / "}")
  return WORD_CHARS[ch] === 1;
}
const WORD_CHARS = new Uint8Array(128);
for (const ch of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~()<>:\\\"/[]?{}") {
  WORD_CHARS[ch.charCodeAt(0)] = 1;
}

function scanCSeq(c: Cursor): CSeq {
  const seq = c.number("a CSeq number");
  c.lws();
  const method = c.token("a method");
  c.end_("the end of the CSeq value");
  return { seq, method };
}

function scanNumber(c: Cursor): number {
  const v = c.number("a number");
  c.end_("the end of the number");
  return v;
}

const reasonParam: SpecificParam = (name, c) => {
  if (isNamed(name, "cause")) {
    equal(c, "cause");
    return c.digits("a cause number");
  }
  if (isNamed(name, "text")) {
    equal(c, "text");
    return c.quotedString();
  }
  return undefined;
};

const reasonValue = (c: Cursor): ReasonValue => ({
  protocol: c.token("a Reason protocol"),
  params: scanParams(c, reasonParam),
});

const refresherParam: SpecificParam = (name, c) => {
  if (!isNamed(name, "refresher")) return undefined;
  equal(c, "refresher");
  const v = c.token('"uas" or "uac"');
  if (!/^ua[sc]$/i.test(v)) c.fail('"uas" or "uac"', c.i - v.length);
  return v;
};

function scanSessionExpires(c: Cursor): SessionExpires {
  const deltaSeconds = c.number("delta-seconds");
  const params = scanParams(c, refresherParam);
  c.end_('";" or the end of the value');
  return { deltaSeconds, params };
}

const RFC1123 =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT$/i;

function scanDate(c: Cursor): string {
  const text = c.text();
  if (!RFC1123.test(text)) c.fail('an RFC 1123 date in GMT ("Sat, 13 Nov 2010 23:29:00 GMT")');
  return text;
}

type Scanners = { [K in StructuredName]: (c: Cursor) => StructuredValues[K] };

const SCANNERS: Scanners = {
  Via: (c) => list(c, scanViaParm),
  From: scanFromSpec,
  To: scanFromSpec,
  Contact: scanContact,
  Route: (c) => list(c, routeParam),
  "Record-Route": (c) => list(c, routeParam),
  "Call-ID": scanCallId,
  CSeq: scanCSeq,
  "Max-Forwards": scanNumber,
  "Content-Length": scanNumber,
  Reason: (c) => list(c, reasonValue),
  "Session-Expires": scanSessionExpires,
  Date: scanDate,
};

export function isStructured(name: string): name is StructuredName {
  return Object.hasOwn(SCANNERS, name);
}

const SCANNER_OF = new Map<string, (c: Cursor) => unknown>(Object.entries(SCANNERS));

/** The scanner of a structured field (canonical name), or undefined: one lookup where the parser needs both. */
export function scannerOf(name: string): ((c: Cursor) => unknown) | undefined {
  return SCANNER_OF.get(name);
}

export type ValueResult<T> = { ok: true; value: T } | { ok: false; offset: number; expected: string };

/**
 * Parses the value of a structured header field (canonical name), unfolded and without leading or trailing
 * white space.
 */
export function parseHeaderValue<K extends StructuredName>(name: K, value: string): ValueResult<StructuredValues[K]> {
  const c = new Cursor(value);
  try {
    if (value.length === 0) c.fail("a value");
    return { ok: true, value: SCANNERS[name](c) };
  } catch (e) {
    if (e instanceof ScanFault) return { ok: false, offset: e.offset, expected: e.expected };
    throw e;
  }
}

/** Checks an extension header's value: TEXT-UTF8char and white space only. Returns the offset of a fault, or -1. */
export function extensionValueFault(value: string): number {
  return value.search(NOT_TEXT_OR_WSP);
}
const NOT_TEXT_OR_WSP = /[^\t\x20-\x7e\u0080-\uffff]/;

// ---- formatting structured values for the wire ----

export function formatVia(v: Via): string {
  const port = v.port === null ? "" : `:${decimal(v.port)}`;
  return `${v.protocol}/${v.version}/${v.transport} ${v.host}${port}${formatParams(v.params, true)}`;
}

export function formatCSeq(v: CSeq): string {
  return `${decimal(v.seq)} ${v.method}`;
}

export function formatReason(v: ReasonValue): string {
  return `${v.protocol}${formatParams(v.params)}`;
}

export function formatSessionExpires(v: SessionExpires): string {
  return `${decimal(v.deltaSeconds)}${formatParams(v.params)}`;
}

type Formatters = { [K in StructuredName]: (v: StructuredValues[K]) => string };

const FORMATTERS: Formatters = {
  Via: (v) => v.map(formatVia).join(", "),
  From: formatNameAddr,
  To: formatNameAddr,
  Contact: (v) => (v === "*" ? "*" : v.map(formatNameAddr).join(", ")),
  Route: (v) => v.map(formatNameAddr).join(", "),
  "Record-Route": (v) => v.map(formatNameAddr).join(", "),
  "Call-ID": (v) => v,
  CSeq: formatCSeq,
  "Max-Forwards": decimal,
  "Content-Length": decimal,
  Reason: (v) => v.map(formatReason).join(", "),
  "Session-Expires": formatSessionExpires,
  Date: (v) => v,
};

/** The wire text of a structured value. */
export function formatHeaderValue<K extends StructuredName>(name: K, value: StructuredValues[K]): string {
  return FORMATTERS[name](value);
}
