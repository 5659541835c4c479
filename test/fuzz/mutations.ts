// Mutations of a message's octets for the codec fuzzer: byte flips, insertions (punctuation of both codecs, NUL,
// high and multi-byte octets, CR/LF), deletions, truncations, duplicated lines (past the header limit), long values
// (up to 64 KiB), many parameters, deep brackets and long digit runs. A plan is drawn by fast-check (so a run is
// reproducible from its seed) and applied by plain code (so a million cost little).
import fc from "fast-check";
import { HEAD_PUNCTUATION } from "../sip/head-arbitraries.ts";

export type MutationOp =
  | "flip"
  | "insert"
  | "delete"
  | "truncate"
  | "crlf"
  | "duplicate-line"
  | "long-value"
  | "many-params"
  | "nest"
  | "digits"
  | "param"
  | "splice";

export interface Mutation {
  op: MutationOp;
  /** where (modulo the length) */
  at: number;
  /** how much (each op reads it its own way) */
  size: number;
  /** which (byte, dictionary entry, bracket pair …) */
  pick: number;
}

const OPS: readonly MutationOp[] = [
  "flip",
  "flip",
  "insert",
  "insert",
  "insert",
  "delete",
  "delete",
  "truncate",
  "crlf",
  "crlf",
  "duplicate-line",
  "long-value",
  "many-params",
  "nest",
  "digits",
  "param",
  "param",
  "splice",
];

const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom(...OPS),
  at: fc.nat(),
  size: fc.nat(),
  pick: fc.nat(),
});

export const mutationPlan: fc.Arbitrary<Mutation[]> = fc.array(mutation, { minLength: 1, maxLength: 4 });

// Pieces of both grammars and the octets that break them.
const DICTIONARY = [
  ...HEAD_PUNCTUATION,
  "%4",
  "%zz",
  "&",
  "{",
  "}",
  "*",
  "#",
  "$",
  "-",
  "\0",
  "\x7f",
  "\u00e9",
  "\u4e2d",
  "\ufffd",
  "\u2028",
  "\ud83d\ude00",
  "SIP/2.0",
  "sip:",
  "sips:",
  "tel:",
  "urn:x",
  "[::1]",
  "[::ffff:1.2.3.4]",
  "1.2.3.4",
  "\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1",
  "\r\nContent-Length: 10",
  "\r\nl: 99999999999999999999999",
  "\r\nCSeq: 2147483648 INVITE",
  "\r\nMax-Forwards: 256",
  ";branch=",
  ";received=",
  ";tag=",
  ';x="[a]"',
  ';received="1:2"',
  ";rport",
  ";ttl=1234",
  ";q=1.5",
  "Embed{",
  "Events=1{",
  "Signals{",
  "Context=",
  "Transaction=",
  "Reply=",
  "!/1 ",
  "MEGACO/3 ",
  "4294967295",
  "4294967296",
  "Local{",
  "\\}",
].map((s) => Buffer.from(s, "utf8"));

// Parameters with values at the edges of what each header takes, appended to a line.
const PARAMS = [
  ';x="[zz]"',
  ";x=[::1]",
  ';x="[::1]"',
  ';received="1:2"',
  ";received=::",
  ";received=[::ffff:1.2.3.4]",
  ';x="a\\"b"',
  ';x="\\\x7f"',
  ';x=""',
  ';x="\u00e9 ,;"',
  ";maddr=[::1]",
  ";maddr=a.b.",
  ";ttl=0",
  ";rport=0000",
  ";rport",
  ";branch=z9hG4bK",
  ";tag=",
  ";TAG=T",
  ";q=1.000",
  ";q=0.",
  ";expires=99999999999999999999999",
  ';text="a\\"b"',
  ";cause=99999999999999999999999",
  ";refresher=UAS",
  ";lr",
  ";x=%41",
  ":99999999999999999999999",
  ";x=a, <sip:b@c>",
].map((s) => Buffer.from(s, "utf8"));

