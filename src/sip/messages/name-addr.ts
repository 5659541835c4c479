// name-addr / addr-spec (RFC 3261 §25.1) with the header parameters that follow: From, To, Contact, Route,
// Record-Route. A display name is unquoted; token display names are joined by single spaces.
import { is, TOKEN } from "./char-classes.ts";
import type { NameAddr } from "./message.ts";
import { formatParams, quote, type SpecificParam, scanParams } from "./params.ts";
import type { Cursor } from "./scanner.ts";
import { formatUri, scanUri } from "./uri.ts";

const SCHEME_RE = /^[a-zA-Z][a-zA-Z0-9+\-.]*$/;

/**
 * Scans name-addr, or (when `bareAllowed`) an addr-spec outside <>, then its header parameters (`specific`: the
 * names with their own syntax). Built as one object literal, so every NameAddr has one shape and no copy is made.
 */
export function scanNameAddr(c: Cursor, bareAllowed: boolean, specific?: SpecificParam): NameAddr {
  const ch = c.code();
  let displayName: string | null = null;
  if (ch === 34) {
    displayName = c.quotedString();
    c.sws();
    c.expect("<", '"<" after the display name');
  } else if (ch === 60) {
    c.i++;
  } else {
    const start = c.i;
    const first = c.token('a display name, "<" or a URI');
    if (bareAllowed && c.code() === 58 && SCHEME_RE.test(first)) {
      c.i = start;
      const uri = scanUri(c, true);
      return { displayName: null, uri, params: scanParams(c, specific) };
    }
    const words = [first];
    for (;;) {
      const spaces = c.sws();
      if (c.code() === 60) break;
      if (spaces === 0 || !is(c.code(), TOKEN)) c.fail('"<" (a display name with "," or ":" must be quoted)');
      words.push(c.token());
    }
    displayName = words.join(" ");
    c.i++;
  }
  const uri = scanUri(c, false);
  c.expect(">", '">" closing the name-addr');
  return { displayName, uri, params: scanParams(c, specific) };
}

/** The wire form: always name-addr with <>, so any URI (with parameters or headers) keeps its meaning. */
export function formatNameAddr(v: NameAddr): string {
  const dn = v.displayName === null ? "" : `${quote(v.displayName)} `;
  return `${dn}<${formatUri(v.uri)}>${formatParams(v.params)}`;
}
