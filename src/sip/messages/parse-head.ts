// The hot-path scanner for a message head (start line, header fields, empty line). It accepts exactly what the
// reference grammar sip-message.ne accepts and yields the same values (test/sip/grammar-equivalence.test.ts).
// Folding: a header field's continuation lines are joined by dropping each fold's CRLF (RFC 3261 §7.3.1); the
// name and ":" must be on the field's first line, and the start line cannot be folded.
import { is, isDigit, isWsp, REASON, TOKEN, table } from "./char-classes.ts";
import { unusualHeaderName, usualNameIdAt, WELL_KNOWN_NAMES } from "./header-names.ts";
import { extensionValueFault, scannerOf } from "./header-values.ts";
import type { SipHeader, StartLine } from "./message.ts";
import { Cursor, ScanFault } from "./scanner.ts";
import type { SipFault } from "./sip-fault.ts";
import { scanUri } from "./uri.ts";

export const DEFAULT_MAX_HEADERS = 256;

export type HeadResult =
  | { ok: true; start: StartLine; headers: SipHeader[] /** line of each header field */; headerLines: number[] }
  | { ok: false; fault: SipFault };

function syntaxFault(line: number, column: number, message: string, header?: string): { ok: false; fault: SipFault } {
  return { ok: false, fault: { layer: "syntax", line, column, header, message, status: 400 } };
}

// "SIP", in any case, at s[from, to)
function isSipWord(s: string, from: number, to: number): boolean {
  return (
    to - from === 3 &&
    (s.charCodeAt(from) | 0x20) === 115 &&
    (s.charCodeAt(from + 1) | 0x20) === 105 &&
    (s.charCodeAt(from + 2) | 0x20) === 112
  );
}

function scanVersion(c: Cursor): string {
  const start = c.i;
  c.token("SIP-Version");
  if (!isSipWord(c.s, start, c.i) || c.code() !== 47) c.fail('"SIP/" (SIP-Version)', start);
  c.i++;
  const major = c.digits("a version number");
  c.expect(".", '"." in the SIP version');
  const minor = c.digits("a version number");
  return major === "2" && minor === "0" ? "SIP/2.0" : `SIP/${major}.${minor}`;
}

function isDigitAt(c: Cursor, at: number): boolean {
  return at < c.end && isDigit(c.s.charCodeAt(at));
}

/** The start line: the cursor reads it where it stands, at the start of the head. */
function scanStartLine(c: Cursor): StartLine {
  const first = c.token("a method or SIP-Version");
  if (c.code() === 47 && isSipWord(c.s, 0, c.i)) {
    c.i = 0;
    const version = scanVersion(c);
    c.expect(" ", "a single SP after the SIP version");
    const at = c.i;
    if (!(isDigitAt(c, at) && isDigitAt(c, at + 1) && isDigitAt(c, at + 2))) c.fail("a 3-digit status code");
    c.i += 3;
    c.expect(" ", "a single SP after the status code");
    const from = c.i;
    for (;;) {
      const ch = c.code();
      if (ch === -1) break;
      if (is(ch, REASON) || ch >= 0x80 || isWsp(ch)) c.i++;
      else if (ch === 37) c.run(0, true);
      else c.fail("a Reason-Phrase character");
    }
    const status = Number(c.s.slice(at, at + 3));
    return { kind: "response", version, status, reason: c.s.slice(from, c.end) };
  }
  c.expect(" ", "a single SP after the method");
  const uri = scanUri(c, false);
  c.expect(" ", "a single SP after the Request-URI");
  const version = scanVersion(c);
  c.end_("the end of the Request-Line (no trailing white space)");
  return { kind: "request", method: first, uri, version };
}

// A bare CR or LF: one not part of a CRLF pair. These are exactly the CR and LF left inside the pieces of
// head.split("\r\n"), since CRLF pairs cannot overlap. No character class of the scanners admits CR or LF, so a
// head with one is never accepted: the search for it (costly, for its look-behind) runs only on a rejection.
const BARE_CR_LF = /\r(?!\n)|(?<!\r)\n/;

/** 1-based line of offset `at` in `head` (lines end in CRLF), and the offset where that line starts. */
function lineAt(head: string, at: number): { line: number; start: number } {
  let line = 1;
  let start = 0;
  for (let k = head.indexOf("\r\n"); k !== -1 && k + 2 <= at; k = head.indexOf("\r\n", k + 2)) {
    line++;
    start = k + 2;
  }
  return { line, start };
}

/**
 * Maps `offset` in a field's unfolded value (before trimming) back to line:column of the raw head: the value is
 * the rest of the field's first line after the colon, then each continuation line whole. Computed only for a
 * fault, by walking the field's lines again.
 */
function locate(head: string, line: number, lineStart: number, colon: number, offset: number) {
  let from = colon + 1;
  let column = colon - lineStart + 2;
  let eol = head.indexOf("\r\n", from);
  let rest = offset;
  for (;;) {
    if (rest < eol - from) return { line, column: column + rest };
    rest -= eol - from;
    if (!isWsp(head.charCodeAt(eol + 2))) return { line, column: column + (eol - from) };
    from = eol + 2;
    eol = head.indexOf("\r\n", from);
    column = 1;
    line++;
  }
}

// The scanner of each well-known name by id: found with the name, no lookup by string per field.
const SCANNER_BY_ID = WELL_KNOWN_NAMES.map(scannerOf);

function tokenEnd(s: string, from: number): number {
  let i = from;
  for (let ch = s.charCodeAt(i); ch < 128 && (table[ch] & TOKEN) !== 0; ch = s.charCodeAt(i)) i++;
  return i;
}

