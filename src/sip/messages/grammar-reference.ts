// The nearley grammar (sip-message.ne) over a message head: the executable reference the scanner is tested
// against, and the explanation `cleardown sip check` gives for a syntax rejection (line:column, what was expected).
// Run by the one grammar runner (src/grammar/run-grammar.ts), so its faults read like every other grammar's.
import grammar from "../../../generated/grammars/sip-message.ts";
import { type GrammarResult, grammarRunner } from "../../grammar/run-grammar.ts";
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

const runHead = grammarRunner<GrammarHead>(grammar);

/** Parses `head` (start line through the empty line, CRLFs included) with the reference grammar. */
export function parseHeadWithGrammar(head: string): GrammarResult<GrammarHead> {
  const r = runHead(head);
  if (!r.ok) return r;
  // Header names: the grammar names structured fields canonically; other names are made canonical the same way
  // the scanner does (naming only, never acceptance).
  const headers = r.value.headers.map((h) => ({ name: canonicalHeaderName(h.name), value: h.value }));
  return { ok: true, value: { start: r.value.start, headers }, parses: r.parses };
}
