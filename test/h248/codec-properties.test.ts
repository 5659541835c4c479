// H.248.1 Annex B.2 codec properties on generated messages (every transaction kind, context properties and audits,
// the eight commands and their replies, every descriptor): encode → decode gives the message back in the long and
// the compact form; the hand-written decoder and the nearley Annex B grammar yield the same model; and on mutated
// corpus messages both accept and reject the same texts.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tryDecodeMessage } from "../../src/h248/decode-message.ts";
import { encodeMessage } from "../../src/h248/encode-message.ts";
import { decodeWithGrammar } from "../../src/h248/grammar-reference.ts";
import { megacoNames, megacoText } from "./megaco-corpus.ts";
import { message } from "./message-arbitraries.ts";

describe("H.248.1 Annex B.2 — codec properties", () => {
  it("encode → decode → equal, long and compact form", () => {
    fc.assert(
      fc.property(message, fc.boolean(), (m, compact) => {
        const text = encodeMessage(m, { compact });
        const back = tryDecodeMessage(text);
        if (!back.ok) throw new Error(`${back.error.message}\n${text}`);
        expect(back.message).toEqual(m);
      }),
      { numRuns: 1500, seed: 248 },
    );
  }, 120_000);

  it("the fast path equals the Annex B grammar (one parse) on generated messages", () => {
    fc.assert(
      fc.property(message, fc.boolean(), (m, compact) => {
        const text = encodeMessage(m, { compact });
        const reference = decodeWithGrammar(text);
        if (!reference.ok) throw new Error(`grammar rejects: ${JSON.stringify(reference.fault)}\n${text}`);
        expect(reference.parses).toBe(1);
        expect(reference.value).toEqual(m);
      }),
      { numRuns: 400, seed: 2481 },
    );
  }, 120_000);

  it("fast path and grammar accept and reject the same mutated corpus messages (and agree on the value)", () => {
    const texts = megacoNames()
      .filter((_, i) => i % 4 === 0)
      .flatMap((n) => [megacoText("compact", n)]);
    let rejected = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...texts),
        fc.nat(),
        fc.constantFrom("delete", "insert", "replace"),
        fc.constantFrom(...'{}=,[]:;"#<>/-$* \tTACE1aZ'),
        (text, at, op, ch) => {
          const i = at % text.length;
          const mutated =
            op === "delete"
              ? text.slice(0, i) + text.slice(i + 1)
              : op === "insert"
                ? text.slice(0, i) + ch + text.slice(i)
                : text.slice(0, i) + ch + text.slice(i + 1);
          const fast = tryDecodeMessage(mutated);
          const reference = decodeWithGrammar(mutated);
          if (fast.ok !== reference.ok)
            throw new Error(
              `disagree on ${JSON.stringify(mutated)}: fast ${fast.ok ? "accepts" : fast.error.message}, grammar ${reference.ok ? "accepts" : JSON.stringify(reference.fault)}`,
            );
          if (fast.ok && reference.ok) expect(fast.message).toEqual(reference.value);
          else rejected++;
        },
      ),
      { numRuns: 1500, seed: 24811 },
    );
    expect(rejected).toBeGreaterThan(20);
  }, 120_000);
});
