// The one pure function from a fired action and the facts to concrete plans. Both evaluators (json-rules-engine
// and the generated runtime) call it, so they can differ only in which actions fire.
import type {
  Action,
  FiredAction,
  GmscFacts,
  HeaderField,
  LegTowards,
  PartyTowards,
  Plan,
  PlannedHeader,
  Field as RecipeField,
  RelayedHeaders,
  Routing,
  StateAssignment,
  StateUpdatePlan,
  Towards,
  TracedStatus,
  TracedString,
} from "../../generated/types/index.ts";
import { evaluate, type Facts, RecipeError, type Tables } from "./recipes.ts";

function text(field: RecipeField, facts: Facts, tables: Tables, what: string): TracedString {
  const value = evaluate(field.recipe, facts, tables);
  if (value === null || typeof value === "object")
    throw new RecipeError(`${what}: expected a value, the recipe gave ${JSON.stringify(value)}`);
  return { value: String(value), trace: field.trace };
}

export const routings: readonly Routing[] = ["direct", "internal-service-control"];

function routing(field: RecipeField, facts: Facts, tables: Tables): { value: Routing; trace: string[] } {
  const { value, trace } = text(field, facts, tables, "routing");
  if (!(routings as readonly string[]).includes(value))
    throw new RecipeError(`routing: expected one of ${routings.join(", ")}, found "${value}"`);
  return { value: value as Routing, trace };
}

// plan.schema.json LegTowards: where a GMSC plan may go (rules lint checks each rule's recipe).
const LEGS: readonly LegTowards[] = ["preceding", "succeeding"];
// plan.schema.json PartyTowards: where an S-CSCF request goes.
const PARTIES: readonly PartyTowards[] = ["called", "calling"];

function towardsOf<T extends Towards>(field: RecipeField, facts: Facts, tables: Tables, allowed: readonly T[]) {
  const { value, trace } = text(field, facts, tables, "towards");
  if (!(allowed as readonly string[]).includes(value))
    throw new RecipeError(`towards: expected one of ${allowed.join(", ")}, the recipe gave "${value}"`);
  return { value: value as T, trace };
}

function relay(field: RecipeField, facts: Facts, tables: Tables): RelayedHeaders {
  const value = evaluate(field.recipe, facts, tables);
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string"))
    throw new RecipeError(`relay: expected a list of header names, the recipe gave ${JSON.stringify(value)}`);
  return { names: value as string[], trace: field.trace };
}

function status(field: RecipeField, facts: Facts, tables: Tables): TracedStatus {
  const value = Number(evaluate(field.recipe, facts, tables));
  if (!Number.isInteger(value) || value < 100 || value > 699)
    throw new RecipeError(`status: expected 100-699, found ${value}`);
  return { value, trace: field.trace };
}

function headers(list: HeaderField[] | undefined, facts: Facts, tables: Tables): PlannedHeader[] {
  const out: PlannedHeader[] = [];
  for (const h of list ?? []) {
    const value = evaluate(h.recipe, facts, tables);
    if (value === null || value === "") {
      if (h.omitIfEmpty) continue;
      throw new RecipeError(`header ${h.name}: expected a value, the facts give none`);
    }
    out.push({ name: h.name, value: String(value), trace: h.trace });
  }
  return out;
}

function stateUpdate(
  rule: string,
  trace: string[],
  set: StateAssignment[],
  facts: Facts,
  tables: Tables,
): StateUpdatePlan {
  return {
    kind: "state-update",
    rule,
    trace,
    set: set.map((s) => ({
      path: s.path,
      value: evaluate(s.recipe, facts, tables) as string | number | boolean | null,
      trace: s.trace,
    })),
  };
}

