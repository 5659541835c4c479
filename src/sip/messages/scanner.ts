// The cursor the hand-written scanner reads a header value or start line with. Faults carry the offset in the
// value being scanned; parse-head.ts maps them back to line:column of the raw message.
import { HEX, is, QDTEXT_LWS, TOKEN, table } from "./char-classes.ts";

export class ScanFault extends Error {
  constructor(
    readonly offset: number,
    readonly expected: string,
  ) {
    super(`expected ${expected}`);
  }
}

/**
 * Reads s[from, end): a whole value, or (the parser's case) one field's value where it stands in the message
 * head, so that no value is copied to be scanned and every loop reads the flat head string (reading through a
 * sliced string costs a further indirection per character). Offsets in faults count from `from`.
 */
export class Cursor {
  s: string;
  i: number;
  end: number;
  base: number;

  constructor(s: string, from = 0, end = s.length) {
    this.s = s;
    this.i = from;
    this.end = end;
    this.base = from;
  }

  /** Points the cursor at s[from, end) (one cursor serves every field of a message). */
  reset(s: string, from: number, end: number): void {
    this.s = s;
    this.i = from;
    this.end = end;
    this.base = from;
  }

  /** The text being read (a copy: for the few values returned whole). */
  text(): string {
    return this.s.slice(this.base, this.end);
  }

  atEnd(): boolean {
    return this.i >= this.end;
  }

  code(): number {
    return this.i < this.end ? this.s.charCodeAt(this.i) : -1;
  }

  /** `at` is a position in s, like i. */
  fail(expected: string, at = this.i): never {
    throw new ScanFault(at - this.base, expected);
  }

  expect(ch: string, what: string): void {
    if (this.i >= this.end || this.s.charCodeAt(this.i) !== ch.charCodeAt(0)) this.fail(what);
    this.i++;
  }

  /** Skips white space (SWS once unfolded); returns how many characters were skipped. */
  sws(): number {
    const s = this.s;
    const end = this.end;
    const start = this.i;
    let i = start;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c !== 32 && c !== 9) break;
      i++;
    }
    this.i = i;
    return i - start;
  }

  /** LWS: at least one white space character. */
  lws(): void {
    if (this.sws() === 0) this.fail("white space");
  }

  /** SWS c SWS (SEMI, COMMA, EQUAL, SLASH, COLON): consumes it and returns true, or leaves the cursor as it was. */
  separator(ch: number): boolean {
    const s = this.s;
    const i = this.i;
    const c = i < this.end ? s.charCodeAt(i) : -1;
    // the usual cases, without white space: ch itself, or anything else
    if (c === ch) {
      this.i = i + 1;
      this.sws();
      return true;
    }
    if (c !== 32 && c !== 9) return false;
    this.sws();
    if (this.code() === ch) {
      this.i++;
      this.sws();
      return true;
    }
    this.i = i;
    return false;
  }

  /** Consumes characters of class cls and escapes when allowed; returns the text (may be empty). */
  run(cls: number, escapes: boolean): string {
    const s = this.s;
    const n = this.end;
    const start = this.i;
    let i = start;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c < 128 && (table[c] & cls) !== 0) i++;
      else if (escapes && c === 37) {
        if (i + 2 >= n || !is(s.charCodeAt(i + 1), HEX) || !is(s.charCodeAt(i + 2), HEX))
          this.fail("two hex digits after % (escaped)", i + 1);
        i += 3;
      } else break;
    }
    this.i = i;
    return s.slice(start, i);
  }

  /** Skips characters of class cls (no escapes), where the text is not wanted. */
  skip(cls: number): void {
    const s = this.s;
    const n = this.end;
    let i = this.i;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c < 128 && (table[c] & cls) !== 0) i++;
      else break;
    }
    this.i = i;
  }

  /** One or more characters of class cls. */
  run1(cls: number, escapes: boolean, what: string): string {
    const v = this.run(cls, escapes);
    if (v.length === 0) this.fail(what);
    return v;
  }

  token(what = "a token"): string {
    return this.run1(TOKEN, false, what);
  }

  digits(what = "a digit"): string {
    const s = this.s;
    const end = this.end;
    const start = this.i;
    let i = start;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      i++;
    }
    if (i === start) this.fail(what);
    this.i = i;
    return s.slice(start, i);
  }

  /** 1*DIGIT as a number: Number(digits(what)), computed in the scan when exact (up to 15 digits). */
  number(what: string): number {
    const s = this.s;
    const end = this.end;
    const start = this.i;
    let i = start;
    let v = 0;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
      i++;
    }
    if (i === start) this.fail(what);
    this.i = i;
    return i - start <= 15 ? v : Number(s.slice(start, i));
  }

  /** quoted-string after its SWS: DQUOTE *(qdtext / LWS / quoted-pair) DQUOTE; returns the content unquoted. */
  quotedString(): string {
    this.expect('"', "a quoted string");
    const s = this.s;
    let out = "";
    let i = this.i;
    let from = i;
    const end = this.end;
    for (;;) {
      if (i >= end) this.fail("closing quote (DQUOTE)", i);
      const c = s.charCodeAt(i);
      if (c === 34) {
        this.i = i + 1;
        return out + s.slice(from, i);
      }
      if (c === 92) {
        const n = i + 1 < end ? s.charCodeAt(i + 1) : -1;
        if (!(n >= 0 && n <= 0x7f && n !== 0x0a && n !== 0x0d)) this.fail("a character after \\ (quoted-pair)", i + 1);
        out += s.slice(from, i) + s[i + 1];
        i += 2;
        from = i;
      } else if (c < 128 ? (table[c] & QDTEXT_LWS) !== 0 : true) i++;
      else this.fail("qdtext, white space or quoted-pair", i);
    }
  }

  /** Requires the end of the text (trailing white space was trimmed before scanning). */
  end_(what: string): void {
    if (this.i < this.end) this.fail(what);
  }
}
