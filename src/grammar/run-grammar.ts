// Runs a compiled nearley grammar over a text and turns its failures into line:column + what was expected.
import nearley from "nearley";

export interface GrammarFault {
  line: number;
  column: number;
  expected: string[];
  found: string;
}

export type GrammarResult<T> = { ok: true; value: T } | { ok: false; fault: GrammarFault };

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

// nearley explains a failure in prose ("A character matching /x/ based on: …"); keep just the alternatives.
function expectedFrom(message: string): string[] {
  const seen = new Set<string>();
  for (const m of message.matchAll(/^A (.+) based on:$/gm)) seen.add(m[1]);
  return [...seen].sort();
}

export function runGrammar<T>(compiled: nearley.CompiledRules, text: string): GrammarResult<T> {
  const parser = new nearley.Parser(nearley.Grammar.fromCompiled(compiled));
  try {
    parser.feed(text);
  } catch (err) {
    const offset = typeof (err as { offset?: unknown }).offset === "number" ? (err as { offset: number }).offset : 0;
    const { line, column } = lineColumn(text, offset);
    return {
      ok: false,
      fault: {
        line,
        column,
        expected: expectedFrom(String((err as Error).message)),
        found: JSON.stringify(text[offset] ?? ""),
      },
    };
  }
  if (parser.results.length === 0) {
    const { line, column } = lineColumn(text, text.length);
    return {
      ok: false,
      fault: { line, column, expected: ["more input (the text ended early)"], found: "end of input" },
    };
  }
  return { ok: true, value: parser.results[0] as T };
}

export function describeFault(where: string, fault: GrammarFault): string {
  const expected = fault.expected.length > 0 ? fault.expected.join(", ") : "something else";
  return `${where}:${fault.line}:${fault.column}: found ${fault.found}, expected ${expected}`;
}