const FOLDED_START = "white space at the start of a header line (the start line cannot be folded)";

/**
 * Scans `head`: the start line through the empty line, CRLFs included (it must end in CRLF CRLF).
 * Never throws. A bare CR or LF is reported before any other fault.
 */
export function parseHead(head: string, maxHeaders = DEFAULT_MAX_HEADERS): HeadResult {
  const r = scanHead(head, maxHeaders);
  if (r.ok) return r;
  const bare = BARE_CR_LF.exec(head);
  if (bare === null) return r;
  const at = lineAt(head, bare.index);
  return syntaxFault(at.line, bare.index - at.start + 1, "a bare CR or LF (lines end in CRLF)");
}

// Walks the head by index (no split into lines, no per-line copies); a field's value is sliced once, trimmed,
// and a folded value is joined only when the field is folded.
function scanHead(head: string, maxHeaders: number): HeadResult {
  if (!head.endsWith("\r\n\r\n")) {
    let lines = 1;
    for (let k = head.indexOf("\r\n"); k !== -1; k = head.indexOf("\r\n", k + 2)) lines++;
    return {
      ok: false,
      fault: {
        layer: "framing",
        line: lines,
        column: 1,
        message: "no empty line ending the header fields",
        status: 400,
      },
    };
  }
  const startEnd = head.indexOf("\r\n");
  let start: StartLine;
  try {
    start = scanStartLine(new Cursor(head, 0, startEnd));
  } catch (e) {
    if (e instanceof ScanFault) return syntaxFault(1, e.offset + 1, `start line: expected ${e.expected}`);
    throw e;
  }
  const headers: SipHeader[] = [];
  const headerLines: number[] = [];
  const cursor = new Cursor(head, 0, 0);
  const end = head.length - 2; // where the empty line starts
  let pos = startEnd + 2;
  let line = 2;
  while (pos < end) {
    const first = head.charCodeAt(pos);
    if (first === 32 || first === 9) return syntaxFault(line, 1, line === 2 ? FOLDED_START : "a header field name");
    if (headers.length >= maxHeaders) {
      return {
        ok: false,
        fault: { layer: "size", line, column: 1, message: `more than ${maxHeaders} header fields`, status: 513 },
      };
    }
    // Usually the name is a well-known one as commonly spelled, right before the ":": matched in place, it needs
    // no scan of its own (its spelling is a token). Otherwise: token, white space, ":".
    let colon = head.indexOf(":", pos);
    let id = colon === -1 ? -1 : usualNameIdAt(head, pos, colon);
    let nameEnd = colon;
    if (id === -1) {
      nameEnd = tokenEnd(head, pos);
      if (nameEnd === pos) return syntaxFault(line, 1, "a header field name (token)");
      let i = nameEnd;
      while (isWsp(head.charCodeAt(i))) i++;
      if (head.charCodeAt(i) !== 58) {
        const written = head.slice(pos, nameEnd);
        return syntaxFault(line, i - pos + 1, `":" after the header field name ${written}`, written);
      }
      // white space before the ":" (else this name was looked up already)
      if (i !== nameEnd) id = usualNameIdAt(head, pos, nameEnd);
      colon = i;
    }
    const name = id !== -1 ? WELL_KNOWN_NAMES[id] : unusualHeaderName(head.slice(pos, nameEnd));
    const scan = id !== -1 ? SCANNER_BY_ID[id] : scannerOf(name);
    headerLines.push(line);
    const firstLine = line;
    const lineStart = pos;
    let eol = head.indexOf("\r\n", colon + 1);
    // lead: white space skipped before the value, counted in the unfolded value (for locate)
    let lead: number;
    let value: string;
    // where the value is read from: in place in the head, or (folded) the joined value
    let text = head;
    let from: number;
    let to: number;
    if (!isWsp(head.charCodeAt(eol + 2))) {
      let a = colon + 1;
      let b = eol;
      while (a < b && isWsp(head.charCodeAt(a))) a++;
      while (b > a && isWsp(head.charCodeAt(b - 1))) b--;
      lead = a - colon - 1;
      value = head.slice(a, b);
      from = a;
      to = b;
    } else {
      let raw = head.slice(colon + 1, eol);
      do {
        const from = eol + 2;
        eol = head.indexOf("\r\n", from);
        raw += head.slice(from, eol);
        line++;
      } while (isWsp(head.charCodeAt(eol + 2)));
      let a = 0;
      let b = raw.length;
      while (a < b && isWsp(raw.charCodeAt(a))) a++;
      while (b > a && isWsp(raw.charCodeAt(b - 1))) b--;
      lead = a;
      value = a === 0 && b === raw.length ? raw : raw.slice(a, b);
      text = value;
      from = 0;
      to = value.length;
    }
    pos = eol + 2;
    line++;
    if (scan !== undefined) {
      let parsed: unknown;
      try {
        if (value.length === 0) throw new ScanFault(0, "a value");
        cursor.reset(text, from, to);
        parsed = scan(cursor);
      } catch (e) {
        if (!(e instanceof ScanFault)) throw e;
        const at = locate(head, firstLine, lineStart, colon, lead + e.offset);
        return syntaxFault(at.line, at.column, `${name}: expected ${e.expected}`, name);
      }
      headers.push({ name, value, parsed });
    } else {
      const bad = extensionValueFault(value);
      if (bad !== -1) {
        const at = locate(head, firstLine, lineStart, colon, lead + bad);
        return syntaxFault(at.line, at.column, `${name}: a control character in the value`, name);
      }
      headers.push({ name, value });
    }
  }
  return { ok: true, start, headers, headerLines };
}
