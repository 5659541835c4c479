// The cursor the hand-written scanner reads a header value or start line with. Faults carry the offset in the
// text being scanned; parse-message.ts maps them back to line:column of the raw message.
import { HEX, is, isQdtext, TOKEN, table } from "./char-classes.ts";

export class ScanFault extends Error {
  constructor(
    readonly offset: number,
    readonly expected: string,
  ) {
    super(`expected ${expected}`);
  }
}

export class Cursor {
  i = 0;
  constructor(readonly s: string) {}

  get end(): number {
    return this.s.length;
  }

  atEnd(): boolean {
    return this.i >= this.s.length;
  }

  code(): number {
    return this.i < this.s.length ? this.s.charCodeAt(this.i) : -1;
  }

  fail(expected: string, at = this.i): never {
    throw new ScanFault(at, expected);
  }

  expect(ch: string, what = JSON.stringify(ch)): void {
    if (this.s[this.i] !== ch) this.fail(what);
    this.i++;
  }

  /** Skips white space (SWS once unfolded); returns how many characters were skipped. */
  sws(): number {
    const s = this.s;
    const start = this.i;
    let i = start;
    for (let c = s.charCodeAt(i); c === 32 || c === 9; c = s.charCodeAt(i)) i++;
    this.i = i;
    return i - start;
  }

  /** LWS: at least one white space character. */
  lws(): void {
    if (this.sws() === 0) this.fail("white space");
  }

  /** SWS c SWS (SEMI, COMMA, EQUAL, SLASH, COLON): consumes it and returns true, or leaves the cursor as it was. */
  separator(ch: number): boolean {
    const save = this.i;
    this.sws();
    if (this.code() === ch) {
      this.i++;
      this.sws();
      return true;
    }
    this.i = save;
    return false;
  }

  /** Consumes characters of class cls and escapes when allowed; returns the text (may be empty). */
  run(cls: number, escapes: boolean): string {
    const s = this.s;
    const n = s.length;
    const start = this.i;
    let i = start;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c < 128 && (table[c] & cls) !== 0) i++;
      else if (escapes && c === 37) {
        if (!is(s.charCodeAt(i + 1), HEX) || !is(s.charCodeAt(i + 2), HEX))
          this.fail("two hex digits after % (escaped)", i + 1);
        i += 3;
      } else break;
    }
    this.i = i;
    return s.slice(start, i);
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
    const start = this.i;
    let i = start;
    for (let c = s.charCodeAt(i); c >= 48 && c <= 57; c = s.charCodeAt(i)) i++;
    if (i === start) this.fail(what);
    this.i = i;
    return s.slice(start, i);
  }

  /** quoted-string after its SWS: DQUOTE *(qdtext / LWS / quoted-pair) DQUOTE; returns the content unquoted. */
  quotedString(): string {
    this.expect('"', "a quoted string");
    const s = this.s;
    let out = "";
    let i = this.i;
    let from = i;
    for (;;) {
      if (i >= s.length) this.fail("closing quote (DQUOTE)", i);
      const c = s.charCodeAt(i);
      if (c === 34) {
        this.i = i + 1;
        return out + s.slice(from, i);
      }
      if (c === 92) {
        const n = s.charCodeAt(i + 1);
        if (!(n >= 0 && n <= 0x7f && n !== 0x0a && n !== 0x0d)) this.fail("a character after \\ (quoted-pair)", i + 1);
        out += s.slice(from, i) + s[i + 1];
        i += 2;
        from = i;
      } else if (isQdtext(c) || c === 32 || c === 9) i++;
      else this.fail("qdtext, white space or quoted-pair", i);
    }
  }

  /** Requires the end of the text (trailing white space was trimmed before scanning). */
  end_(what: string): void {
    if (this.i < this.s.length) this.fail(what);
  }
}
