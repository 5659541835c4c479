// The S-CSCF's executor of TS 24.229 §5.4.5.1.2: it turns each event of a release (the network-internal
// indication, each BYE's final response or timeout, a request on a dialog under release) into ScscfFacts,
// lets the rules in force decide, stores the decided state atomically, then carries out the plans: BYEs built
// field by field from the plan, a CANCEL of an early dialog, a 481, log lines. It decides nothing itself.
import { randomInt } from "node:crypto";
import type {
  Decision,
  DialogRecord,
  Plan,
  RegistrarBinding,
  ScscfEvent,
  ScscfFacts,
  SipRequestPlan,
} from "../../../generated/types/index.ts";
import { makeHeader } from "../../sip/header-access.ts";
import { responseTo } from "../../sip/invite-server-transaction.ts";
import type { SipRequest, SipResponse } from "../../sip/message.ts";
import { destinationNow, nextHopUri } from "../../sip/next-hop.ts";
import type { ProxyCore } from "../../sip/proxy-core.ts";
import { reasonPhrase } from "../../sip/reason-phrases.ts";
import type { ServerTransaction } from "../../sip/server-transaction.ts";
import type { Destination } from "../../sip/transport.ts";
import { applyStateUpdate } from "../apply-state.ts";
import type { NodeShell } from "../node-shell.ts";
import { releaseStartOf } from "../release-rules.ts";
import { annotate } from "../traced-transport.ts";
import type { DialogRecords } from "./dialog-records.ts";
import { aorOfHeader } from "./party-identity.ts";
import type { Registrar } from "./registrar.ts";
import { ReleaseWaiters, type Wait } from "./release-waiters.ts";
import { annotationOf, requestFromPlan } from "./request-from-plan.ts";

export type ReleaseResult =
  | { status: "started"; callId: string; digest: string; plans: Plan[] }
  | { status: "not-found"; callId: string }
  | { status: "nothing-to-do"; callId: string; state: string };

type Towards = "called" | "calling";

export interface ReleasesDeps {
  shell: NodeShell;
  dialogs: DialogRecords;
  registrar: Registrar;
  proxy: ProxyCore;
  /** The server transaction of each initial INVITE still unanswered, by Call-ID (to cancel an early dialog). */
  pendingInvites: Map<string, ServerTransaction>;
  /**
   * Internal service control (items 1.i and 4.i): where the S-CSCF's own in-dialog processing sends a request
   * it treats as received from the served user. Items 2.i and 3.i send directly.
   */
  serviceControl(req: SipRequest): Destination | Promise<Destination>;
}

/** What one atomic step decided: the plans, and the record before and after. */
interface Step {
  decision: Decision & { digest: string };
  before: DialogRecord;
  after: DialogRecord | undefined;
}

const towardsOf = (plan: { towards: { value: string } }): Towards =>
  plan.towards.value === "calling" ? "calling" : "called";

export class ScscfReleases {
  /** Who waits for a release this node runs to end (its dialog released), by Call-ID. */
  private readonly waiters = new ReleaseWaiters();

  constructor(private readonly deps: ReleasesDeps) {}

  /**
   * Calls `onEnd` when the dialog's release, as run by this node, has ended (all its state released), or after
   * `boundMs` at the latest (a BYE lost with its node, a record expired): a bulk release paces itself on it.
   */
  whenEnded(callId: string, boundMs: number, onEnd: () => void): Wait {
    return this.waiters.wait(callId, boundMs, onEnd);
  }

  /**
   * Gives up a wait of `whenEnded` (its release did not start): `onEnd` will not be called. False if it has been
   * called already (the bound passed first).
   */
  giveUp(wait: Wait): boolean {
    return this.waiters.cancel(wait);
  }

  private end(callId: string): void {
    this.waiters.end(callId);
  }

  private get log() {
    return this.deps.shell.log;
  }

  /** The causes the rules in force know (the Reason table's keys), for the admin API's validation. */
  knownCauses(): string[] {
    const table = this.deps.shell.rules.version().tables.reasonByCause as Record<string, unknown> | undefined;
    return Object.keys(table ?? {}).filter((k) => k !== "default");
  }

  /**
   * A network-internal indication to release the session (the clause's trigger), with its cause and, if the
   * operator gave one, the Reason text for the BYEs.
   */
  async release(callId: string, cause: string, text?: string, digest?: string): Promise<ReleaseResult> {
    const record = await this.deps.dialogs.get(callId);
    if (!record) return { status: "not-found", callId };
    const bindings = await this.bindingsOf(record);
    const event: ScscfEvent = { type: "release-indication", cause, ...(text === undefined ? {} : { text }) };
    const step = await this.decide(callId, event, bindings, true, digest);
    if (!step) return { status: "not-found", callId };
    const acting = step.decision.plans.filter((p) => p.kind !== "log");
    if (acting.length === 0) return { status: "nothing-to-do", callId, state: step.before.dialog.state };
    // Counted once per release: a release that goes on (a 2xx crossed its CANCEL) was counted when it started.
    const { metrics } = this.deps.shell;
    if (!step.before.releaseRule && step.after?.releaseRule)
      metrics.countRule(metrics.releasesStarted, step.after.releaseRule);
    this.execute(callId, step);
    return { status: "started", callId, digest: step.decision.digest, plans: step.decision.plans };
  }

