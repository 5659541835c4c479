// Preview of an edit: the scripted scenarios of both clauses planned with the rules on disk and with the edited
// rules (compiled in-process, as a hot reload does), and every planned wire field that differs.
import type { Decision, Plan } from "../../generated/types/index.ts";
import { gmscScenarios, scscfScenarios } from "../demo/scripted-demo.ts";
import { buildDecider } from "../generate/runtime.ts";
import type { FactsKind, RuleSets } from "../rules/load-rules.ts";
import { materialiseAll } from "../rules/materialise.ts";
import type { Facts } from "../rules/recipes.ts";
import { textLadder } from "../trace/ladder.ts";
import { type PlannedField, plannedFields, plannedLadder } from "./planned-fields.ts";

export interface Scenario {
  title: string;
  kind: FactsKind;
  facts: Facts;
}

export interface FieldChange {
  message: string;
  field: string;
  before: string | null;
  after: string | null;
  trace: string[];
}

export interface ScenarioPreview {
  title: string;
  ladder: string;
  changes: FieldChange[];
  /** Set when the edited rules throw on this scenario (a recipe that cannot be evaluated). */
  error?: string;
}

/**
 * The scripted demo's scenarios, with the S-CSCF's release indication played once per cause the Reason table
 * names (before or after the edit), so a change to any row of it shows.
 */
export function previewScenarios(causes: string[]): Scenario[] {
  const out: Scenario[] = [];
  for (const [title, facts] of scscfScenarios) {
    out.push({ title, kind: "scscf", facts });
    const event = facts.event as { type: string; cause?: string };
    for (const cause of causes.filter((c) => c !== event.cause))
      out.push({
        title: title.replace(/\(cause [^)]*\)/, `(cause ${cause})`),
        kind: "scscf",
        facts: { ...facts, event: { ...facts.event, cause } },
      });
  }
  for (const [title, facts] of gmscScenarios) out.push({ title, kind: "gmsc", facts });
  return out;
}

/** A planner per facts kind, compiled from the given rule sets. */
export function planners(sets: RuleSets): Record<FactsKind, (facts: Facts) => Plan[]> {
  const make = (kind: FactsKind) => {
    const { decide, tables } = buildDecider(sets[kind]);
    return (facts: Facts) => materialiseAll(decide(facts) as Decision["actions"], facts, tables);
  };
  return { scscf: make("scscf"), gmsc: make("gmsc") };
}

/** The causes the S-CSCF's Reason table names (its "default" row is what every other cause gets). */
export const causesOf = (sets: RuleSets) =>
  Object.keys((sets.scscf.tables.reasonByCause as Record<string, unknown> | undefined) ?? {}).filter(
    (k) => k !== "default",
  );

function diffFields(before: PlannedField[], after: PlannedField[]): FieldChange[] {
  const key = (f: PlannedField) => `${f.message}\u0000${f.field}`;
  const old = new Map(before.map((f) => [key(f), f]));
  const now = new Map(after.map((f) => [key(f), f]));
  const out: FieldChange[] = [];
  for (const f of after) {
    const was = old.get(key(f));
    if (!was || was.value !== f.value)
      out.push({ message: f.message, field: f.field, before: was?.value ?? null, after: f.value, trace: f.trace });
  }
  for (const f of before)
    if (!now.has(key(f)))
      out.push({ message: f.message, field: f.field, before: f.value, after: null, trace: f.trace });
  return out;
}

export function preview(current: RuleSets, edited: RuleSets): ScenarioPreview[] {
  const before = planners(current);
  const after = planners(edited);
  const causes = [...new Set([...causesOf(current), ...causesOf(edited)])];
  return previewScenarios(causes).map(({ title, kind, facts }) => {
    const was = before[kind](facts);
    try {
      const now = after[kind](facts);
      return {
        title,
        ladder: textLadder(plannedLadder(facts, now)),
        changes: diffFields(plannedFields(was), plannedFields(now)),
      };
    } catch (err) {
      return { title, ladder: textLadder(plannedLadder(facts, was)), changes: [], error: (err as Error).message };
    }
  });
}
