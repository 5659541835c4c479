// Carries out the plans the rules gave for one GMSC event, in order: responses on a leg, the received BYE or
// response forwarded to the other leg (body intact but for its SDP), CANCEL, BYE and ACK built by the leg's own
// dialog, Release Termination for exactly the terminations still seized, state updates. It decides nothing: a
// plan it cannot carry out (the transaction it names is gone) is logged, never replaced by another action.
import type { CallRecord, Plan, Side } from "../../../generated/types/index.ts";
import { ackFor2xx, inDialogRequest, nextLocalSeq, withLocalSeq } from "../../sip/dialogs/ua-dialog.ts";
import { reasons } from "../../sip/messages/header-access.ts";
import type { SipRequest, SipResponse } from "../../sip/messages/message.ts";
import type { ServerTransaction } from "../../sip/transactions/server-transaction.ts";
import { destinationOf, nextHopUri } from "../../sip/transport/next-hop.ts";
import type { TracedField } from "../../trace/call-trace.ts";
import { applyStateUpdate } from "../apply-state.ts";
import { annotate } from "../traced-transport.ts";
import { refKey } from "./call-records.ts";
import { withInviteResponse, withLegTerminated, withTerminationReleased } from "./call-state.ts";
import type { GmscCore, WireEvent } from "./gmsc-core.ts";
import { bodyTowards, endToEndHeaders, plannedHeaders, redirectTargets, responseOnLeg } from "./leg-messages.ts";
import { isSide, otherSide } from "./sides.ts";

const open = (tx: ServerTransaction | undefined): tx is ServerTransaction =>
  tx !== undefined && (tx.state === "trying" || tx.state === "proceeding");

function sideOf(plan: { towards: { value: string } }): Side {
  if (!isSide(plan.towards.value))
    throw new Error(`plan towards ${plan.towards.value}: expected preceding or succeeding`);
  return plan.towards.value;
}

const note = (plan: Plan, headers: TracedField[] = []) => ({
  rule: plan.rule,
  trace: plan.trace,
  ...(headers.length > 0 ? { fields: headers } : {}),
});

