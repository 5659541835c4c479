// SIP, SIPS and tel URIs and other absolute URIs (RFC 3261 §19.1, §25.1; RFC 3966 simplified): scanning and
// formatting. Inside <> (or as a Request-URI) a URI may carry parameters and headers; outside <> it may not
// (RFC 3261 §20.10), so a ";" after it starts a header parameter.
import {
  BARE_PASSWORD,
  BARE_URIC,
  BARE_USER,
  HNV,
  HOST,
  is,
  isAlpha,
  PARAMCHAR,
  PASSWORD,
  SCHEME,
  TEL,
  URIC,
  USER,
} from "./char-classes.ts";
import { scanHost } from "./host.ts";
import type { Param, SipUri, TelUri, Uri } from "./message.ts";
import { Cursor, ScanFault } from "./scanner.ts";

const FULL_REGION = USER | PASSWORD | PARAMCHAR | HNV | URIC | HOST;
const BARE_REGION = BARE_USER | BARE_PASSWORD | HOST;

// "@" only ever appears in the userinfo, so a URI has a userinfo exactly when an "@" comes before its end.
function hasUserinfo(c: Cursor, bare: boolean): boolean {
  const s = c.s;
  const cls = bare ? BARE_REGION : FULL_REGION;
  for (let j = c.i; j < s.length; j++) {
    const ch = s.charCodeAt(j);
    if (ch === 64) return true;
    if (!(is(ch, cls) || ch === 37 || ch === 58 || ch === 91 || ch === 93)) return false;
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
    port = Number(c.digits("a port number"));
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

/** Scans a URI at the cursor. `bare`: an addr-spec outside <> (no parameters, headers, "," or "?"). */
export function scanUri(c: Cursor, bare: boolean): Uri {
  const start = c.i;
  if (!isAlpha(c.code())) c.fail("a URI scheme");
  c.i++;
  c.run(SCHEME, false);
  const scheme = c.s.slice(start, c.i).toLowerCase();
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
    if (s.port !== null) out += `:${s.port}`;
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
  for (const [n, v] of params) if (n.toLowerCase() === lower) return v;
  return undefined;
}
