// The recipe vocabulary evaluated as compiled closures: nested parts compiled into their parent give the same
// values, and a `choose` key that names an Object.prototype member is not a case.
import { describe, expect, it } from "vitest";
import type { Recipe } from "../../generated/types/index.ts";
import { evaluate, type Facts } from "../../src/rules/recipes.ts";

const facts = {
  event: { type: "release-indication", cause: "toString" },
  dialog: { callId: "c1", cseq: { calling: 7 } },
  policy: { gruuWithoutBinding: "skip-bye" },
} as unknown as Facts;

describe("recipes", () => {
  it("evaluates nested recipes (concat of a table lookup and an increment) to the concrete value", () => {
    const recipe = {
      concat: [
        { table: "causes", key: { fact: "event.cause" }, default: { literal: "none" } },
        { literal: "/" },
        { increment: { fact: "dialog.cseq.calling" } },
      ],
    } as unknown as Recipe;
    expect(evaluate(recipe, facts, { causes: { toString: "found" } as never })).toBe("found/8");
    expect(evaluate(recipe, facts, { causes: {} as never })).toBe("none/8");
  });

  it("a choose key naming an Object.prototype member takes the default, not the member", () => {
    const recipe = {
      choose: { fact: "event.cause" },
      cases: { administrative: { literal: "admin" } },
      default: { literal: "other" },
    } as unknown as Recipe;
    expect(evaluate(recipe, facts, {})).toBe("other");
  });

  it("x-24.229:5.4.5.1.2/cseq-range increment with max gives nothing beyond it, so randomCSeqIfAbsent draws", () => {
    const at = (cseq: number) =>
      ({ ...facts, dialog: { cseq: { calling: cseq } }, random: { cseq: 4242 } }) as unknown as Facts;
    const recipe = { randomCSeqIfAbsent: { increment: { fact: "dialog.cseq.calling" }, max: 2 ** 31 - 1 } } as Recipe;
    expect(evaluate(recipe, at(2 ** 31 - 2), {})).toBe(2 ** 31 - 1);
    expect(evaluate(recipe, at(2 ** 31 - 1), {})).toBe(4242);
    expect(evaluate({ increment: { fact: "dialog.cseq.calling" } } as Recipe, at(2 ** 31 - 1), {})).toBe(2 ** 31);
  });

  it("firstOf takes the first value there is; list makes one list of lists and values, leaving nothing out but null", () => {
    const first = { firstOf: [{ fact: "dialog.nothing" }, { fact: "dialog.callId" }, { literal: "x" }] } as Recipe;
    expect(evaluate(first, facts, {})).toBe("c1");
    const list = {
      join: { list: [{ fact: "dialog.none" }, { literal: "<sip:as;lr>" }, { fact: "dialog.routes" }] },
      separator: ", ",
    } as Recipe;
    const withRoutes = { ...facts, dialog: { routes: ["<sip:a;lr>", "<sip:b;lr>"] } } as unknown as Facts;
    expect(evaluate(list, withRoutes, {})).toBe("<sip:as;lr>, <sip:a;lr>, <sip:b;lr>");
  });
});