export async function executePlans(
  g: GmscCore,
  key: string,
  start: CallRecord,
  plans: Plan[],
  wire: WireEvent,
): Promise<CallRecord> {
  let record = start;
  const rt = g.calls.runtime(key);
  let release = false;
  // §7.3.4 never twice, across nodes too: the terminations to subtract are claimed in the store first.
  const subtracts = plans.filter((p) => p.kind === "h248-subtract");
  const won =
    subtracts.length === 0
      ? new Set<string>()
      : await g.calls.claim(
          key,
          subtracts.map((p) => ({ contextId: p.contextId, terminationId: p.terminationId })),
        );
  for (const plan of plans) {
    switch (plan.kind) {
      case "sip-response": {
        const side = sideOf(plan);
        const tx =
          plan.request === "received" || (plan.request === "cancel" && wire.request?.method === "CANCEL")
            ? wire.tx
            : plan.request === "invite"
              ? side === "preceding"
                ? rt.inviteServer
                : undefined
              : rt.byeServer[side];
        if (!open(tx)) {
          g.log.warn({ callId: key, rule: plan.rule, request: plan.request, side }, "no request left to answer");
          break;
        }
        const res = responseOnLeg(tx.request, {
          status: plan.status.value,
          localTag: record[side].localTag ?? "",
          headers: plannedHeaders(plan.headers),
        });
        annotate(res, note(plan, plan.headers));
        tx.respond(res);
        record = answered(record, rt, tx, side, plan.status.value);
        break;
      }
      case "forward-request": {
        const to = sideOf(plan);
        const from = otherSide(to);
        const req = wire.request;
        const dialog = record[to].dialog;
        if (req === undefined || wire.tx === undefined || dialog === undefined) {
          g.log.warn({ callId: key, rule: plan.rule, to }, "nothing to forward, or no dialog on that leg");
          break;
        }
        const seq = nextLocalSeq(dialog);
        const out = inDialogRequest(dialog, req.method, {
          cseq: seq,
          headers: endToEndHeaders(req),
          body: bodyTowards(req, record[to].mgLocalSdp),
        });
        annotate(out, note(plan));
        record = { ...record, [to]: { ...record[to], dialog: withLocalSeq(dialog, seq) } };
        rt.byeServer[from] = wire.tx;
        if (to === "preceding") rt.okRetransmission?.stop();
        await sendOnLeg(g, key, to, out, "forwarded", record.clearingRule ?? plan.rule);
        break;
      }
      case "forward-response": {
        const to = sideOf(plan);
        const res = wire.response;
        const tx = wire.event.type === "bye-response-received" ? rt.byeServer[to] : rt.inviteServer;
        if (res === undefined || !open(tx)) {
          g.log.warn({ callId: key, rule: plan.rule, to }, "no response to forward, or its request is answered");
          break;
        }
        const status = plan.status.value;
        const up = responseOnLeg(tx.request, {
          status,
          ...(status === res.status ? { reason: res.reason } : {}),
          localTag: record[to].localTag ?? "",
          headers: [...endToEndHeaders(res), ...redirectTargets(res, status)],
          body: bodyTowards(res, record[to].mgLocalSdp),
        });
        annotate(up, note(plan));
        tx.respond(up);
        record = answered(record, rt, tx, to, status);
        break;
      }
      case "sip-cancel": {
        const client = rt.inviteClient;
        if (client === undefined) {
          g.log.warn({ callId: key, rule: plan.rule }, "no INVITE towards the succeeding node to cancel");
          break;
        }
        const planned = plannedHeaders(plan.headers).find((h) => h.name === "Reason");
        const received =
          wire.request?.method === "CANCEL" && reasons(wire.request).length > 0
            ? wire.request.headers.find((h) => h.name === "Reason")
            : undefined;
        const sent = g.shell.transactions.cancel(client, planned ?? received, (cancel) =>
          annotate(cancel, note(plan, plan.headers)),
        );
        if (sent === undefined)
          g.log.warn({ callId: key, rule: plan.rule, state: client.state }, "INVITE no longer cancellable");
        break;
      }
      case "sip-bye": {
        const side = sideOf(plan);
        const dialog = record[side].dialog;
        if (dialog === undefined) {
          g.log.warn({ callId: key, rule: plan.rule, side }, "no dialog on that leg to send a BYE in");
          break;
        }
        const seq = nextLocalSeq(dialog);
        const bye = inDialogRequest(dialog, "BYE", { cseq: seq, headers: plannedHeaders(plan.headers) });
        annotate(bye, note(plan, plan.headers));
        record = { ...record, [side]: { ...record[side], dialog: withLocalSeq(dialog, seq) } };
        if (side === "preceding") rt.okRetransmission?.stop();
        await sendOnLeg(g, key, side, bye, "initiated", record.clearingRule ?? plan.rule);
        break;
      }
      case "sip-ack": {
        const res = wire.response;
        const dialog = record.succeeding.dialog;
        if (res === undefined || res.status >= 300) {
          // RFC 3261 §17.1.1.3: the ACK for a non-2xx final response is sent by the INVITE client transaction.
          g.log.debug({ callId: key, rule: plan.rule }, "ACK sent by the INVITE client transaction");
          break;
        }
        if (dialog === undefined) {
          g.log.warn({ callId: key, rule: plan.rule }, "2xx without a dialog: no ACK can be built");
          break;
        }
        const ack = ackFor2xx(dialog, record.succeeding.inviteCSeq);
        annotate(ack, note(plan));
        await g.shell.transactions.sendAck(ack, await destinationOf(nextHopUri(ack)));
        break;
      }
      case "h248-subtract": {
        // §7.3.4: only a termination this call seized and has not released yet; never twice.
        const seized = record.call.terminations.some(
          (t) => t.contextId === plan.contextId && t.id === plan.terminationId && t.seized,
        );
        if (!seized) {
          g.log.error(
            { callId: key, rule: plan.rule, terminationId: plan.terminationId },
            "Subtract of a termination not seized refused",
          );
          break;
        }
        record = { ...record, call: withTerminationReleased(record.call, plan.contextId, plan.terminationId) };
        if (!won.has(refKey({ contextId: plan.contextId, terminationId: plan.terminationId }))) {
          g.log.warn(
            { callId: key, rule: plan.rule, terminationId: plan.terminationId },
            "termination already released in the store (by another node): no second Subtract",
          );
          break;
        }
        // Sent now, in plan order; the SIP side does not wait for the MGW's reply (a silent MGW is an alarm).
        const rule = record.clearingRule ?? plan.rule;
        void g.media.releaseTermination(key, plan).then((ok) => {
          if (!ok) g.shell.metrics.countRule(g.shell.metrics.releasesFailed, rule);
        });
        break;
      }
      case "state-update":
        record = { ...record, call: applyStateUpdate("call", record.call, plan) };
        break;
      case "state-release":
        release = true;
        break;
      case "log":
        g.log[plan.level]({ callId: key, rule: plan.rule, trace: plan.trace }, plan.message);
        break;
      default:
        g.log.warn({ callId: key, rule: plan.rule, kind: plan.kind }, "plan kind the GMSC does not execute");
    }
  }
  if (release) {
    // The rules released the call: what is still seized was released by their Subtracts; legs end here.
    record = {
      ...record,
      call: withLegTerminated(withLegTerminated(record.call, "preceding"), "succeeding"),
    };
  }
  return record;
}

