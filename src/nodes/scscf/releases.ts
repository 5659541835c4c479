// The S-CSCF's executor of TS 24.229 §5.4.5.1.2: it turns each event of a release (the network-internal
// indication, each BYE's final response or timeout, a request on a dialog under release) into ScscfFacts,
// lets the rules in force decide, stores the decided state atomically, then carries out the plans: BYEs built
// field by field from the plan, a CANCEL of an early dialog, a 481, log lines. It decides nothing itself.
import { randomInt } from "node:crypto";
import type {
  DialogRecord,
  Plan,
  RegistrarBinding,
  ReleaseOutcome,
  ScscfEvent,
  ScscfFacts,
  SipRequestPlan,
} from "../../../generated/types/index.ts";
import { makeHeader } from "../../sip/messages/header-access.ts";
import type { SipRequest, SipResponse } from "../../sip/messages/message.ts";
import { reasonPhrase } from "../../sip/messages/reason-phrases.ts";
import type { ProxyCore } from "../../sip/proxy/proxy-core.ts";
import { responseTo } from "../../sip/transactions/invite-server-transaction.ts";
import type { ServerTransaction } from "../../sip/transactions/server-transaction.ts";
import { destinationNow, nextHopUri } from "../../sip/transport/next-hop.ts";
import type { Destination } from "../../sip/transport/transport.ts";
import { applyStateUpdate } from "../apply-state.ts";
import { type Decided, decideOn, executePlans, type PlanExecutors } from "../decision-pipeline.ts";
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
  /** With a shared store: the lease of the releases this node runs (x-24.229:5.4.5.1.2/release-takeover). */
  lease?: ReleaseLease;
}

/** Who this node instance is to the store, and how long a release stays its own without a renewal. */
export interface ReleaseLease {
  owner: string;
  ms: number;
  now: () => number;
}

/** What one atomic step decided: the plans, and the record before and after. */
interface Step {
  decision: Decided;
  before: DialogRecord;
  after: DialogRecord | undefined;
  /** This node took the release over from an owner whose lease had lapsed. */
  taken?: boolean;
}

interface Ctx {
  callId: string;
  step: Step;
}

/** The outcome the x-24.229:5.4.5.1.2/bye-failure rules record for a failed BYE (a ReleaseOutcome of the schema). */
const failed: ReleaseOutcome = "failed";

// plan.schema.json PartyTowards: materialise gives no other value.
const towardsOf = (plan: { towards: { value: Towards } }): Towards => plan.towards.value;

