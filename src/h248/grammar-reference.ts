// The nearley grammar (h248-text.ne, from H.248.1 Annex B.2) over a message: the executable reference the
// hand-written decoder is proven equal to, and the explanation `h248 check` gives for a rejection
// (line:column and the tokens the grammar expected there). Run by the one grammar runner (src/grammar/).
import grammar from "../../generated/grammars/h248-text.ts";
import { type GrammarResult, grammarRunner } from "../grammar/run-grammar.ts";
import type { Message } from "./model.ts";

/** Decodes `text` with the reference grammar. */
export const decodeWithGrammar: (text: string) => GrammarResult<Message> = grammarRunner<Message>(grammar);
