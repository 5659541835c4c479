// Which rule started a release, for the release metrics: the rule whose state update puts the dialog or call under
// release (S-CSCF: dialog.state "releasing"; GMSC: call.clearing true). A release's start, completion and failures
// are all counted under that rule, on whichever node ends it, so the three can be compared per rule.
import type { Plan } from "../../generated/types/index.ts";
import type { RuleSet } from "../rules/load-rules.ts";

const underRelease = {
  scscf: { path: "dialog.state", value: "releasing" },
  gmsc: { path: "call.clearing", value: true },
} as const;

/** The rule of the plan that puts the state under release, if one of `plans` does. */
export function releaseStartOf(kind: keyof typeof underRelease, plans: Plan[]): string | undefined {
  const { path, value } = underRelease[kind];
  return plans.find((p) => p.kind === "state-update" && p.set.some((s) => s.path === path && s.value === value))?.rule;
}

/** Every rule of the set that can start a release (their release counters start at zero). */
export function releaseStartRules(set: RuleSet): string[] {
  const { path, value } = underRelease[set.kind];
  return set.rules
    .filter(({ rule }) =>
      rule.actions.some(
        (a) =>
          a.type === "update-state" &&
          a.set.some((s) => s.path === path && "literal" in s.recipe && s.recipe.literal === value),
      ),
    )
    .map(({ rule }) => rule.id);
}
