// The hot-path scanner for a message head (start line, header fields, empty line). It accepts exactly what the
// reference grammar sip-message.ne accepts and yields the same values (test/sip/grammar-equivalence.test.ts).
// Folding: a header field's continuation lines are joined by dropping each fold's CRLF (RFC 3261 §7.3.1); the
// name and ":" must be on the field's first line, and the start line cannot be folded.
import { is, isDigit, isWsp, REASON, TOKEN } from "./char-classes.ts";
import { canonicalHeaderName } from "./header-names.ts";
import { extensionValueFault, isStructured, parseHeaderValue } from "./header-values.ts";
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

function scanVersion(c: Cursor): string {
  const start = c.i;
  const sip = c.token("SIP-Version");
  if (sip.toUpperCase() !== "SIP" || c.code() !== 47) c.fail('"SIP/" (SIP-Version)', start);
  c.i++;
  const major = c.digits("a version number");
  c.expect(".", '"." in the SIP version');
  return `SIP/${major}.${c.digits("a version number")}`;
}

function scanStartLine(line: string): StartLine {
  const c = new Cursor(line);
  const first = c.token("a method or SIP-Version");
  if (c.code() === 47 && first.toUpperCase() === "SIP") {
    c.i = 0;
    const version = scanVersion(c);
    c.expect(" ", "a single SP after the SIP version");
    const at = c.i;
    if (!(isDigit(c.code()) && isDigit(line.charCodeAt(at + 1)) && isDigit(line.charCodeAt(at + 2)))) {
      c.fail("a 3-digit status code");
    }
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
    return { kind: "response", version, status: Number(line.slice(at, at + 3)), reason: line.slice(from) };
  }
  c.expect(" ", "a single SP after the method");
  const uri = scanUri(c, false);
  c.expect(" ", "a single SP after the Request-URI");
  const version = scanVersion(c);
  c.end_("the end of the Request-Line (no trailing white space)");
  return { kind: "request", method: first, uri, version };
}

// Where each physical piece of a field's value starts (built only to locate a fault).
function partsOf(lines: string[], first: number, colon: number, next: number) {
  const ps = [{ line: first + 1, column: colon + 2, length: lines[first].length - colon - 1 }];
  for (let k = first + 1; k < next; k++) ps.push({ line: k + 1, column: 1, length: lines[k].length });
  return ps;
}

// Maps an offset in a field's unfolded value back to line:column of the raw message.
function locate(parts: Array<{ line: number; column: number; length: number }>, offset: number) {
  let rest = offset;
  for (const p of parts) {
    if (rest < p.length) return { line: p.line, column: p.column + rest };
    rest -= p.length;
  }
  const last = parts[parts.length - 1];
  return { line: last.line, column: last.column + last.length };
}

/**
 * Scans `head`: the start line through the empty line, CRLFs included (it must end in CRLF CRLF).
 * Never throws.
 */
export function parseHead(head: string, maxHeaders = DEFAULT_MAX_HEADERS): HeadResult {
  const lines = head.split("\r\n");
  // A bare CR or LF is nowhere allowed in a head.
  for (let n = 0; n < lines.length; n++) {
    const l = lines[n];
    if (l.indexOf("\r") !== -1 || l.indexOf("\n") !== -1) {
      return syntaxFault(n + 1, l.search(/[\r\n]/) + 1, "a bare CR or LF (lines end in CRLF)");
    }
  }
  if (lines.length < 3 || lines[lines.length - 1] !== "" || lines[lines.length - 2] !== "") {
    return {
      ok: false,
      fault: {
        layer: "framing",
        line: lines.length,
        column: 1,
        message: "no empty line ending the header fields",
        status: 400,
      },
    };
  }
  let start: StartLine;
  try {
    start = scanStartLine(lines[0]);
  } catch (e) {
    if (e instanceof ScanFault) return syntaxFault(1, e.offset + 1, `start line: expected ${e.expected}`);
    throw e;
  }
  const headers: SipHeader[] = [];
  const headerLines: number[] = [];
  const last = lines.length - 2; // index of the empty line
  let n = 1;
  while (n < last) {
    const line = lines[n];
    if (isWsp(line.charCodeAt(0))) {
      return syntaxFault(
        n + 1,
        1,
        n === 1 ? "white space at the start of a header line (the start line cannot be folded)" : "a header field name",
      );
    }
    if (headers.length >= maxHeaders) {
      return {
        ok: false,
        fault: { layer: "size", line: n + 1, column: 1, message: `more than ${maxHeaders} header fields`, status: 513 },
      };
    }
    let i = 0;
    while (i < line.length && is(line.charCodeAt(i), TOKEN)) i++;
    if (i === 0) return syntaxFault(n + 1, 1, "a header field name (token)");
    const written = line.slice(0, i);
    headerLines.push(n + 1);
    while (isWsp(line.charCodeAt(i))) i++;
    if (line.charCodeAt(i) !== 58)
      return syntaxFault(n + 1, i + 1, `":" after the header field name ${written}`, written);
    const firstLine = n;
    const colon = i;
    let raw = line.slice(i + 1);
    n++;
    while (n < last && isWsp(lines[n].charCodeAt(0))) {
      raw += lines[n];
      n++;
    }

    let a = 0;
    let b = raw.length;
    while (a < b && isWsp(raw.charCodeAt(a))) a++;
    while (b > a && isWsp(raw.charCodeAt(b - 1))) b--;
    const value = a === 0 && b === raw.length ? raw : raw.slice(a, b);
    const name = canonicalHeaderName(written);
    if (isStructured(name)) {
      const r = parseHeaderValue(name, value);
      if (!r.ok) {
        const at = locate(partsOf(lines, firstLine, colon, n), a + r.offset);
        return syntaxFault(at.line, at.column, `${name}: expected ${r.expected}`, name);
      }
      headers.push({ name, value, parsed: r.value });
    } else {
      const bad = extensionValueFault(value);
      if (bad !== -1) {
        const at = locate(partsOf(lines, firstLine, colon, n), a + bad);
        return syntaxFault(at.line, at.column, `${name}: a control character in the value`, name);
      }
      headers.push({ name, value });
    }
  }
  return { ok: true, start, headers, headerLines };
}