  /** A request arrived on a dialog under release: what the rules answer, if anything (481). */
  async inDialogRequest(callId: string, method: string): Promise<Plan[]> {
    const step = await this.decide(callId, { type: "in-dialog-request", method }, [], false);
    if (!step) return [];
    this.logPlans(callId, step.decision.plans);
    return step.decision.plans;
  }

  /** A 2xx crossed the CANCEL of an early dialog under release: the dialog is confirmed, release it with BYEs. */
  async confirmedWhileReleasing(callId: string): Promise<void> {
    const record = await this.deps.dialogs.get(callId);
    if (!record) return;
    // The same release goes on: under the rules it started with, for the cause it was given.
    await this.release(callId, record.releaseCause ?? "administrative", undefined, record.releaseDigest);
  }

  private async bindingsOf(record: DialogRecord): Promise<RegistrarBinding[]> {
    const aors = [aorOfHeader(record.dialog.fromOfInvite), aorOfHeader(record.dialog.toOf200)].filter(
      (a): a is string => a !== undefined,
    );
    return this.deps.registrar.bindingsFor(aors);
  }

  /**
   * Plans the event against the stored dialog and writes the state the plans decide, in one atomic update
   * (pure inside: with a shared store it may run again on a conflicting write). Observations of the shell —
   * a BYE sent, a BYE skipped by policy — are recorded alongside.
   */
  private async decide(
    callId: string,
    event: ScscfEvent,
    bindings: RegistrarBinding[],
    starting: boolean,
    /** The rule version a starting release uses (default: the rules in force). */
    startDigest?: string,
  ): Promise<Step | undefined> {
    const { shell } = this.deps;
    // The random CSeq is a fact only a release's start can use (items 2.e, 4.e): drawn for that alone.
    const random = { cseq: event.type === "release-indication" ? randomInt(1, 2 ** 31) : 1 };
    let step: Step | undefined;
    await this.deps.dialogs.update(callId, (current) => {
      step = undefined;
      if (!current) return undefined;
      const facts: ScscfFacts = { event, dialog: current.dialog, bindings, policy: shell.policy, random };
      const decision = shell.rules.plan(facts, starting ? startDigest : current.releaseDigest);
      let dialog = current.dialog;
      let released = false;
      let byeCSeq = current.byeCSeq;
      for (const p of decision.plans) {
        if (p.kind === "state-update") dialog = applyStateUpdate("dialog", dialog, p);
        else if (p.kind === "state-release") released = true;
        else if (p.kind === "sip-request" && p.method === "BYE") {
          const towards = towardsOf(p);
          dialog = withOutcome(dialog, towards, "sent");
          const seq = Number.parseInt(p.headers.find((h) => h.name === "CSeq")?.value ?? "", 10);
          if (Number.isInteger(seq)) byeCSeq = { ...byeCSeq, [towards]: seq };
        } else if (p.kind === "skipped") dialog = withOutcome(dialog, towardsOf(p), "skipped");
      }
      let after: DialogRecord | undefined;
      if (!released) {
        const started = starting && decision.plans.length > 0;
        // The stored record is never changed in place: a new one when anything changes, else the same.
        after = dialog === current.dialog && byeCSeq === current.byeCSeq && !started ? current : { ...current, dialog };
        if (byeCSeq !== current.byeCSeq) after.byeCSeq = byeCSeq;
        if (started) {
          after.releaseDigest = decision.digest;
          after.releaseCause = event.cause ?? "administrative";
          const rule = current.releaseRule ?? releaseStartOf("scscf", decision.plans);
          if (rule !== undefined) after.releaseRule = rule;
        }
      }
      step = { decision, before: current, after };
      return after;
    });
    return step;
  }

  /** Carries out a step's plans, in order. */
  private execute(callId: string, step: Step): void {
    const { plans } = step.decision;
    this.logPlans(callId, plans);
    const cancel = plans.find((p) => p.kind === "sip-cancel");
    if (cancel) this.cancelEarly(callId, cancel, plans);
    for (const p of plans) if (p.kind === "sip-request") void this.sendRequest(callId, p);
  }

  private logPlans(callId: string, plans: Plan[]): void {
    // Every executed plan is logged with its rule and clause ids; nothing is built for a level that is off.
    const info = this.log.isLevelEnabled("info");
    for (const p of plans) {
      if (!info && !(p.kind === "log" && p.level !== "info" && this.log.isLevelEnabled(p.level))) continue;
      if (p.kind === "log") {
        this.log[p.level === "warn" ? "warn" : p.level === "error" ? "error" : "info"](
          { callId, rule: p.rule, trace: p.trace },
          p.message,
        );
      } else {
        this.log.info({ callId, rule: p.rule, trace: p.trace, plan: p }, `plan ${p.kind}`);
      }
    }
  }

