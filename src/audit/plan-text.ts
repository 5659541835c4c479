// A plan as an engineer reads it: the message it will put on the wire, each field with its clause ids.
import type { Plan, PlannedHeader } from "../../generated/types/index.ts";

const ids = (trace: string[]) => `[${trace.join(", ")}]`;
const withHeaders = (first: string, headers: PlannedHeader[]) =>
  [first, ...headers.map((h) => `  ${h.name}: ${h.value}  ${ids(h.trace)}`)].join("\n");

export function planText(plan: Plan): string {
  switch (plan.kind) {
    case "sip-request":
      return withHeaders(
        `${plan.method} ${plan.requestUri.value} SIP/2.0    → ${plan.towards.value} (${plan.routing.value})  ${ids(plan.requestUri.trace)}`,
        plan.headers,
      );
    case "skipped":
      return `(skipped) ${plan.method} → ${plan.towards.value}: ${plan.why}  ${ids(plan.trace)}`;
    case "forward-request":
      return `forward the received request → ${plan.towards.value}, body unchanged  ${ids(plan.trace)}`;
    case "forward-response":
      return `forward response ${plan.status.value} → ${plan.towards.value}, body unchanged  ${ids(plan.status.trace)}`;
    case "sip-response":
      return withHeaders(
        `SIP/2.0 ${plan.status.value} → ${plan.towards.value} (answers the ${plan.request} request)  ${ids(plan.status.trace)}`,
        plan.headers,
      );
    case "sip-cancel":
      return withHeaders(`CANCEL → ${plan.towards.value}  ${ids(plan.trace)}`, plan.headers);
    case "sip-bye":
      return withHeaders(`BYE → ${plan.towards.value} (built by that leg's dialog)  ${ids(plan.trace)}`, plan.headers);
    case "sip-ack":
      return `ACK → ${plan.towards.value}  ${ids(plan.trace)}`;
    case "h248-subtract":
      return `H.248 Context = ${plan.contextId} { Subtract = ${plan.terminationId} { Audit { } } }  (${plan.side} side)  ${ids(plan.trace)}`;
    case "state-update":
      return plan.set.map((s) => `state ${s.path} := ${JSON.stringify(s.value)}  ${ids(s.trace)}`).join("\n");
    case "state-release":
      return `release all state of the ${plan.entity}  ${ids(plan.trace)}`;
    case "release-indication":
      return `release indication for the dialog, cause ${plan.cause.value}  ${ids(plan.cause.trace)}`;
    case "log":
      return `log ${plan.level}: ${plan.message}  ${ids(plan.trace)}`;
  }
}
