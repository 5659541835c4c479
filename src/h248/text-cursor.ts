// Character-level reading of H.248 text (Annex B.2): white space and comments (LWSP), SafeChar words, quoted
// strings, punctuation. Every read consumes the white space after it, so callers never see LWSP.
import { describeFault, faultAt, type GrammarFault } from "../grammar/run-grammar.ts";
import { keywordAt } from "./tokens.ts";

/** A rejection by the hand-written decoder, in the same shape as the Annex B grammar's (src/grammar/). */
export class H248SyntaxError extends Error implements GrammarFault {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  readonly expected: string[];
  readonly found: string;
  constructor(fault: GrammarFault) {
    super(describeFault(fault));
    this.name = "H248SyntaxError";
    this.offset = fault.offset;
    this.line = fault.line;
    this.column = fault.column;
    this.expected = fault.expected;
    this.found = fault.found;
  }
}

// SafeChar (B.2): DIGIT / ALPHA / + - & ! _ / ' ? @ ^ ` ~ * $ \ ( ) % | .
const SAFE = new Uint8Array(128);
for (let c = 48; c <= 57; c++) SAFE[c] = 1;
for (let c = 65; c <= 90; c++) SAFE[c] = 1;
for (let c = 97; c <= 122; c++) SAFE[c] = 1;
for (const ch of "+-&!_/'?@^`~*$\\()%|.") SAFE[ch.charCodeAt(0)] = 1;

export function isSafeChar(c: number): boolean {
  return c < 128 && SAFE[c] === 1;
}

export function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** NAME = ALPHA *63(ALPHA / DIGIT / "_"). */
export function isName(s: string): boolean {
  if (s.length === 0 || s.length > 64 || !isAlpha(s.charCodeAt(0))) return false;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isAlpha(c) && !(c >= 48 && c <= 57) && c !== 95) return false;
  }
  return true;
}

/** pkgdName = (NAME / "*") "/" (NAME / "*"). */
export function isPkgdName(s: string): boolean {
  const slash = s.indexOf("/");
  if (slash <= 0) return false;
  const p = s.slice(0, slash);
  const i = s.slice(slash + 1);
  return (p === "*" || isName(p)) && (i === "*" || isName(i));
}

/** A parameter name inside events and signals: NAME, or a pkgdName. */
export function isParameterName(s: string): boolean {
  return isName(s) || isPkgdName(s);
}

const TERM = new Uint8Array(128); // 1: may start a TerminationID, 2: may follow
for (const ch of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_*$") TERM[ch.charCodeAt(0)] = 1;
for (const ch of "/@.-") TERM[ch.charCodeAt(0)] = 2;

// TerminationID (B.2 pathNAME, relaxed to let it start with a digit, as MGs name physical terminations
// 11111111/00000000/00000000): ROOT, "$", "*", or [ALPHA/DIGIT/_/*/$] *([ALPHA/DIGIT/_/*/$/"/"/@/./-]).
export function isTerminationId(s: string): boolean {
  if (s.length === 0 || s.length > 64) return false;
  const first = s.charCodeAt(0);
  if (first >= 128 || TERM[first] !== 1) return false;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TERM[c] === 0) return false;
  }
  return true;
}

/** What keyword() read: one object per cursor, overwritten by the next keyword() (decoding allocates less). */
export interface KeywordRead {
  word: string;
  keyword: string | undefined;
  at: number;
}

export class TextCursor {
  pos = 0;
  /** Embed descriptors open around the cursor (see decode-descriptors.ts embed) */
  embedDepth = 0;
  private lastHash = 0;
  private readonly read: KeywordRead = { word: "", keyword: undefined, at: 0 };
  constructor(readonly text: string) {}

  fail(expected: string, at = this.pos): never {
    throw new H248SyntaxError(faultAt(this.text, at, [expected]));
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): number {
    return this.pos < this.text.length ? this.text.charCodeAt(this.pos) : -1;
  }

  /** LWSP = *(WSP / COMMENT / EOL); COMMENT = ";" … EOL. */
  skipLwsp(): void {
    const t = this.text;
    let p = this.pos;
    while (p < t.length) {
      const c = t.charCodeAt(p);
      if (c === 32 || c === 9 || c === 13 || c === 10) p++;
      else if (c === 59) {
        while (p < t.length && t.charCodeAt(p) !== 10 && t.charCodeAt(p) !== 13) p++;
      } else break;
    }
    this.pos = p;
  }

  /** A run of SafeChar (a token, a NAME, a VALUE, a TerminationID …), then LWSP. */
  word(expected: string): string {
    const t = this.text;
    const start = this.pos;
    let p = start;
    let h = 0;
    while (p < t.length) {
      let c = t.charCodeAt(p);
      if (c >= 128 || SAFE[c] !== 1) break;
      if (c >= 97 && c <= 122) c -= 32;
      h = (Math.imul(h, 31) + c) | 0;
      p++;
    }
    if (p === start) this.fail(expected);
    this.lastHash = h;
    this.pos = p;
    this.skipLwsp();
    return t.slice(start, p);
  }

  /** Reads a word and names the keyword it spells (long form), or undefined. The result is reused. */
  keyword(expected: string): KeywordRead {
    const at = this.pos;
    const word = this.word(expected);
    const r = this.read;
    r.word = word;
    r.at = at;
    r.keyword = word.length > 22 ? undefined : keywordAt(this.text, at, at + word.length, this.lastHash);
    return r;
  }

  /** Consumes `ch` (and LWSP after it) if it is next. */
  eat(ch: number): boolean {
    if (this.pos < this.text.length && this.text.charCodeAt(this.pos) === ch) {
      this.pos++;
      this.skipLwsp();
      return true;
    }
    return false;
  }

  expect(ch: number): void {
    if (!this.eat(ch)) this.fail(JSON.stringify(String.fromCharCode(ch)));
  }

  /** UINT32 as one word of digits. */
  uint(expected: string): number {
    const t = this.text;
    const at = this.pos;
    let p = at;
    let n = 0;
    while (p < t.length) {
      const c = t.charCodeAt(p);
      if (c < 48 || c > 57) break;
      n = n * 10 + (c - 48);
      p++;
    }
    // a digit run must end the word: "12ab" is no number
    if (p === at || p - at > 10 || n > 0xffffffff || (p < t.length && isSafeChar(t.charCodeAt(p))))
      this.fail(expected, at);
    this.pos = p;
    this.skipLwsp();
    return n;
  }

  /** quotedString = DQUOTE *(SafeChar / RestChar / WSP) DQUOTE (no CR/LF inside). */
  quoted(): string {
    const t = this.text;
    const start = this.pos + 1;
    let p = start;
    while (p < t.length) {
      const c = t.charCodeAt(p);
      if (c === 34) break;
      if (c === 10 || c === 13) this.fail('a closing "', p);
      p++;
    }
    if (p >= t.length) this.fail('a closing "', p);
    this.pos = p + 1;
    this.skipLwsp();
    return t.slice(start, p);
  }

  /** VALUE = quotedString / 1*(SafeChar). */
  value(): string {
    if (this.peek() === 34) return this.quoted();
    return this.word("a VALUE");
  }
}
