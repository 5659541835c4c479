// The one nearley runner: runs a compiled grammar (clause documents, SIP message heads, H.248 text) over a text
// and turns a rejection into one fault shape — line:column, what was found there, what the grammar expected.
// It knows no grammar and no rule; the codecs and src/spec bind it to theirs.
import nearley from "nearley";

/** Where a text was rejected and why; the same shape for every grammar and for the H.248 hand-written decoder. */
export interface GrammarFault {
  /** 0-based offset into the text */
  offset: number;
  /** 1-based */
  line: number;
  /** 1-based, counted in UTF-16 code units from the start of the line */
  column: number;
  /** the alternatives that would have been accepted at offset, distinct and sorted */
  expected: string[];
  /** the character at offset as a JSON string, or "end of input" */
  found: string;
}

export type GrammarResult<T> = { ok: true; value: T; parses: number } | { ok: false; fault: GrammarFault };

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

/** The fault at `offset` of `text`: line and column counted here, so every producer counts them alike. */
export function faultAt(text: string, offset: number, expected: string[]): GrammarFault {
  const { line, column } = lineColumn(text, offset);
  const found = offset >= text.length ? "end of input" : JSON.stringify(text[offset]);
  return { offset, line, column, expected, found };
}

/** `where:line:column: found …, expected … or …` (`where` is a file name; without it the text starts at line). */
export function describeFault(fault: GrammarFault, where?: string): string {
  const expected = fault.expected.length > 0 ? fault.expected.join(" or ") : "something else";
  return `${where === undefined ? "" : `${where}:`}${fault.line}:${fault.column}: found ${fault.found}, expected ${expected}`;
}

// nearley's parse table is not in its typings; a column holds the Earley states alive at one offset.
interface EarleyState {
  rule: { symbols: unknown[] };
  dot: number;
}
interface TableParser {
  table: { states: EarleyState[] }[];
  getSymbolDisplay(symbol: unknown): string;
}

// What the states of one column were waiting for: each terminal next after a dot ("e", character matching /x/).
// Read from the table rather than from nearley's prose message, which words the same list for people.
function expectedIn(parser: nearley.Parser, columnIndex: number): string[] {
  const p = parser as unknown as TableParser;
  const seen = new Set<string>();
  for (const state of p.table[columnIndex]?.states ?? []) {
    const next = state.rule.symbols[state.dot];
    if (next !== undefined && typeof next !== "string") seen.add(p.getSymbolDisplay(next));
  }
  return [...seen].sort();
}

/** A runner for one compiled grammar (the grammar object is built once, a parser per text). */
export function grammarRunner<T>(compiled: unknown): (text: string) => GrammarResult<T> {
  const grammar = nearley.Grammar.fromCompiled(compiled as nearley.CompiledRules);
  return (text) => {
    const parser = new nearley.Parser(grammar);
    try {
      parser.feed(text);
    } catch (err) {
      // nearley throws with the offset of the character no state could take; the column before it was waiting
      const offset = typeof (err as { offset?: unknown }).offset === "number" ? (err as { offset: number }).offset : 0;
      const table = (parser as unknown as TableParser).table;
      return { ok: false, fault: faultAt(text, offset, expectedIn(parser, table.length - 2)) };
    }
    if (parser.results.length === 0) {
      // the text ended while a rule was still open: what the last column waited for is what is missing
      const table = (parser as unknown as TableParser).table;
      const expected = expectedIn(parser, table.length - 1);
      return { ok: false, fault: faultAt(text, text.length, expected.length > 0 ? expected : ["more input"]) };
    }
    return { ok: true, value: parser.results[0] as T, parses: parser.results.length };
  };
}
