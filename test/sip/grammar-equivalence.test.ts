// The scanner (parse-head.ts) and the reference grammar (sip-message.ne, RFC 3261 §25.1 ABNF) accept and reject
// the same heads and yield the same values: on generated heads, on mutations of them, and on the RFC corpora.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseHeadWithGrammar } from "../../src/sip/messages/grammar-reference.ts";
import { parseHead } from "../../src/sip/messages/parse-head.ts";
import { headOf, rfc4475, rfc4475Names, rfc5118Names, rfc5118Normalised } from "./corpora.ts";
import { mutatedHead, validishHead } from "./head-arbitraries.ts";

function compare(head: string): { accepted: boolean } {
  const scanned = parseHead(head);
  const reference = parseHeadWithGrammar(head);
  if (scanned.ok !== reference.ok) {
    throw new Error(
      `disagree on ${JSON.stringify(head)}: scanner ${scanned.ok ? "accepts" : JSON.stringify(scanned.fault)}, grammar ${reference.ok ? "accepts" : JSON.stringify(reference.fault)}`,
    );
  }
  if (scanned.ok && reference.ok) {
    expect(reference.parses).toBe(1); // the grammar is unambiguous
    expect(scanned.start).toEqual(reference.value.start);
    expect(scanned.headers.map((h) => ({ name: h.name, value: h.parsed ?? h.value }))).toEqual(reference.value.headers);
  }
  return { accepted: scanned.ok };
}

describe("scanner ≡ grammar (RFC 3261 §25.1)", () => {
  it("on generated heads (white space, folding, compact forms, every structured field)", () => {
    let accepted = 0;
    fc.assert(
      fc.property(validishHead, (h) => {
        if (compare(h).accepted) accepted++;
      }),
      { numRuns: 300, seed: 3261 },
    );
    expect(accepted).toBeGreaterThan(50);
  }, 120_000);

  it("on mutated heads (deleted, inserted, replaced characters)", () => {
    let rejected = 0;
    fc.assert(
      fc.property(mutatedHead, (h) => {
        if (!compare(h).accepted) rejected++;
      }),
      { numRuns: 400, seed: 4475 },
    );
    expect(rejected).toBeGreaterThan(50);
  }, 120_000);

  it("on every RFC 4475 message and every normalised RFC 5118 message", () => {
    const heads = [
      ...rfc4475Names().map((n) => headOf(rfc4475(n))),
      ...rfc5118Names().map((n) => headOf(rfc5118Normalised(n))),
    ].filter((h): h is string => h !== undefined);
    expect(heads.length).toBeGreaterThan(55);
    for (const h of heads) compare(h);
  }, 120_000);
});