  /** x-24.229:5.4.5.1.2/early-dialog: CANCEL the INVITE downstream, the planned response (487) upstream. */
  private cancelEarly(callId: string, cancel: Extract<Plan, { kind: "sip-cancel" }>, plans: Plan[]): void {
    const server = this.deps.pendingInvites.get(callId);
    if (!server) {
      this.log.warn({ callId, rule: cancel.rule }, "early dialog to cancel has no pending INVITE here");
      return;
    }
    const headers = cancel.headers.map((h) => makeHeader(h.name, h.value));
    const answer = plans.find((p) => p.kind === "sip-response" && p.request === "invite");
    let response: ReturnType<typeof responseTo> | undefined;
    if (answer?.kind === "sip-response") {
      response = responseTo(server.request, answer.status.value, reasonPhrase(answer.status.value), "cd-early");
      for (const h of answer.headers) response.headers.push(makeHeader(h.name, h.value));
      annotate(response, { rule: answer.rule, trace: answer.trace });
    }
    this.deps.proxy.cancelForwarded(server, headers, response);
  }

  /** Builds the BYE the plan describes and sends it in a client transaction; its outcome is the next event. */
  private sendRequest(callId: string, plan: SipRequestPlan): void {
    const towards = towardsOf(plan);
    let req: SipRequest;
    let dest: Destination | Promise<Destination>;
    try {
      req = requestFromPlan(plan);
      annotate(req, annotationOf(plan));
      // Most next hops are IP addresses: no promise, no lookup. A name or a GRUU takes the long way.
      dest =
        plan.routing.value === "internal-service-control"
          ? this.deps.serviceControl(req)
          : destinationNow(nextHopUri(req));
    } catch (err) {
      this.cannotSend(callId, plan, towards, err);
      return;
    }
    if (!(dest instanceof Promise)) {
      this.transmit(callId, towards, req, dest);
      return;
    }
    dest.then(
      (d) => this.transmit(callId, towards, req, d),
      (err) => this.cannotSend(callId, plan, towards, err),
    );
  }

  private cannotSend(callId: string, plan: SipRequestPlan, towards: Towards, err: unknown): void {
    this.log.error({ callId, rule: plan.rule, err: (err as Error).message }, "BYE could not be sent");
    void this.byeOutcome(callId, { type: "bye-response", towards, status: 503 });
  }

  private transmit(callId: string, towards: Towards, req: SipRequest, dest: Destination): void {
    this.deps.proxy.sendRequest(req, dest, new ByeOutcome(this, callId, towards));
  }

  /** A BYE's final response or timeout, once: observed, then planned. */
  byeEnded(callId: string, event: ScscfEvent, sentAt: number): void {
    this.deps.shell.metrics.observeByeLatency((performance.now() - sentAt) / 1000);
    void this.byeOutcome(callId, event);
  }

  /** A BYE's final response or timeout: the rules record it, and release the dialog when both are done. */
  private async byeOutcome(callId: string, event: ScscfEvent): Promise<void> {
    try {
      const step = await this.decide(callId, event, [], false);
      if (!step) return;
      const { metrics } = this.deps.shell;
      this.logPlans(callId, step.decision.plans);
      for (const p of step.decision.plans) {
        // Under the rule that started the release, as its start was counted.
        const rule = step.before.releaseRule ?? p.rule;
        if (p.kind === "state-release") {
          metrics.countRule(metrics.releasesCompleted, rule);
          this.end(callId);
        }
        if (p.kind === "state-update" && p.set.some((s) => s.value === "failed"))
          metrics.countRule(metrics.releasesFailed, rule);
      }
    } catch (err) {
      this.log.error({ callId, event, err: (err as Error).message }, "BYE outcome not recorded");
    }
  }
}

function withOutcome(dialog: DialogRecord["dialog"], towards: Towards, outcome: "sent" | "skipped") {
  const key = towards === "called" ? "byeToCalled" : "byeToCalling";
  return { ...dialog, release: { ...dialog.release, [key]: outcome } };
}

/** The transaction user of one BYE: its final response, Timer F, or a transport error is the next event. */
class ByeOutcome {
  private readonly sentAt = performance.now();
  private done = false;

  constructor(
    private readonly releases: ScscfReleases,
    private readonly callId: string,
    private readonly towards: Towards,
  ) {}

  private end(event: ScscfEvent): void {
    if (this.done) return;
    this.done = true;
    this.releases.byeEnded(this.callId, event, this.sentAt);
  }

  onResponse(res: SipResponse): void {
    if (res.status >= 200) this.end({ type: "bye-response", towards: this.towards, status: res.status });
  }

  onTimeout(): void {
    this.end({ type: "bye-timeout", towards: this.towards });
  }

  /** RFC 3261 §8.1.3.1: a transport error counts as a 503. */
  onTransportError(): void {
    this.end({ type: "bye-response", towards: this.towards, status: 503 });
  }
}
