// Issue 17 item 4: one nearley runner (src/grammar/run-grammar.ts) serves the clause-document, SIP and H.248
// grammars, and every rejection — by any grammar, or by the hand-written H.248 decoder — has one shape:
// offset, line, column, found, expected.
import { describe, expect, it } from "vitest";
import { describeFault, type GrammarFault } from "../../src/grammar/run-grammar.ts";
import { tryDecodeMessage } from "../../src/h248/decode-message.ts";
import { decodeWithGrammar } from "../../src/h248/grammar-reference.ts";
import { parseHeadWithGrammar } from "../../src/sip/messages/grammar-reference.ts";
import { parseClauseDocument } from "../../src/spec/clause-items.ts";

const shape = (f: GrammarFault) => Object.keys(f).sort();
const keys = ["column", "expected", "found", "line", "offset"];

describe("one grammar runner, one fault shape", () => {
  it("H.248: the grammar and the hand-written decoder name the same place the same way", () => {
    const text = "MEGACO/1 [127.0.0.1]:2944\nTransaction = 1 Q";
    const g = decodeWithGrammar(text);
    const fast = tryDecodeMessage(text);
    if (g.ok || fast.ok) throw new Error("both must reject");
    expect(shape(g.fault)).toEqual(keys);
    expect(g.fault).toEqual({
      offset: 42,
      line: 2,
      column: 17,
      found: '"Q"',
      expected: ['";"', '"{"', "character matching /[ \\t\\r\\n]/"],
    });
    const { offset, line, column, found, expected } = fast.error;
    expect({ offset, line, column, found, expected }).toEqual({
      offset: 42,
      line: 2,
      column: 17,
      found: '"Q"',
      expected: ['"{"'],
    });
    expect(fast.error.message).toBe(describeFault(fast.error));
    expect(fast.error.message).toBe('2:17: found "Q", expected "{"');
  });

  it("a text that ends early says what was still expected, not just 'more input'", () => {
    const g = decodeWithGrammar("MEGACO/1 [127.0.0.1]:2944\nTransaction = 1 {");
    expect(g.ok === false && g.fault).toEqual({
      offset: 43,
      line: 2,
      column: 18,
      found: "end of input",
      expected: ['";"', "character matching /[ \\t\\r\\n]/", "character matching /[cC]/"],
    });
  });

  it("SIP: the head grammar's fault has the same shape and wording", () => {
    const r = parseHeadWithGrammar("INVITE sip:a@b SIP/2.0\r\nTo: x\r\n\r\n");
    if (r.ok) throw new Error("must reject");
    expect(shape(r.fault)).toEqual(keys);
    expect(describeFault(r.fault, "m.sip")).toBe('m.sip:3:1: found "\\r", expected character matching /[ \\t]/');
  });

  it("clause documents: the same runner and wording, with the file named", () => {
    expect(() => parseClauseDocument("@clause 24.229:5.4.5.1.2\n@title T\n\n@item\n", "spec/x.clause")).toThrow(
      /^spec\/x\.clause:4:6: found "\\n", expected " "$/,
    );
  });
});
