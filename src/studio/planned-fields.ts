// A plan as a list of wire fields, each with the clause ids it comes from, and a ladder arrow per message:
// what the studio compares before and after an edit and what an item shows as "produced on the wire".
import type { Plan } from "../../generated/types/index.ts";
import type { Facts } from "../rules/recipes.ts";
import type { TraceEntry } from "../trace/call-trace.ts";

export interface PlannedField {
  /** The message, as the ladder labels it, with its destination: "BYE → called". */
  message: string;
  /** The header or part of the message: "Reason", "Request-URI", "status". */
  field: string;
  value: string;
  trace: string[];
}

const partNames: Record<string, string> = {
  requestUri: "Request-URI",
  towards: "towards",
  routing: "routing",
  status: "status",
};

type Traced = { value: unknown; trace: string[] };
const isTraced = (v: unknown): v is Traced =>
  !!v && typeof v === "object" && "value" in v && Array.isArray((v as Traced).trace);

/** The label of a plan's message on a ladder, or undefined for what does not reach the wire (state, log). */
export function messageLabel(plan: Plan): string | undefined {
  switch (plan.kind) {
    case "sip-request":
      return plan.method;
    case "sip-response":
    case "forward-response":
      return String(plan.status.value);
    case "sip-cancel":
      return "CANCEL";
    case "sip-bye":
      return "BYE";
    case "sip-ack":
      return "ACK";
    case "forward-request":
      return "request (forwarded)";
    case "h248-subtract":
      return `Subtract ${plan.terminationId}`;
    case "skipped":
      return `(skipped ${plan.method})`;
    default:
      return undefined;
  }
}

function destination(plan: Plan): string {
  if (plan.kind === "h248-subtract") return "MGW";
  const towards = (plan as { towards?: Traced }).towards;
  return towards ? String(towards.value) : "";
}

/** Every field of the plans that goes on the wire; repeated messages are told apart by a count (BYE → called #2). */
export function plannedFields(plans: Plan[]): PlannedField[] {
  const out: PlannedField[] = [];
  const seen = new Map<string, number>();
  for (const plan of plans) {
    const label = messageLabel(plan);
    if (label === undefined) continue;
    // A response is named by its kind, not its status: a changed status is a changed field of the same message.
    const name = plan.kind === "sip-response" || plan.kind === "forward-response" ? "response" : label;
    const base = `${name} → ${destination(plan)}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    const message = n === 1 ? base : `${base} #${n}`;
    const planTrace = (plan as { trace?: string[] }).trace ?? [];
    for (const [key, v] of Object.entries(plan)) {
      if (key === "kind" || key === "rule" || key === "trace" || key === "towards") continue;
      if (isTraced(v)) out.push({ message, field: partNames[key] ?? key, value: String(v.value), trace: v.trace });
      else if (key === "headers" && Array.isArray(v)) {
        for (const h of v as Array<{ name: string; value: string; trace: string[] }>)
          out.push({ message, field: h.name, value: h.value, trace: h.trace });
      } else if (typeof v === "string" || typeof v === "number")
        out.push({ message, field: key, value: String(v), trace: planTrace });
    }
  }
  return out;
}

const nodeName = (facts: Facts) => ("dialog" in facts ? "S-CSCF" : "GMSC");

/** The triggering event and the messages the node plans, as the ladder's arrows. */
export function plannedLadder(facts: Facts, plans: Plan[]): TraceEntry[] {
  const node = nodeName(facts);
  const event = facts.event as { type: string; from?: string; status?: number; side?: string };
  const origin = event.type === "bearer-released" ? "MGW" : (event.from ?? "network");
  const entries: TraceEntry[] = [
    {
      at: 0,
      protocol: origin === "MGW" ? "H.248" : "SIP",
      direction: "received",
      from: origin,
      to: node,
      label: event.status ? `${event.type} ${event.status}` : event.type,
    },
  ];
  for (const plan of plans) {
    const label = messageLabel(plan);
    if (label === undefined) continue;
    const trace = (plan as { trace?: string[] }).trace;
    entries.push({
      at: entries.length,
      protocol: plan.kind === "h248-subtract" ? "H.248" : "SIP",
      direction: "sent",
      from: node,
      to: destination(plan),
      label,
      trace,
    });
  }
  return entries;
}