export function materialise(fired: FiredAction, facts: Facts, tables: Tables): Plan[] {
  const { rule } = fired;
  const action: Action = fired.action;
  const trace = action.trace;
  switch (action.type) {
    case "send-request": {
      const towards = towardsOf(action.towards, facts, tables, PARTIES);
      const uri = evaluate(action.requestUri.recipe, facts, tables);
      if (uri === null) {
        // The rule says what no Request-URI means (a GRUU with no live binding under skip-bye): skip, and why.
        const skip = action.ifNoRequestUri;
        if (!skip) throw new RecipeError(`${action.method} Request-URI: expected a value, the facts give none`);
        const skipped: Plan = {
          kind: "skipped",
          rule,
          trace: skip.trace,
          method: action.method,
          towards,
          why: text({ recipe: skip.why, trace: skip.trace }, facts, tables, "why").value,
        };
        return skip.set ? [skipped, stateUpdate(rule, skip.trace, skip.set, facts, tables)] : [skipped];
      }
      const planned = headers(action.headers, facts, tables);
      if (action.furtherHeaders) {
        const further = evaluate(action.furtherHeaders.recipe, facts, tables);
        for (const h of (further ?? []) as Array<{ name: string; value: string }>) {
          planned.push({ name: h.name, value: h.value, trace: action.furtherHeaders.trace });
        }
      }
      const request: Plan = {
        kind: "sip-request",
        rule,
        trace,
        method: action.method,
        towards,
        routing: routing(action.routing, facts, tables),
        requestUri: { value: String(uri), trace: action.requestUri.trace },
        headers: planned,
      };
      return action.onSent ? [request, stateUpdate(rule, trace, action.onSent, facts, tables)] : [request];
    }
    case "forward-request":
      return [
        {
          kind: "forward-request",
          rule,
          trace,
          towards: towardsOf(action.towards, facts, tables, LEGS),
          relay: relay(action.relay, facts, tables),
        },
      ];
    case "forward-response":
      return [
        {
          kind: "forward-response",
          rule,
          trace,
          towards: towardsOf(action.towards, facts, tables, LEGS),
          status: status(action.status, facts, tables),
          relay: relay(action.relay, facts, tables),
        },
      ];
    case "respond":
      return [
        {
          kind: "sip-response",
          rule,
          trace,
          towards: text(action.towards, facts, tables, "towards"),
          request: action.request,
          status: status(action.status, facts, tables),
          headers: headers(action.headers, facts, tables),
        },
      ];
    case "send-cancel":
      return [
        {
          kind: "sip-cancel",
          rule,
          trace,
          towards: text(action.towards, facts, tables, "towards"),
          headers: headers(action.headers, facts, tables),
        },
      ];
    case "send-bye":
      return [
        {
          kind: "sip-bye",
          rule,
          trace,
          towards: towardsOf(action.towards, facts, tables, LEGS),
          headers: headers(action.headers, facts, tables),
        },
      ];
    case "send-ack":
      return [{ kind: "sip-ack", rule, trace, towards: towardsOf(action.towards, facts, tables, LEGS) }];
    case "release-termination":
      // TS 23.231 §7.3.4: one Subtract per termination still seized; none when nothing is. What the rule records
      // on each of them (termination.seized := false) follows its Subtract, addressed by its place in the call.
      return ((facts as GmscFacts).call?.terminations ?? []).flatMap((t, i): Plan[] => {
        if (!t.seized) return [];
        const subtract: Plan = {
          kind: "h248-subtract",
          rule,
          trace,
          contextId: t.contextId,
          terminationId: t.id,
          side: t.side,
        };
        if (!action.onSent) return [subtract];
        const at = action.onSent.map((s) => ({
          ...s,
          path: s.path.replace(/^termination\./, `call.terminations.${i}.`),
        }));
        return [subtract, stateUpdate(rule, trace, at, facts, tables)];
      });
    case "update-state":
      return [stateUpdate(rule, trace, action.set, facts, tables)];
    case "indicate-release":
      return [{ kind: "release-indication", rule, trace, cause: text(action.cause, facts, tables, "cause") }];
    case "release-state":
      return [{ kind: "state-release", rule, trace, entity: action.entity }];
    case "log":
      return [
        { kind: "log", rule, trace, level: action.level, message: String(evaluate(action.message, facts, tables)) },
      ];
  }
}

export function materialiseAll(fired: FiredAction[], facts: Facts, tables: Tables): Plan[] {
  const plans: Plan[] = [];
  for (const f of fired) plans.push(...materialise(f, facts, tables));
  return plans;
}