export class ScscfReleases {
  /** Who waits for a release this node runs to end (its dialog released), by Call-ID. */
  private readonly waiters = new ReleaseWaiters();
  /** The releases this node runs under its lease, which it renews until they end (shared store only). */
  private readonly leased = new Set<string>();

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
    this.leased.delete(callId);
    this.waiters.end(callId);
  }

  /** A release under way whose owner (another node instance) let its lease lapse: it may be taken over. */
  lapsed(record: DialogRecord): boolean {
    const { lease } = this.deps;
    return (
      lease !== undefined &&
      record.dialog.state === "releasing" &&
      record.releaseOwner !== undefined &&
      record.releaseOwner !== lease.owner &&
      (record.releaseLeaseUntil ?? 0) <= lease.now()
    );
  }

  /**
   * Takes over a release whose owner's lease has lapsed: the rules in force decide what is left to do (the
   * release-takeover event: the BYEs sent and not answered, sent again as recorded), this node becomes the
   * owner in the same atomic update, and carries the plans out. False when there was nothing to take over.
   */
  async takeOver(callId: string): Promise<boolean> {
    const record = await this.deps.dialogs.get(callId);
    if (!record || !this.lapsed(record)) return false;
    const bindings = await this.bindingsOf(record);
    const step = await this.decide(callId, { type: "release-takeover" }, bindings, false, undefined, undefined, true);
    if (!step?.taken) return false;
    this.log.info({ callId, from: record.releaseOwner }, "release taken over: its owner's lease lapsed");
    this.execute(callId, step);
    return true;
  }

  /** Renews the lease of each release this node runs that would lapse within half a lease. */
  async renewLeases(): Promise<void> {
    const { lease } = this.deps;
    if (!lease) return;
    const due = lease.now() + lease.ms / 2;
    await Promise.all(
      [...this.leased].map(async (callId) => {
        // Its own lease still running: the record is the one this node wrote last, nobody else writes it.
        const own = this.deps.dialogs.held(callId);
        const r =
          own?.releaseOwner === lease.owner && (own.releaseLeaseUntil ?? 0) > lease.now()
            ? own
            : await this.deps.dialogs.get(callId);
        // Renewed while a BYE of it is out (its outcome ends it, Timer F at the latest), so a lease never outlives
        // its release's work.
        const { release } = r?.dialog ?? {};
        const out = release?.byeToCalled === "sent" || release?.byeToCalling === "sent";
        if (!r || !out || r.dialog.state !== "releasing" || r.releaseOwner !== lease.owner) {
          this.leased.delete(callId);
          return;
        }
        if ((r.releaseLeaseUntil ?? 0) > due) return;
        await this.deps.dialogs.update(callId, (cur) =>
          cur?.releaseOwner === lease.owner && cur.dialog.state === "releasing"
            ? { ...cur, releaseLeaseUntil: lease.now() + lease.ms }
            : cur,
        );
      }),
    );
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
    // The parties' registrations are looked up by the dialog's From and To AoRs, which stay as they are once it is
    // confirmed: this node's copy of a confirmed dialog names them without a read (the decision's atomic update
    // works on the record as stored, and finds it gone if it is).
    const held = this.deps.dialogs.held(callId);
    const record = held?.dialog.state === "confirmed" ? held : await this.deps.dialogs.get(callId);
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

  /**
   * The initial INVITE was answered 2xx: the shell learns what the 2xx says (`learn`) and the rules decide in the
   * same atomic update (x-24.229:5.4.5.1.2/2xx-crossing-release: a release it crossed goes on with BYEs).
   */
  async inviteAnswered(
    callId: string,
    learn: (record: DialogRecord) => DialogRecord,
  ): Promise<DialogRecord | undefined> {
    const step = await this.decide(callId, { type: "invite-2xx" }, [], false, undefined, learn);
    if (!step) return undefined;
    this.execute(callId, step);
    return step.after;
  }

  private async bindingsOf(record: DialogRecord): Promise<RegistrarBinding[]> {
    const aors = [aorOfHeader(record.dialog.fromOfInvite), aorOfHeader(record.dialog.toOf200)].filter(
      (a): a is string => a !== undefined,
    );
    return this.deps.registrar.bindingsFor(aors);
  }

  /**
   * Plans the event against the stored dialog and writes the state the plans decide (state-update, state-release),
   * in one atomic update (pure inside: with a shared store it may run again on a conflicting write). The shell
   * writes only its own bookkeeping: the rule version a release started under.
   */
  private async decide(
    callId: string,
    event: ScscfEvent,
    bindings: RegistrarBinding[],
    starting: boolean,
    /** The rule version a starting release uses (default: the rules in force). */
    startDigest?: string,
    /** What the shell learnt from the wire event, written before the rules decide. */
    learn?: (record: DialogRecord) => DialogRecord,
    /** Only if the release's owner let its lease lapse (release-takeover): this node becomes its owner. */
    takeover = false,
  ): Promise<Step | undefined> {
    const { shell, lease } = this.deps;
    // The random CSeq is a fact only a release's start can use (items 1.e-4.e): drawn for that alone.
    const random = { cseq: event.type === "release-indication" ? randomInt(1, 2 ** 31) : 1 };
    let step: Step | undefined;
    await this.deps.dialogs.update(callId, (stored) => {
      step = undefined;
      if (!stored) return undefined;
      // Another node took it over first (or the owner came back): leave the record as it is.
      if (takeover && !this.lapsed(stored)) return stored;
      const current = learn ? learn(stored) : stored;
      const digest = starting ? startDigest : current.releaseDigest;
      const policy = shell.policyFor(digest);
      const facts: ScscfFacts = { event, dialog: current.dialog, bindings, policy, random };
      const decision = decideOn(shell.rules, "scscf", facts, `dialog ${callId}`, digest);
      let dialog = current.dialog;
      let released = false;
      for (const p of decision.plans) {
        if (p.kind === "state-update") dialog = applyStateUpdate("dialog", dialog, p);
        else if (p.kind === "state-release") released = true;
      }
      let after: DialogRecord | undefined;
      if (!released) {
        const started = starting && decision.plans.length > 0;
        // The stored record is never changed in place: a new one when anything changes, else the same.
        after = dialog === current.dialog && !started ? current : { ...current, dialog };
        if (started) {
          after.releaseDigest = decision.digest;
          const rule = current.releaseRule ?? releaseStartOf("scscf", decision.plans);
          if (rule !== undefined) after.releaseRule = rule;
        }
        if (
          lease &&
          after.dialog.state === "releasing" &&
          (started || takeover || current.releaseOwner === lease.owner)
        )
          after = { ...after, releaseOwner: lease.owner, releaseLeaseUntil: lease.now() + lease.ms };
      }
      step = { decision, before: current, after, taken: takeover };
      return after;
    });
    if (lease && step) {
      if (step.after?.releaseOwner === lease.owner) this.leased.add(callId);
      else this.leased.delete(callId);
    }
    return step;
  }

  /** Carries out a step's plans, in order, each by the function for its kind. */
  private execute(callId: string, step: Step): void {
    this.logPlans(callId, step.decision.plans);
    void executePlans(step.decision.plans, this.executors, { callId, step });
  }

  /** One function per plan kind. State was written with the decision; what is left is the wire and the count. */
  private readonly executors: PlanExecutors<Ctx> = {
    "sip-request": (plan, { callId }) => this.sendRequest(callId, plan),
    "sip-cancel": (plan, { callId, step }) => this.cancelEarly(callId, plan, step.decision.plans),
    // The 487 of an early dialog goes with its CANCEL (cancelEarly); a 481 is answered by the proxy.
    "sip-response": () => {},
    skipped: () => {},
    "release-indication": (plan, { callId, step }) =>
      void this.release(callId, plan.cause.value, undefined, step.after?.releaseDigest).catch((err) =>
        this.log.error({ callId, rule: plan.rule, err: (err as Error).message }, "release indication not carried out"),
      ),
    // Under the rule that started the release, as its start was counted (one label set for all three).
    "state-update": (plan, { step }) => {
      const { metrics } = this.deps.shell;
      if (plan.set.some((s) => s.value === failed))
        metrics.countRule(metrics.releasesFailed, step.before.releaseRule ?? plan.rule);
    },
    "state-release": (plan, { callId, step }) => {
      const { metrics } = this.deps.shell;
      metrics.countRule(metrics.releasesCompleted, step.before.releaseRule ?? plan.rule);
      this.end(callId);
    },
    log: (plan, { callId }) => {
      if (!this.log.isLevelEnabled(plan.level)) return;
      this.log[plan.level]({ callId, rule: plan.rule, trace: plan.trace }, plan.message);
    },
    "forward-request": (plan, ctx) => this.notMine(plan, ctx),
    "forward-response": (plan, ctx) => this.notMine(plan, ctx),
    "sip-ack": (plan, ctx) => this.notMine(plan, ctx),
    "sip-bye": (plan, ctx) => this.notMine(plan, ctx),
    "h248-subtract": (plan, ctx) => this.notMine(plan, ctx),
  };

  /** A plan kind of the GMSC's vocabulary in an S-CSCF rule: a rule file's fault, logged, nothing sent. */
  private notMine(plan: Plan, { callId }: Ctx): void {
    this.log.error({ callId, rule: plan.rule }, `plan ${plan.kind} has no meaning on the S-CSCF`);
  }

  private logPlans(callId: string, plans: Plan[]): void {
    // Every executed plan is logged with its rule and clause ids (log plans by their own executor).
    if (!this.log.isLevelEnabled("info")) return;
    for (const p of plans)
      if (p.kind !== "log") this.log.info({ callId, rule: p.rule, trace: p.trace, plan: p }, `plan ${p.kind}`);
  }

  /** TS 24.229 §5.4.5.1.1: CANCEL the INVITE downstream, the planned response (487) upstream, both traced. */
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
      annotate(response, {
        rule: answer.rule,
        trace: answer.trace,
        fields: [{ name: "status", value: String(answer.status.value), trace: answer.status.trace }, ...answer.headers],
      });
    }
    this.deps.proxy.cancelForwarded(server, headers, response, (sent) =>
      annotate(sent, { rule: cancel.rule, trace: cancel.trace, fields: cancel.headers }),
    );
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
      if (step) this.execute(callId, step);
    } catch (err) {
      this.log.error({ callId, event, err: (err as Error).message }, "BYE outcome not recorded");
    }
  }
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
