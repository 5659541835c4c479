// Decisions per second: the generated runtime vs json-rules-engine on the same rules and fact sets, and plan
// materialisation per second. Figures for bench-results.json, never assertions.
import fc from "fast-check";
import { runtimes } from "../../generated/runtime/index.ts";
import type { FiredAction } from "../../generated/types/index.ts";
import { loadRuleSets, readRuleSources } from "../../src/rules/load-rules.ts";
import { materialise } from "../../src/rules/materialise.ts";
import { referenceEvaluator } from "../../src/rules/reference-evaluator.ts";
import { projectRoot } from "../../src/rules/schema-registry.ts";
import { loadSpec } from "../../src/spec/clause-items.ts";
import { gmscFacts, scscfFacts } from "../rules/arbitraries.ts";

export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
}

function perSecond(work: () => number, seconds = 1): number {
  for (let i = 0; i < 3; i++) work(); // warm up the JIT
  let done = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < seconds) {
    done += work();
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  return done / elapsed;
}

async function perSecondAsync(work: () => Promise<number>, seconds = 1): Promise<number> {
  await work();
  let done = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < seconds) {
    done += await work();
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  return done / elapsed;
}

export async function benchRules(): Promise<BenchFigure[]> {
  const sets = loadRuleSets(readRuleSources(projectRoot), loadSpec(projectRoot));
  const figures: BenchFigure[] = [];
  for (const kind of ["scscf", "gmsc"] as const) {
    const facts = fc.sample((kind === "scscf" ? scscfFacts : gmscFacts) as fc.Arbitrary<never>, {
      numRuns: 1024,
      seed: 7,
    });
    const runtime = runtimes[kind];
    let sink = 0;
    const generated = perSecond(() => {
      for (const f of facts) sink += runtime.decide(f).length;
      return facts.length;
    });
    const engine = referenceEvaluator(sets[kind]);
    const reference = await perSecondAsync(async () => {
      for (let i = 0; i < 64; i++) sink += (await engine.decide(facts[i])).length;
      return 64;
    });
    const fired: Array<[FiredAction, never]> = facts.flatMap((f) =>
      runtime.decide(f).map((a) => [a, f] as [FiredAction, never]),
    );
    const plans = perSecond(() => {
      let n = 0;
      for (const [a, f] of fired) n += materialise(a, f, runtime.tables).length;
      sink += n;
      return n;
    });
    if (sink < 0) console.log(sink);
    figures.push(
      {
        name: `rules.${kind}.generated-runtime.decisions-per-second`,
        value: Math.round(generated),
        unit: "decisions/s",
      },
      {
        name: `rules.${kind}.json-rules-engine.decisions-per-second`,
        value: Math.round(reference),
        unit: "decisions/s",
      },
      { name: `rules.${kind}.generated-vs-json-rules-engine`, value: Math.round(generated / reference), unit: "×" },
      { name: `rules.${kind}.materialise.plans-per-second`, value: Math.round(plans), unit: "plans/s" },
    );
  }
  return figures;
}
