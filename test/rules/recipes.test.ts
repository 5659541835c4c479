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
});