const CRLFS = ["\r", "\n", "\r\n", "\r\n\r\n", "\r\n ", "\n\r", "\r\r\n"].map((s) => Buffer.from(s, "latin1"));
const LONG_CHARS = ["a", "9", " ", ";", ",", '"', "%", "{", "}", ".", ":", "\u00e9"].map((s) => Buffer.from(s, "utf8"));
const PAIRS: ReadonlyArray<readonly [string, string]> = [
  ["{", "}"],
  ["<", ">"],
  ["[", "]"],
  ['"', '"'],
  ["(", ")"],
  ["Embed{Events=1{a/b{", "}}}"],
  ["<sip:a@b>,", ""],
  [";p=v", ""],
];

const MAX = 70_000; // above the SIP codec's 64 KiB limit, so that its size check is reached too

function splice(base: Buffer, at: number, remove: number, insert: Buffer): Buffer {
  return Buffer.concat([base.subarray(0, at), insert, base.subarray(at + remove)]);
}

function repeat(piece: Buffer, times: number): Buffer {
  return Buffer.alloc(Math.min(MAX, piece.length * times), piece);
}

// Log-uniform lengths: mostly short, sometimes up to 64 KiB.
function logLength(size: number): number {
  const bits = size % 17;
  return (1 << bits) + (Math.floor(size / 17) % (1 << bits));
}

function lineAround(base: Buffer, at: number): [number, number] {
  const start = at === 0 ? 0 : base.lastIndexOf(10, at - 1) + 1;
  const nl = base.indexOf(10, at);
  return [start, nl === -1 ? base.length : nl + 1];
}

function applyOne(base: Buffer, m: Mutation): Buffer {
  const n = base.length;
  const at = n === 0 ? 0 : m.at % (n + 1);
  switch (m.op) {
    case "flip":
      if (n === 0) return Buffer.from([m.pick & 0xff]);
      return splice(base, Math.min(at, n - 1), 1, Buffer.from([m.pick & 0xff]));
    case "insert":
      return splice(base, at, 0, DICTIONARY[m.pick % DICTIONARY.length]);
    case "delete":
      return splice(base, at, 1 + (m.size % 16), Buffer.alloc(0));
    case "truncate":
      return base.subarray(0, at);
    case "crlf":
      return splice(base, at, 0, CRLFS[m.pick % CRLFS.length]);
    case "duplicate-line": {
      const [start, end] = lineAround(base, Math.min(at, Math.max(n - 1, 0)));
      return splice(base, end, 0, repeat(base.subarray(start, end), 1 + (m.size % 300)));
    }
    case "long-value":
      return splice(base, at, 0, repeat(LONG_CHARS[m.pick % LONG_CHARS.length], logLength(m.size)));
    case "many-params": {
      const param = m.pick % 2 === 0 ? ";p=v" : ",a/b=1";
      return splice(base, at, 0, repeat(Buffer.from(param), 1 + (m.size % 2000)));
    }
    case "nest": {
      const [open, close] = PAIRS[m.pick % PAIRS.length];
      const depth = 1 + (m.size % 2000);
      const end = at + ((m.size >> 11) % (n - at + 1));
      const inner = base.subarray(at, end);
      return Buffer.concat([
        base.subarray(0, at),
        repeat(Buffer.from(open), depth),
        inner,
        repeat(Buffer.from(close), depth),
        base.subarray(end),
      ]);
    }
    case "digits":
      return splice(base, at, 0, repeat(Buffer.from("9"), 1 + (m.size % 400)));
    case "param": {
      const [, end] = lineAround(base, Math.min(at, Math.max(n - 1, 0)));
      const eol = end >= 2 && base[end - 2] === 13 ? end - 2 : end;
      return splice(base, eol, 0, PARAMS[m.pick % PARAMS.length]);
    }
    case "splice": {
      const from = m.pick % (n + 1);
      const length = m.size % 200;
      return splice(base, at, 0, Buffer.from(base.subarray(from, from + length)));
    }
  }
}

/** The octets with each mutation of the plan applied in turn, cut to at most 70 000 octets. */
export function mutate(base: Buffer, plan: readonly Mutation[]): Buffer {
  let out = base;
  for (const m of plan) {
    out = applyOne(out, m);
    if (out.length > MAX) out = out.subarray(0, MAX);
  }
  return out;
}
