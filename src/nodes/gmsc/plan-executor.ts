// The GMSC's executor: one function per plan kind (decision-pipeline.ts PlanExecutors). The SIP kinds are in
// sip-executors.ts; here the H.248 Release Termination, the state the rules set, and the rest. It decides nothing:
// which terminations to subtract, which state to write, come from the plans.

import { applyStateUpdate } from "../apply-state.ts";
import type { PlanExecutors, PlanOf } from "../decision-pipeline.ts";
import { refKey } from "./call-records.ts";
import type { GmscContext } from "./gmsc-context.ts";
import { sipExecutors } from "./sip-executors.ts";

/** §7.3.4 Release Termination of a termination the plan names (materialise chose the seized ones). */
function subtract(plan: PlanOf<"h248-subtract">, c: GmscContext): void {
  const { g, key } = c;
  // What the record says of the termination now (no longer seized) is the rule's state-update after this plan.
  if (!c.claimed.has(refKey({ contextId: plan.contextId, terminationId: plan.terminationId }))) {
    g.log.warn(
      { callId: key, rule: plan.rule, terminationId: plan.terminationId },
      "termination already released in the store (by another node): no second Subtract",
    );
    return;
  }
  // Sent now, in plan order; the SIP side does not wait for the MGW's reply (a silent MGW is an alarm).
  const rule = c.record.clearingRule ?? plan.rule;
  void g.media.releaseTermination(key, plan).then((ok) => {
    if (!ok) g.shell.metrics.countRule(g.shell.metrics.releasesFailed, rule);
  });
}

const notForGmsc = (plan: { kind: string; rule: string }, c: GmscContext) =>
  c.g.log.warn({ callId: c.key, rule: plan.rule, kind: plan.kind }, "plan kind the GMSC does not execute");

export const gmscExecutors: PlanExecutors<GmscContext> = {
  ...sipExecutors,
  "h248-subtract": subtract,
  "state-update": (plan, c) => {
    c.record = { ...c.record, call: applyStateUpdate("call", c.record.call, plan) };
  },
  // The call's information goes when its record says both legs and every termination are over (the rules plan
  // those state updates); a state-release of its own has nothing more to remove.
  "state-release": (plan, c) =>
    c.g.log.info({ callId: c.key, rule: plan.rule, entity: plan.entity }, "call information released"),
  log: (plan, c) => c.g.log[plan.level]({ callId: c.key, rule: plan.rule, trace: plan.trace }, plan.message),
  "sip-request": notForGmsc,
  skipped: notForGmsc,
  "release-indication": notForGmsc,
};
