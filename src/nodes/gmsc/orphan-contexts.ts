// After the MGW registers again, the contexts it holds for no call of the GMSC (cleared while the MGW was silent,
// or before a restart) go to the rules as orphan-context events, one per context, its terminations as the call's
// (x-23.231:7.3.4/orphan-context). The rules' Release Terminations are sent and traced under the context's name.
import type { CallState, GmscFacts } from "../../../generated/types/index.ts";
import { decideOn, executePlans, type PlanExecutors } from "../decision-pipeline.ts";
import type { GmscCore } from "./gmsc-core.ts";

interface OrphanContext {
  g: GmscCore;
  /** The name its trace and log lines go under. */
  name: string;
}

const notForAContext = (plan: { kind: string; rule: string }, c: OrphanContext) =>
  c.g.log.warn({ context: c.name, rule: plan.rule, kind: plan.kind }, "plan kind not executed for an MGW context");

const orphanExecutors: PlanExecutors<OrphanContext> = {
  "h248-subtract": async (plan, c) => {
    if (!(await c.g.media.releaseTermination(c.name, plan))) return;
    c.g.log.warn(
      { contextId: plan.contextId, terminationId: plan.terminationId, rule: plan.rule },
      "subtracted a termination no call holds",
    );
  },
  log: (plan, c) => c.g.log[plan.level]({ context: c.name, rule: plan.rule, trace: plan.trace }, plan.message),
  "sip-request": notForAContext,
  skipped: notForAContext,
  "forward-request": notForAContext,
  "forward-response": notForAContext,
  "sip-response": notForAContext,
  "sip-cancel": notForAContext,
  "sip-bye": notForAContext,
  "sip-ack": notForAContext,
  "state-update": notForAContext,
  "state-release": notForAContext,
  "release-indication": notForAContext,
};

/** A context no call holds, as the call state the rules read: no leg, its terminations seized (in the Add's order). */
function orphanCall(name: string, contextId: number, terminationIds: string[]): CallState {
  const none = { state: "none", provisionalReceived: false, finalResponseReceived: false } as const;
  return {
    callId: name,
    preceding: { ...none },
    succeeding: { ...none },
    terminations: terminationIds.map((id, i) => ({
      id,
      contextId: String(contextId),
      side: i === 0 ? "originating" : "destination",
      seized: true,
    })),
    cancelRequested: false,
    cancelPending: false,
    clearing: false,
  };
}

export async function auditOrphanContexts(g: GmscCore): Promise<void> {
  const known = new Set<string>();
  for (const key of await g.calls.keys()) {
    const r = await g.calls.get(key);
    for (const t of r?.call.terminations ?? []) if (t.seized) known.add(t.contextId);
  }
  let orphans: Awaited<ReturnType<GmscCore["media"]["orphanContexts"]>>;
  try {
    orphans = await g.media.orphanContexts(known);
  } catch (err) {
    g.media.alarm(err, undefined, { command: "AuditValue" });
    return;
  }
  for (const { contextId, terminationIds } of orphans) {
    const name = `mgw-context-${contextId}`;
    const facts: GmscFacts = {
      event: { type: "orphan-context" },
      call: orphanCall(name, contextId, terminationIds),
      policy: g.shell.policy,
    };
    const decision = decideOn(g.shell.rules, "gmsc", facts, name);
    g.log.info({ context: name, digest: decision.digest, plans: decision.plans.map((p) => p.rule) }, "decided");
    await executePlans(decision.plans, orphanExecutors, { g, name });
  }
  g.log.info({ orphans: orphans.map((o) => o.contextId) }, "MGW audit done");
}
