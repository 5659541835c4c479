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

/** qdtext without LWS: %x21 / %x23-5B / %x5D-7E / UTF8-NONASCII. */
export function isQdtext(c: number): boolean {
  return c === 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e) || c >= 0x80;
}

/** TEXT-UTF8char: %x21-7E / UTF8-NONASCII. */
export function isTextChar(c: number): boolean {
  return (c >= 0x21 && c <= 0x7e) || c >= 0x80;
}
