// Header parameters: *(SEMI param) where some names have their own value syntax and the rest are generic-param
// (token [EQUAL gen-value], gen-value = token / host / quoted-string; RFC 3261 §25.1).
import { is, TOKEN } from "./char-classes.ts";
import { isIPv6address, scanHost } from "./host.ts";
import type { Param } from "./message.ts";
import type { Cursor } from "./scanner.ts";

/**
 * Scans the value of a parameter with its own syntax, after its name (as written: compare it with isNamed);
 * `undefined`: not one of those names.
 */
export type SpecificParam = (name: string, c: Cursor) => string | null | undefined;

export function genValue(c: Cursor): string {
  const ch = c.code();
  if (ch === 34) return c.quotedString();
  if (ch === 91) return scanHost(c);
  if (!is(ch, TOKEN)) c.fail("a token, IPv6 reference or quoted string");
  return c.token();
}

/** EQUAL, or a fault naming the parameter. */
export function equal(c: Cursor, name: string): void {
  if (!c.separator(61)) c.fail(`"=" after ${name}`);
}

export function scanParams(c: Cursor, specific?: SpecificParam): Param[] {
  const params: Param[] = [];
  while (c.separator(59)) {
    const name = c.token("a parameter name");
    let value = specific === undefined ? undefined : specific(name, c);
    if (value === undefined) value = c.separator(61) ? genValue(c) : null;
    params.push([name, value]);
  }
  return params;
}

/**
 * Parameters for the wire. A Via's received may be a bare IPv6 address (RFC 5118 §4.5), so `via` writes it as
 * is (it was read as an address); Reason text is always a quoted-string (RFC 3326); any other value is a token
 * or IPv6 reference as is, else quoted.
 */
export function formatParams(params: Param[], via = false): string {
  let out = "";
  for (const [n, v] of params) {
    if (v === null) out += `;${n}`;
    else {
      const lower = n.toLowerCase();
      if (via && lower === "received" && /^[0-9a-fA-F:.]+$/.test(v)) out += `;${n}=${v}`;
      else if (lower === "text") out += `;${n}=${quote(v)}`;
      else out += `;${n}=${formatGenValue(v)}`;
    }
  }
  return out;
}

const TOKEN_RE = /^[a-zA-Z0-9\-.!%*_+`'~]+$/;

/** A gen-value as written on the wire: a token or IPv6 reference as is, anything else quoted. */
export function formatGenValue(v: string): string {
  if (TOKEN_RE.test(v)) return v;
  if (v.startsWith("[") && v.endsWith("]") && isIPv6address(v.slice(1, -1))) return v;
  return quote(v);
}

export function quote(v: string): string {
  // quoted-pair for DQUOTE, "\\" and the control characters qdtext cannot hold (RFC 3261 §25.1)
  return `"${v.replace(/["\\\x00-\x08\x0b-\x1f\x7f]/g, (m) => `\\${m}`)}"`;
}
