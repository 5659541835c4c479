// The GMSC's use of its MGW over the Mc interface (TS 23.205/29.232 on H.248.1): seize two terminations for a
// call (Add in a new context, g/cause armed), set the remote media, Release Termination (Subtract), and after the
// MGW comes back, audit the contexts it holds for no call. A failure never stops the SIP side: it is an
// alarm in the log (level error, an "alarm" field) and the call is cleared all the same.
import type { Logger } from "pino";
import type { H248SubtractPlan } from "../../../generated/types/index.ts";
import { H248TimeoutError, type MediaGatewayController } from "../../h248/mgc.ts";
import type { NodeMetrics } from "../../metrics/metrics.ts";
import type { CallTraces } from "../../trace/call-trace.ts";

export interface SeizedMedia {
  contextId: string;
  originating: { terminationId: string; localSdp?: string };
  destination: { terminationId: string; localSdp?: string };
}

export interface MediaOptions {
  localDescriptor: string;
  bearerEventsRequestId: number;
}

export const defaultMedia: MediaOptions = {
  localDescriptor: "v=0\r\nc=IN IP4 $\r\nm=audio $ RTP/AVP 0\r\n",
  bearerEventsRequestId: 1,
};

const MGW = "MGW";

export class MediaGateway {
  constructor(
    readonly mgc: MediaGatewayController,
    private readonly log: Logger,
    private readonly traces: Pick<CallTraces, "record">,
    private readonly self: string,
    private readonly media: MediaOptions = defaultMedia,
    private readonly metrics?: NodeMetrics,
  ) {}

  /** One H.248 transaction to the MGW, counted by command and outcome (replied, error, timeout). */
  private async counted<T>(command: string, request: Promise<T>): Promise<T> {
    try {
      const result = await request;
      this.metrics?.h248Transactions.inc({ command, outcome: "replied" });
      return result;
    } catch (err) {
      this.metrics?.h248Transactions.inc({ command, outcome: err instanceof H248TimeoutError ? "timeout" : "error" });
      throw err;
    }
  }

  private trace(
    callId: string,
    label: string,
    direction: "sent" | "received",
    note?: { rule: string; trace: string[] },
  ) {
    this.traces.record(callId, {
      protocol: "H.248",
      direction,
      from: direction === "sent" ? this.self : MGW,
      to: direction === "sent" ? MGW : this.self,
      label,
      ...note, // (spreading undefined adds nothing: no empty object made for the entries without a rule)
    });
  }

  /** Add two terminations ($) in a new context ($), each arming Events = RequestID { g/cause }. */
  async seize(callId: string, offerSdp: string | undefined): Promise<SeizedMedia> {
    const events = { requestId: this.media.bearerEventsRequestId, names: ["g/cause"] };
    this.trace(callId, "Add $ (originating), Add $ (destination)", "sent");
    const result = await this.counted(
      "Add",
      this.mgc.add("$", [
        {
          terminationId: "$",
          events,
          localSdp: this.media.localDescriptor,
          ...(offerSdp === undefined ? {} : { remoteSdp: offerSdp }),
        },
        { terminationId: "$", events, localSdp: this.media.localDescriptor },
      ]),
    );
    const [originating, destination] = result.terminations;
    if (originating === undefined || destination === undefined)
      throw new Error(`MGW answered the Add with ${result.terminations.length} terminations: expected 2`);
    this.trace(
      callId,
      `Reply C=${result.contextId} ${originating.terminationId}, ${destination.terminationId}`,
      "received",
    );
    return { contextId: String(result.contextId), originating, destination };
  }

  /** The remote media of a termination (the SDP the peer on its side sent), best effort. */
  setRemote(callId: string, contextId: string, terminationId: string, sdp: string): void {
    this.trace(callId, `Modify ${terminationId}`, "sent");
    this.counted("Modify", this.mgc.modify(Number(contextId), terminationId, { remoteSdp: sdp })).catch(
      (err: unknown) => {
        this.alarm(err, callId, { contextId, terminationId, command: "Modify" });
      },
    );
  }

  /** TS 23.231 §7.3.4 Release Termination: one Subtract, its outcome logged; resolves either way. */
  async releaseTermination(callId: string, plan: H248SubtractPlan): Promise<boolean> {
    this.trace(callId, `Subtract ${plan.terminationId}`, "sent", { rule: plan.rule, trace: plan.trace });
    try {
      await this.counted("Subtract", this.mgc.subtract(Number(plan.contextId), plan.terminationId));
      this.trace(callId, `Reply Subtract ${plan.terminationId}`, "received");
      return true;
    } catch (err) {
      this.alarm(err, callId, { contextId: plan.contextId, terminationId: plan.terminationId, command: "Subtract" });
      return false;
    }
  }

  /**
   * After the MGW came back: the contexts it holds that no call knows (left from a call cleared while it was
   * silent, or from before a restart), each with its terminations. What is done with them is the rules' to say.
   */
  async orphanContexts(knownContexts: Set<string>): Promise<Array<{ contextId: number; terminationIds: string[] }>> {
    const audit = await this.counted("AuditValue", this.mgc.auditContexts());
    return audit.filter((c) => !knownContexts.has(String(c.contextId)) && c.terminationIds.length > 0);
  }

  alarm(
    err: unknown,
    callId: string | undefined,
    what: { contextId?: string; terminationId?: string; command: string },
  ): void {
    const unreachable = err instanceof H248TimeoutError;
    this.log.error(
      {
        alarm: unreachable ? "mgw-unreachable" : "mgw-command-failed",
        ...(callId === undefined ? {} : { callId }),
        ...what,
        mg: this.mgc.mg,
        error: (err as Error).message,
      },
      unreachable
        ? `MGW did not answer ${what.command} after the bounded retries; the SIP side is cleared all the same`
        : `MGW rejected ${what.command}`,
    );
  }
}
