// Runs the nearley grammar (h248-text.ne, from H.248.1 Annex B.2) over a message: the executable reference the
// hand-written decoder is proven equal to, and the explanation `h248 check` gives for a rejection
// (line:column and the tokens the grammar expected there).
import nearley from "nearley";
import grammar from "../../generated/grammars/h248-text.ts";
import type { Message } from "./model.ts";
import { lineColumnAt } from "./text-cursor.ts";

export interface GrammarFault {
  line: number;
  column: number;
  expected: string[];
  found: string;
}

export type GrammarResult = { ok: true; message: Message; parses: number } | { ok: false; fault: GrammarFault };

const compiled = nearley.Grammar.fromCompiled(grammar as unknown as nearley.CompiledRules);

// nearley words a failure as prose ("A character matching /x/ based on: …"); keep the distinct alternatives.
function expectedFrom(message: string): string[] {
  const seen = new Set<string>();
  for (const m of message.matchAll(/^A (.+) based on:$/gm)) seen.add(m[1]);
  return [...seen].sort();
}

/** Decodes `text` with the reference grammar. */
export function decodeWithGrammar(text: string): GrammarResult {
  const parser = new nearley.Parser(compiled);
  try {
    parser.feed(text);
  } catch (err) {
    const offset = typeof (err as { offset?: unknown }).offset === "number" ? (err as { offset: number }).offset : 0;
    const { line, column } = lineColumnAt(text, offset);
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
    const { line, column } = lineColumnAt(text, text.length);
    return {
      ok: false,
      fault: { line, column, expected: ["more input (the message ended early)"], found: "end of input" },
    };
  }
  return { ok: true, message: parser.results[0] as Message, parses: parser.results.length };
}
