// Header field names: compact forms (RFC 3261 §7.3.3 and the extensions that registered one) and the canonical
// spelling of well-known names. Names are case-insensitive (§7.3.1); a message keeps the canonical spelling.

const COMPACT: Record<string, string> = {
  a: "Accept-Contact",
  b: "Referred-By",
  c: "Content-Type",
  d: "Request-Disposition",
  e: "Content-Encoding",
  f: "From",
  i: "Call-ID",
  j: "Reject-Contact",
  k: "Supported",
  l: "Content-Length",
  m: "Contact",
  n: "Identity-Info",
  o: "Event",
  r: "Refer-To",
  s: "Subject",
  t: "To",
  u: "Allow-Events",
  v: "Via",
  x: "Session-Expires",
  y: "Identity",
};

const WELL_KNOWN = [
  "Accept",
  "Accept-Contact",
  "Accept-Encoding",
  "Accept-Language",
  "Alert-Info",
  "Allow",
  "Allow-Events",
  "Authentication-Info",
  "Authorization",
  "Call-ID",
  "Call-Info",
  "Contact",
  "Content-Disposition",
  "Content-Encoding",
  "Content-Language",
  "Content-Length",
  "Content-Type",
  "CSeq",
  "Date",
  "Error-Info",
  "Event",
  "Expires",
  "From",
  "Identity",
  "Identity-Info",
  "In-Reply-To",
  "Max-Forwards",
  "Min-Expires",
  "Min-SE",
  "MIME-Version",
  "Organization",
  "P-Asserted-Identity",
  "P-Associated-URI",
  "P-Called-Party-ID",
  "P-Charging-Vector",
  "Path",
  "Priority",
  "Proxy-Authenticate",
  "Proxy-Authorization",
  "Proxy-Require",
  "RAck",
  "Reason",
  "Record-Route",
  "Refer-To",
  "Referred-By",
  "Reject-Contact",
  "Reply-To",
  "Request-Disposition",
  "Require",
  "Retry-After",
  "Route",
  "RSeq",
  "Server",
  "Service-Route",
  "Session-Expires",
  "Subject",
  "Supported",
  "Timestamp",
  "To",
  "Unsupported",
  "User-Agent",
  "Via",
  "Warning",
  "WWW-Authenticate",
];

const CANONICAL = new Map<string, string>();
for (const n of WELL_KNOWN) CANONICAL.set(n.toLowerCase(), n);
for (const [k, v] of Object.entries(COMPACT)) CANONICAL.set(k, v);

// Names as commonly written map without lower-casing (the hot path).
const EXACT = new Map<string, string>();
for (const n of WELL_KNOWN) EXACT.set(n, n);
for (const [k, v] of Object.entries(COMPACT)) {
  EXACT.set(k, v);
  EXACT.set(k.toUpperCase(), v);
}

/** The canonical spelling of a header name: compact forms expanded, well-known names in their usual case. */
export function canonicalHeaderName(name: string): string {
  return EXACT.get(name) ?? CANONICAL.get(name.toLowerCase()) ?? name;
}

/** The well-known names, canonical; a name's index here is its id (for tables kept beside this one). */
export const WELL_KNOWN_NAMES: readonly string[] = WELL_KNOWN;

// The exact spellings by length and first character, with the id of the name each spells, so that the parser can
// match a name where it stands in the head: only names of a likely shape are sliced, none is hashed, and (when
// the ":" follows at once) the token needs no scan of its own.
const MAX_EXACT = 32;
const SPELLINGS: Array<string[] | undefined> = new Array(MAX_EXACT * 128);
const IDS: Array<number[] | undefined> = new Array(MAX_EXACT * 128);
for (const [written, canonical] of EXACT) {
  const key = written.length * 128 + written.charCodeAt(0);
  const spellings = SPELLINGS[key] ?? [];
  const ids = IDS[key] ?? [];
  spellings.push(written);
  ids.push(WELL_KNOWN.indexOf(canonical));
  SPELLINGS[key] = spellings;
  IDS[key] = ids;
}

/** The id of the well-known name spelled as usual (a key of EXACT) by s.slice(from, to), or -1. */
export function usualNameIdAt(s: string, from: number, to: number): number {
  const length = to - from;
  if (length >= MAX_EXACT) return -1;
  const first = s.charCodeAt(from);
  if (first >= 128) return -1;
  const key = length * 128 + first;
  const spellings = SPELLINGS[key];
  if (spellings === undefined) return -1;
  // One slice compared natively beats comparing character by character in script.
  const written = s.slice(from, to);
  for (let k = 0; k < spellings.length; k++) if (spellings[k] === written) return IDS[key]![k];
  return -1;
}

/** canonicalHeaderName of a name known not to be spelled as usual (usualNameIdAt gave -1). */
export function unusualHeaderName(name: string): string {
  return CANONICAL.get(name.toLowerCase()) ?? name;
}
