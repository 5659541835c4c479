// Runs the nearley grammar (sip-message.ne) over a message head: the executable reference the scanner is tested
// against, and the explanation `cleardown sip check` gives for a syntax rejection (line:column, what was expected).
import nearley from "nearley";
import grammar from "../../generated/grammars/sip-message.ts";
import { canonicalHeaderName } from "./header-names.ts";
import type { StartLine } from "./message.ts";

export interface GrammarHeader {
  name: string;
  value: unknown;
}

export interface GrammarHead {
  start: StartLine;
  headers: GrammarHeader[];
}

export interface GrammarFault {
  line: number;
  column: number;
  expected: string[];
  found: string;
}

export type GrammarResult = { ok: true; head: GrammarHead; parses: number } | { ok: false; fault: GrammarFault };

const compiled = nearley.Grammar.fromCompiled(grammar as unknown as nearley.CompiledRules);

export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

// nearley words a failure as prose ("A character matching /x/ based on: …"); keep the distinct alternatives.
function expectedFrom(message: string): string[] {
  const seen = new Set<string>();
  for (const m of message.matchAll(/^A (.+) based on:$/gm)) seen.add(m[1]);
  return [...seen].sort();
}

/** Parses `head` (start line through the empty line, CRLFs included) with the reference grammar. */
export function parseHeadWithGrammar(head: string): GrammarResult {
  const parser = new nearley.Parser(compiled);
  try {
    parser.feed(head);
  } catch (err) {
    const offset = typeof (err as { offset?: unknown }).offset === "number" ? (err as { offset: number }).offset : 0;
    const { line, column } = lineColumnAt(head, offset);
    return {
      ok: false,
      fault: {
        line,
        column,
        expected: expectedFrom(String((err as Error).message)),
        found: JSON.stringify(head[offset] ?? ""),
      },
    };
  }
  if (parser.results.length === 0) {
    const { line, column } = lineColumnAt(head, head.length);
    return { ok: false, fault: { line, column, expected: ["more input"], found: "end of input" } };
  }
  const raw = parser.results[0] as GrammarHead;
  // Header names: the grammar names structured fields canonically; other names are made canonical the same way
  // the scanner does (naming only, never acceptance).
  const headers = raw.headers.map((h) => ({ name: canonicalHeaderName(h.name), value: h.value }));
  return { ok: true, head: { start: raw.start, headers }, parses: parser.results.length };
}

export function describeGrammarFault(fault: GrammarFault): string {
  const expected = fault.expected.length > 0 ? fault.expected.join("; ") : "something else";
  return `${fault.line}:${fault.column}: found ${fault.found}, expected ${expected}`;
}
