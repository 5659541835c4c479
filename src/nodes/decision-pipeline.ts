// The one path both nodes take from a wire event to the wire: the event becomes facts, validated at the shell's
// boundary against schemas/facts.schema.json; the rules in force (or the version a release started under) decide;
// materialise turns the fired actions into plans; and each plan is carried out by the executor's function for
// its kind. A node supplies the facts and one small function per plan kind; it decides nothing itself.
import type { Decision, GmscFacts, Plan, ScscfFacts } from "../../generated/types/index.ts";
import type { LiveRules } from "../rules/live-rules.ts";
import { validator } from "../rules/schema-registry.ts";

/** Facts that do not match schemas/facts.schema.json: a fault of the shell, never sent to the rules. */
export class FactsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FactsError";
  }
}

export interface FactsOf {
  scscf: ScscfFacts;
  gmsc: GmscFacts;
}
export type Role = keyof FactsOf;

const validators = {
  scscf: validator("facts", "ScscfFacts"),
  gmsc: validator("facts", "GmscFacts"),
};

/** Throws FactsError naming the place (JSON pointer) and what the schema expected there. */
export function validateFacts<R extends Role>(role: R, facts: FactsOf[R], where: string): void {
  const validate = validators[role];
  if (validate(facts)) return;
  const e = validate.errors?.[0];
  throw new FactsError(`facts for ${where}: at ${e?.instancePath || "/"} expected ${e?.message ?? role}`);
}

export type Decided = Decision & { digest: string };

/** Validated facts → the rules' decision (plans materialised). Pure and synchronous: safe inside a store update. */
export function decideOn<R extends Role>(
  rules: LiveRules,
  role: R,
  facts: FactsOf[R],
  where: string,
  digest?: string,
): Decided {
  validateFacts(role, facts, where);
  return rules.plan(facts, digest);
}

export type PlanOf<K extends Plan["kind"]> = Extract<Plan, { kind: K }>;

/** One function per plan kind: the executor of a node. A kind a node never plans still names what it does. */
export type PlanExecutors<C> = { [K in Plan["kind"]]: (plan: PlanOf<K>, ctx: C) => void | Promise<void> };

/**
 * Carries out the plans in order, each by the function for its kind. Synchronous while every function is (the
 * S-CSCF's release path), a promise from the first function that returns one (the rest wait for it).
 */
export function executePlans<C>(plans: readonly Plan[], executors: PlanExecutors<C>, ctx: C): void | Promise<void> {
  for (let i = 0; i < plans.length; i++) {
    const plan = plans[i];
    const run = executors[plan.kind] as (p: Plan, c: C) => void | Promise<void>;
    const pending = run(plan, ctx);
    if (pending instanceof Promise) return pending.then(() => executePlans(plans.slice(i + 1), executors, ctx));
  }
}
