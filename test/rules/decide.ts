// Runs both evaluators on the same facts and returns the plans, failing when they disagree.
import { expect } from "vitest";
import type { Decision, GmscFacts, Plan, ScscfFacts } from "../../generated/types/index.ts";
import { planGmsc, planScscf } from "../../src/rules/generated-plans.ts";
import { loadRuleSets, type RuleSets, readRuleSources } from "../../src/rules/load-rules.ts";
import { materialiseAll } from "../../src/rules/materialise.ts";
import { referenceEvaluator } from "../../src/rules/reference-evaluator.ts";
import { projectRoot } from "../../src/rules/schema-registry.ts";
import { loadSpec } from "../../src/spec/clause-items.ts";

export const ruleSets: RuleSets = loadRuleSets(readRuleSources(projectRoot), loadSpec(projectRoot));
const reference = { scscf: referenceEvaluator(ruleSets.scscf), gmsc: referenceEvaluator(ruleSets.gmsc) };

export async function decideScscf(facts: ScscfFacts): Promise<Decision> {
  const generated = planScscf(facts);
  const ref = await reference.scscf.decide(facts);
  expect(generated.actions).toEqual(ref);
  expect(generated.plans).toEqual(materialiseAll(ref, facts, ruleSets.scscf.tables));
  return generated;
}

export async function decideGmsc(facts: GmscFacts): Promise<Decision> {
  const generated = planGmsc(facts);
  const ref = await reference.gmsc.decide(facts);
  expect(generated.actions).toEqual(ref);
  expect(generated.plans).toEqual(materialiseAll(ref, facts, ruleSets.gmsc.tables));
  return generated;
}

type Kind = Plan["kind"];
export function plansOf<K extends Kind>(plans: Plan[], kind: K): Array<Extract<Plan, { kind: K }>> {
  return plans.filter((p): p is Extract<Plan, { kind: K }> => p.kind === kind);
}

export function requestTowards(plans: Plan[], towards: string) {
  const found = plansOf(plans, "sip-request").filter((p) => p.towards.value === towards);
  expect(found).toHaveLength(1);
  return found[0];
}

export function header(plan: { headers: Array<{ name: string; value: string; trace: string[] }> }, name: string) {
  const found = plan.headers.filter((h) => h.name === name);
  expect(found, `one ${name} header`).toHaveLength(1);
  return found[0];
}
