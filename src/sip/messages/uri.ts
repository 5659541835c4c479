// SIP, SIPS and tel URIs and other absolute URIs (RFC 3261 §19.1, §25.1; RFC 3966 simplified): scanning and
// formatting. Inside <> (or as a Request-URI) a URI may carry parameters and headers; outside <> it may not
// (RFC 3261 §20.10), so a ";" after it starts a header parameter.
import {
  BARE_PASSWORD,
  BARE_REGION,
  BARE_URIC,
  BARE_USER,
  FULL_REGION,
  HNV,
  isAlpha,
  PARAMCHAR,
  PASSWORD,
  SCHEME,
  TEL,
  table,
  URIC,
  USER,
} from "./char-classes.ts";
import { decimal } from "./decimal.ts";
import { scanHost } from "./host.ts";
import type { Param, SipUri, TelUri, Uri } from "./message.ts";
import { Cursor, ScanFault } from "./scanner.ts";

// "@" only ever appears in the userinfo, so a URI has a userinfo exactly when an "@" comes before its end.
function hasUserinfo(c: Cursor, bare: boolean): boolean {
  const s = c.s;
  const cls = bare ? BARE_REGION : FULL_REGION;
  const end = c.end;
  for (let j = c.i; j < end; j++) {
    const ch = s.charCodeAt(j);
    if (ch === 64) return true;
    if (ch >= 128 || (table[ch] & cls) === 0) return false;
  }
  return false;
}

function scanUriParams(c: Cursor): Param[] {
  const params: Param[] = [];
  while (c.code() === 59) {
    c.i++;
    const name = c.run1(PARAMCHAR, true, "a URI parameter name");
    let value: string | null = null;
    if (c.code() === 61) {
      c.i++;
      value = c.run1(PARAMCHAR, true, "a URI parameter value");
    }
    params.push([name, value]);
  }
  return params;
}

function scanSipUri(c: Cursor, scheme: "sip" | "sips", bare: boolean): SipUri {
  let user: string | null = null;
  let password: string | null = null;
  if (hasUserinfo(c, bare)) {
    user = c.run1(bare ? BARE_USER : USER, true, "a user part");
    if (c.code() === 58) {
      c.i++;
      password = c.run(bare ? BARE_PASSWORD : PASSWORD, true);
    }
    c.expect("@", '"@" ending the userinfo');
  }
  const host = scanHost(c);
  let port: number | null = null;
  if (c.code() === 58) {
    c.i++;
    port = c.number("a port number");
  }
  if (bare) return { scheme, user, password, host, port, params: [], headers: [] };
  const params = scanUriParams(c);
  const headers: Array<[string, string]> = [];
  if (c.code() === 63) {
    do {
      c.i++;
      const name = c.run1(HNV, true, "a URI header name");
      c.expect("=", '"=" in a URI header');
      headers.push([name, c.run(HNV, true)]);
    } while (c.code() === 38);
  }
  return { scheme, user, password, host, port, params, headers };
}

function scanTelUri(c: Cursor, bare: boolean): TelUri {
  const number = c.run1(TEL, false, "a telephone number");
  return { scheme: "tel", number, params: bare ? [] : scanUriParams(c) };
}

// The scheme lower-cased; "sip", "sips" and "tel" (nearly every URI) are recognised without a copy.
function schemeOf(s: string, from: number, to: number): string {
  const length = to - from;
  if (length === 3 || length === 4) {
    const a = s.charCodeAt(from) | 0x20;
    const b = s.charCodeAt(from + 1) | 0x20;
    const c = s.charCodeAt(from + 2) | 0x20;
    if (a === 115 && b === 105 && c === 112) {
      if (length === 3) return "sip";
      if ((s.charCodeAt(from + 3) | 0x20) === 115) return "sips";
    } else if (length === 3 && a === 116 && b === 101 && c === 108) return "tel";
  }
  return s.slice(from, to).toLowerCase();
}

/** Scans a URI at the cursor. `bare`: an addr-spec outside <> (no parameters, headers, "," or "?"). */
export function scanUri(c: Cursor, bare: boolean): Uri {
  const start = c.i;
  if (!isAlpha(c.code())) c.fail("a URI scheme");
  c.i++;
  c.skip(SCHEME);
  const scheme = schemeOf(c.s, start, c.i);
  c.expect(":", '":" after the URI scheme');
  if (scheme === "sip" || scheme === "sips") return scanSipUri(c, scheme, bare);
  if (scheme === "tel") return scanTelUri(c, bare);
  return { scheme, value: c.run1(bare ? BARE_URIC : URIC, true, "URI characters") };
}

export type UriResult = { ok: true; uri: Uri } | { ok: false; offset: number; expected: string };

/** Parses a whole string as a URI (as it may appear inside <> or as a Request-URI). */
export function parseUri(text: string): UriResult {
  const c = new Cursor(text);
  try {
    const uri = scanUri(c, false);
    c.end_("the end of the URI");
    return { ok: true, uri };
  } catch (e) {
    if (e instanceof ScanFault) return { ok: false, offset: e.offset, expected: e.expected };
    throw e;
  }
}

function formatParams(params: Param[]): string {
  let out = "";
  for (const [n, v] of params) out += v === null ? `;${n}` : `;${n}=${v}`;
  return out;
}

export function formatUri(u: Uri): string {
  if (u.scheme === "sip" || u.scheme === "sips") {
    const s = u as SipUri;
    let out = `${s.scheme}:`;
    if (s.user !== null) out += s.password !== null ? `${s.user}:${s.password}@` : `${s.user}@`;
    out += s.host;
    if (s.port !== null) out += `:${decimal(s.port)}`;
    out += formatParams(s.params);
    if (s.headers.length > 0) out += `?${s.headers.map(([n, v]) => `${n}=${v}`).join("&")}`;
    return out;
  }
  if (u.scheme === "tel") return `tel:${(u as TelUri).number}${formatParams((u as TelUri).params)}`;
  return `${u.scheme}:${(u as { value: string }).value}`;
}

/** A URI parameter by name (case-insensitive): its value, null when present without value, undefined if absent. */
export function uriParam(u: Uri, name: string): string | null | undefined {
  if (!("params" in u)) return undefined;
  return paramOf(u.params, name);
}

/** A parameter by name (case-insensitive): its value, null when present without value, undefined if absent. */
export function paramOf(params: Param[], name: string): string | null | undefined {
  const lower = name.toLowerCase();
  for (let k = 0; k < params.length; k++) {
    const n = params[k][0];
    // names are mostly written as asked for: an exact match needs no lower-cased copy
    if (n === lower || n.toLowerCase() === lower) return params[k][1];
  }
  return undefined;
}

/** A Via's sent-by as a SIP URI (host and port only): to ask "is this hop one of ours?" like any other URI. */
export function sentByUri(via: { host: string; port: number | null }): SipUri {
  return { scheme: "sip", user: null, password: null, host: via.host, port: via.port, params: [], headers: [] };
}
