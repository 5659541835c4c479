// Plans from the committed generated runtime (no reload): the compiled rules decide, materialise builds.
// Here, not in generated/, so the generated code imports nothing of src/ (no import loop through it).
import { runtimes } from "../../generated/runtime/index.ts";
import type { Decision, GmscFacts, ScscfFacts } from "../../generated/types/index.ts";
import { materialiseAll } from "./materialise.ts";

export function planScscf(facts: ScscfFacts): Decision {
  const actions = runtimes.scscf.decide(facts);
  return { actions, plans: materialiseAll(actions, facts, runtimes.scscf.tables) };
}

export function planGmsc(facts: GmscFacts): Decision {
  const actions = runtimes.gmsc.decide(facts);
  return { actions, plans: materialiseAll(actions, facts, runtimes.gmsc.tables) };
}
