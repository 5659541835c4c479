// The reference evaluator: json-rules-engine runs rules/ as written. What an editor sees right away; the
// generated runtime must agree with it (test/rules/differential.test.ts).
import { Engine } from "json-rules-engine";
import type { FiredAction } from "../../generated/types/index.ts";
import type { RuleSet } from "./load-rules.ts";
import type { Facts } from "./recipes.ts";

export interface ReferenceEvaluator {
  decide(facts: Facts): Promise<FiredAction[]>;
}

export function referenceEvaluator(set: RuleSet): ReferenceEvaluator {
  const engine = new Engine([], { allowUndefinedFacts: true });
  set.rules.forEach(({ rule }, order) => {
    engine.addRule({
      name: rule.id,
      priority: rule.priority ?? 1,
      conditions: rule.conditions as never,
      event: { type: "fire", params: { order } },
    });
  });
  return {
    async decide(facts: Facts): Promise<FiredAction[]> {
      const { events } = await engine.run({ ...facts });
      // Rules of equal priority settle in any order; the rule set's order makes the result deterministic.
      const orders = events.map((e) => (e.params as { order: number }).order).sort((a, b) => a - b);
      return orders.flatMap((order) => {
        const { rule } = set.rules[order];
        return rule.actions.map((action, index) => ({ rule: rule.id, index, action }));
      });
    },
  };
}
