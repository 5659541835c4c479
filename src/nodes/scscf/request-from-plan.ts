// A SipRequestPlan (every field decided by the rules, each with its clause ids) as a SIP request on the wire.
// The shell adds only what RFC 3261 leaves to the sender: the Via (transaction layer), Content-Length, and the
// strict-routing rewrite of §12.2.1.1 when the first Route is a strict router (no `lr`).
import type { SipRequestPlan } from "../../../generated/types/index.ts";
import { headerOf, makeHeader, routes, setHeader } from "../../sip/messages/header-access.ts";
import { canonicalHeaderName } from "../../sip/messages/header-names.ts";
import { NO_BODY, type SipHeader, type SipRequest } from "../../sip/messages/message.ts";
import { parseUri, uriParam } from "../../sip/messages/uri.ts";
import type { TracedField } from "../../trace/call-trace.ts";
import type { PlanAnnotation } from "../traced-transport.ts";

export class PlanError extends Error {}

export function requestFromPlan(plan: SipRequestPlan): SipRequest {
  const uri = parseUri(plan.requestUri.value.replace(/^<(.*)>$/, "$1"));
  if (!uri.ok) {
    throw new PlanError(
      `${plan.rule}: Request-URI ${JSON.stringify(plan.requestUri.value)}: expected ${uri.expected} at ${uri.offset}`,
    );
  }
  const req: SipRequest = {
    kind: "request",
    method: plan.method,
    uri: uri.uri,
    version: "SIP/2.0",
    headers: [],
    body: NO_BODY,
  };
  for (const h of plan.headers) {
    try {
      req.headers.push(plannedHeader(h.name, h.value));
    } catch (err) {
      throw new PlanError(`${plan.rule}: header ${h.name}: ${(err as Error).message}`);
    }
  }
  strictRoute(req);
  return req;
}

// The fields the stack reads of a request it sends get their structured value; the others go out as the plan
// wrote them (their values come from stored dialog state that was parsed when learnt, and from validated rule
// tables), checked only for what would break the message: a line break or a NUL.
const structuredOnSend = new Set(["Route", "Call-ID", "CSeq", "Max-Forwards", "Via", "Contact", "Content-Length"]);

function plannedHeader(name: string, value: string): SipHeader {
  const header = canonicalHeaderName(name);
  if (structuredOnSend.has(header)) return makeHeader(header, value);
  if (/[\r\n\0]/.test(value)) throw new Error(`expected a value on one line, found ${JSON.stringify(value)}`);
  return { name: header, value };
}

/** §12.2.1.1: a first Route without `lr` is a strict router: it becomes the Request-URI, the target goes last. */
function strictRoute(req: SipRequest): void {
  const rs = routes(req);
  if (rs.length === 0 || uriParam(rs[0].uri, "lr") !== undefined) return;
  const target = req.uri;
  req.uri = rs[0].uri;
  setHeader(req, headerOf("Route", [...rs.slice(1), { displayName: null, uri: target, params: [] }]));
}

/** The plan's fields with their clause ids, for the runtime audit trail: listed when the trace is read. */
export function annotationOf(plan: SipRequestPlan): PlanAnnotation {
  return { rule: plan.rule, trace: plan.trace, fields: () => planFields(plan) };
}

/** The planned headers are already { name, value, trace }: the list holds them, no copies. */
export function planFields(plan: SipRequestPlan): TracedField[] {
  return [
    { name: "Request-URI", value: plan.requestUri.value, trace: plan.requestUri.trace },
    ...plan.headers,
    { name: "routing", value: plan.routing.value, trace: plan.routing.trace },
  ];
}
