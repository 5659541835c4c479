// Character classes of the RFC 3261 §25.1 ABNF as bit sets over ASCII, for the scanner. Characters from U+0080 up
// (UTF8-NONASCII once the head is decoded) belong only to the classes that say so (TEXT, QDTEXT, REASON).

export const ALNUM = 1 << 0;
export const TOKEN = 1 << 1; // token
export const UNRESERVED = 1 << 2; // alphanum / mark
export const USER = 1 << 3; // user-unreserved and unreserved (escaped handled apart)
export const PASSWORD = 1 << 4;
export const BARE_USER = 1 << 5; // user chars allowed outside <> (no "," ";" "?", RFC 3261 §20.10)
export const BARE_PASSWORD = 1 << 6;
export const PARAMCHAR = 1 << 7;
export const HNV = 1 << 8;
export const URIC = 1 << 9; // reserved / unreserved
export const BARE_URIC = 1 << 10;
export const WORD = 1 << 11; // Call-ID word
export const TEL = 1 << 12; // tel number characters
export const SCHEME = 1 << 13; // scheme characters after the first
export const HOST = 1 << 14; // hostname / IPv4 characters
export const HEX = 1 << 15;
export const REASON = 1 << 16; // Reason-Phrase: reserved / unreserved (escaped, SP, HTAB, non-ASCII apart)
export const QDTEXT_LWS = 1 << 17; // qdtext with SP and HTAB (LWS once unfolded); non-ASCII apart
// What may come before the "@" of a SIP URI's userinfo, inside <> or as a Request-URI (FULL) and outside
// (BARE): the user, password, host, parameter and header characters, "%", ":", "[" and "]" (see uri.ts).
export const FULL_REGION = 1 << 18;
export const BARE_REGION = 1 << 19;

/** The class bits of each ASCII code (hot loops index it directly). */
export const table = new Uint32Array(128);

function add(cls: number, chars: string): void {
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] |= cls;
}

const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const mark = "-_.!~*'()";
const unreserved = alnum + mark;
const reserved = ";/?:@&=+$,";
add(ALNUM, alnum);
add(TOKEN, alnum + "-.!%*_+`'~");
add(UNRESERVED, unreserved);
add(USER, unreserved + "&=+$,;?/");
add(PASSWORD, unreserved + "&=+$,");
add(BARE_USER, unreserved + "&=+$/");
add(BARE_PASSWORD, unreserved + "&=+$");
add(PARAMCHAR, unreserved + "[]/:&+$");
add(HNV, unreserved + "[]/?:+$");
add(URIC, unreserved + reserved);
add(BARE_URIC, unreserved + "/:@&=+$");
add(WORD, alnum + "-.!%*_+`'~()<>:\\\"/[]?{}");
add(TEL, "0123456789abcdefABCDEF*#+-.()");
add(SCHEME, alnum + "+-.");
add(HOST, alnum + "-.");
add(HEX, "0123456789abcdefABCDEF");
add(REASON, unreserved + reserved);
for (let c = 0x20; c <= 0x7e; c++) if (c !== 0x22 && c !== 0x5c) table[c] |= QDTEXT_LWS;
table[9] |= QDTEXT_LWS;
for (let c = 0; c < 128; c++) {
  const t = table[c];
  const extra = c === 37 || c === 58 || c === 91 || c === 93;
  if (extra || (t & (USER | PASSWORD | PARAMCHAR | HNV | URIC | HOST)) !== 0) table[c] |= FULL_REGION;
  if (extra || (t & (BARE_USER | BARE_PASSWORD | HOST)) !== 0) table[c] |= BARE_REGION;
}

/** Whether the character code c belongs to class cls (ASCII only). */
export function is(c: number, cls: number): boolean {
  return c < 128 && (table[c] & cls) !== 0;
}

export function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isWsp(c: number): boolean {
  return c === 32 || c === 9;
}

/**
 * Whether the token `name` is `lower` (a lower-case name of letters, digits and "-") in any case. OR-ing 0x20
 * lower-cases a letter and leaves "-" and digits as they are; no other token character maps onto one of those.
 */
export function isNamed(name: string, lower: string): boolean {
  if (name.length !== lower.length) return false;
  for (let k = 0; k < lower.length; k++) if ((name.charCodeAt(k) | 0x20) !== lower.charCodeAt(k)) return false;
  return true;
}

// Tokens are ASCII, and most are written in the case compared with: this returns the string itself then,
// saving the copy toUpperCase would make.
export function upperAscii(s: string): string {
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c >= 97 && c <= 122) return s.toUpperCase();
  }
  return s;
}

/** TEXT-UTF8char: %x21-7E / UTF8-NONASCII. */
export function isTextChar(c: number): boolean {
  return (c >= 0x21 && c <= 0x7e) || c >= 0x80;
}
