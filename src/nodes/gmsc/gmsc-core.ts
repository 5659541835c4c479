// The GMSC's one path from a wire event to the wire: the event becomes GmscFacts (validated at this boundary),
// the rules in force decide (or, for a clearing under way, the version it started under), the executor carries out
// every plan, and the call record is written back — or dropped once both legs and every termination are released.
import type { Logger } from "pino";
import type { CallRecord, GmscFacts, Plan } from "../../../generated/types/index.ts";
import { headerOf } from "../../sip/messages/header-access.ts";
import type { SipHeader } from "../../sip/messages/message.ts";
import { decideOn, executePlans } from "../decision-pipeline.ts";
import type { NodeShell } from "../node-shell.ts";
import type { CallTable } from "./call-table.ts";
import type { GmscContext, GmscServices, WireEvent } from "./gmsc-context.ts";
import type { MediaGateway } from "./media-gateway.ts";
import { gmscExecutors } from "./plan-executor.ts";
import type { RoutingTable } from "./routing-table.ts";

export type { WireEvent };

export interface Decided {
  record: CallRecord;
  plans: Plan[];
  digest: string;
}

/** The rule whose plans start a clearing: the one setting call.clearing (a required CallState fact). */
function clearingRuleOf(plans: Plan[]): string | undefined {
  return plans.find(
    (p) => p.kind === "state-update" && p.set.some((s) => s.path === "call.clearing" && s.value === true),
  )?.rule;
}

const NONE_CLAIMED: ReadonlySet<string> = new Set<string>();

export class GmscCore implements GmscServices {
  readonly log: Logger;
  /** The Contact last built, for the sent-by it was built from (formatted once, not per response). */
  private contactOf?: { host: string; port: number; header: SipHeader };

  constructor(
    readonly shell: NodeShell,
    readonly calls: CallTable,
    readonly media: MediaGateway,
    readonly routes: RoutingTable,
  ) {
    this.log = shell.log;
  }

  /** The GMSC's Contact on both legs (RFC 3261 §8.1.1.8): its UDP sent-by. */
  get contact(): SipHeader {
    const { host, port } = this.shell.transport.sentBy("UDP", 4);
    const known = this.contactOf;
    if (known !== undefined && known.host === host && known.port === port) return known.header;
    const header = headerOf("Contact", [
      {
        displayName: null,
        uri: { scheme: "sip", user: null, password: null, host, port, params: [], headers: [] },
        params: [],
      },
    ]);
    this.contactOf = { host, port, header };
    return header;
  }

  /** Decides on one event with the call as it is in `record`, and executes the plans. The caller stores the result. */
  async decide(key: string, record: CallRecord, wire: WireEvent): Promise<Decided> {
    const facts: GmscFacts = { event: wire.event, call: record.call, policy: this.shell.policy };
    const decision = decideOn(this.shell.rules, "gmsc", facts, key, record.clearingDigest);
    const startedBy = record.call.clearing ? undefined : clearingRuleOf(decision.plans);
    let start = record;
    if (startedBy !== undefined) {
      // The clearing finishes under this rule version and is counted under this rule, on whichever node ends it.
      start = { ...record, clearingDigest: decision.digest, clearingEvent: wire.event.type, clearingRule: startedBy };
      this.shell.metrics.countRule(this.shell.metrics.releasesStarted, startedBy);
    }
    // §7.3.4 never twice, across nodes too: the terminations to subtract are claimed in the store first, with the
    // call as this event has it (terminations just seized, not yet written) merged in.
    const subtracts = decision.plans.filter((p) => p.kind === "h248-subtract");
    const claimed =
      subtracts.length === 0
        ? NONE_CLAIMED
        : await this.calls.claim(
            key,
            subtracts.map((p) => ({ contextId: p.contextId, terminationId: p.terminationId })),
            start,
          );
    const ctx: GmscContext = { g: this, key, wire, rt: this.calls.runtime(key), claimed, record: start };
    await executePlans(decision.plans, gmscExecutors, ctx);
    // Built only when it is written: under load the level is warn, and this runs several times a call.
    if (this.log.isLevelEnabled("info"))
      this.log.info(
        {
          callId: key,
          event: wire.event,
          digest: decision.digest,
          plans: decision.plans.map((p) => ({ kind: p.kind, rule: p.rule, trace: p.trace })),
        },
        "decided",
      );
    return { record: ctx.record, plans: decision.plans, digest: decision.digest };
  }

  /** Writes the record back; the call is removed when nothing of it is left (both legs over, nothing seized). */
  async finish(key: string, record: CallRecord): Promise<void> {
    const { ended } = await this.calls.write(key, record);
    if (ended === undefined) return;
    this.log.info({ callId: key, owner: this.shell.name }, "call released");
    if (ended.clearingRule !== undefined)
      this.shell.metrics.countRule(this.shell.metrics.releasesCompleted, ended.clearingRule);
  }

  /** Handles an event after those queued before it for the call: observed into the record (`observe`), decided,
   * executed, stored. Undefined when the call is gone; an error when the event could not be handled. */
  handle(key: string, wire: WireEvent, observe?: (r: CallRecord) => CallRecord): Promise<Decided | undefined> {
    return this.calls.run(key, async () => {
      const current = await this.calls.get(key);
      if (current === undefined) return undefined;
      const decided = await this.decide(key, observe ? observe(current) : current, wire);
      await this.finish(key, decided.record);
      return decided;
    });
  }

  /** `handle` for events from the wire, whose errors have nobody to go back to but the log. */
  queue(key: string, wire: WireEvent, observe?: (r: CallRecord) => CallRecord): Promise<Decided | undefined> {
    return this.handle(key, wire, observe).catch((err: unknown) => {
      this.log.error({ callId: key, event: wire.event, err: (err as Error).message }, "event not handled");
      return undefined;
    });
  }
}
