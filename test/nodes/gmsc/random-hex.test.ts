// The GMSC's tags and Call-IDs come from a pool of random octets: each is of the length asked for, none repeats
// (across pool refills too), and the pool never hands out more than it holds.
import { describe, expect, it } from "vitest";
import { randomHex } from "../../../src/nodes/gmsc/random-hex.ts";

describe("random identifiers from a pool", () => {
  it("gives distinct hex strings of the asked length, across several refills of the pool", () => {
    const tags = Array.from({ length: 3000 }, () => randomHex(6));
    expect(tags.every((t) => /^[0-9a-f]{12}$/.test(t))).toBe(true);
    expect(new Set(tags).size).toBe(tags.length);
    expect(randomHex(10)).toMatch(/^[0-9a-f]{20}$/);
  });

  it("refuses more octets than the pool holds", () => {
    expect(() => randomHex(5000)).toThrow(RangeError);
  });
});
