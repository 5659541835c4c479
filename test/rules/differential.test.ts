// The generated runtime and json-rules-engine give the same plans for thousands of generated fact sets per
// rule set (DESIGN.md: two evaluators, one meaning). A disagreement prints the smallest fact set that shows it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runtimes } from "../../generated/runtime/index.ts";
import { buildDecider } from "../../src/generate/runtime.ts";
import { materialiseAll } from "../../src/rules/materialise.ts";
import { referenceEvaluator } from "../../src/rules/reference-evaluator.ts";
import { validator } from "../../src/rules/schema-registry.ts";
import { gmscFacts, scscfFacts } from "./arbitraries.ts";
import { ruleSets } from "./decide.ts";

const runs = Number(process.env.DIFFERENTIAL_RUNS ?? 3000);
const validPlan = validator("plan", "Plan");

for (const kind of ["scscf", "gmsc"] as const) {
  describe(`differential: rules/ for ${kind}`, () => {
    const reference = referenceEvaluator(ruleSets[kind]);
    const inProcess = buildDecider(ruleSets[kind]);
    const generated = runtimes[kind];
    const arbitrary = (kind === "scscf" ? scscfFacts : gmscFacts) as fc.Arbitrary<
      Parameters<typeof generated.decide>[0]
    >;

    it(`generated runtime = json-rules-engine = in-process compile on ${runs} fact sets; every plan schema-valid`, async () => {
      let fired = 0;
      await fc.assert(
        fc.asyncProperty(arbitrary, async (facts) => {
          const expected = await reference.decide(facts);
          const actual = generated.decide(facts as never);
          expect(actual).toEqual(expected);
          expect(inProcess.decide(facts)).toEqual(expected);
          const plans = materialiseAll(actual, facts, generated.tables);
          for (const p of plans) expect(validPlan(p), JSON.stringify(validPlan.errors)).toBe(true);
          fired += actual.length;
        }),
        { numRuns: runs },
      );
      // The generators must reach the rules, or the comparison proves little.
      expect(fired).toBeGreaterThan(runs / 2);
    });

    it("every rule fires on some generated fact set", async () => {
      const seen = new Set<string>();
      fc.sample(arbitrary, { numRuns: runs * 2, seed: 42 }).forEach((facts) => {
        for (const f of generated.decide(facts as never)) seen.add(f.rule);
      });
      expect([...ruleSets[kind].rules.map((r) => r.rule.id)].filter((id) => !seen.has(id))).toEqual([]);
    });
  });
}