/** What answering a request on a leg tells of that leg: the INVITE's final response, or a BYE answered. */
function answered(
  record: CallRecord,
  rt: ReturnType<GmscCore["calls"]["runtime"]>,
  tx: ServerTransaction,
  side: Side,
  status: number,
): CallRecord {
  if (tx === rt.inviteServer) return { ...record, call: withInviteResponse(record.call, "preceding", status) };
  if (tx.request.method === "BYE" && status >= 200) {
    if (rt.byeServer[side] === tx) delete rt.byeServer[side];
    return { ...record, call: withLegTerminated(record.call, side) };
  }
  return record;
}

/**
 * Sends a request in a leg's dialog; its final response (or Timer F as 408, a transport failure as 503, RFC 3261
 * §8.1.3.1) comes back as a bye-response-received event, after the leg is marked over (§15.1.1).
 */
export async function sendOnLeg(
  g: GmscCore,
  key: string,
  side: Side,
  req: SipRequest,
  bye: "forwarded" | "initiated",
  rule: string,
): Promise<void> {
  const { metrics } = g.shell;
  const sentAt = performance.now();
  const answer = (status: number, response?: SipResponse) => {
    metrics.observeByeLatency((performance.now() - sentAt) / 1000);
    // RFC 3261 §15.1.1: a 481 or 408 (or Timer F) still ends the dialog, but the clearing had a request fail.
    if (status >= 300) metrics.countRule(metrics.releasesFailed, rule);
    void g.queue(
      key,
      {
        event: { type: "bye-response-received", from: side, status, bye },
        ...(response === undefined ? {} : { response }),
      },
      (r) => ({ ...r, call: withLegTerminated(r.call, side) }),
    );
  };
  let destination: Awaited<ReturnType<typeof destinationOf>>;
  try {
    destination = await destinationOf(nextHopUri(req));
  } catch (err) {
    g.log.error({ callId: key, side, err: (err as Error).message }, "no destination for the in-dialog request");
    answer(503);
    return;
  }
  g.shell.transactions.sendRequest(req, destination, {
    onResponse: (res) => {
      if (res.status >= 200) answer(res.status, res);
    },
    onTimeout: () => answer(408),
    onTransportError: () => answer(503),
  });
}
