// The GMSC's SIP plans carried out on its legs: a response to a request it holds, the received BYE or response
// relayed to the other leg (the header fields the plan names, the body intact but for its SDP), CANCEL, BYE and
// ACK built by the leg's own dialog. Each does what its plan says or logs why it could not; none picks another
// action.
import type { Side } from "../../../generated/types/index.ts";
import { ackFor2xx, inDialogRequest, nextLocalSeq, withLocalSeq } from "../../sip/dialogs/ua-dialog.ts";
import type { SipResponse } from "../../sip/messages/message.ts";
import type { ServerTransaction } from "../../sip/transactions/server-transaction.ts";
import { Uas2xxRetransmission } from "../../sip/transactions/uas-2xx-retransmission.ts";
import { destinationOf, nextHopUri } from "../../sip/transport/next-hop.ts";
import type { TracedField } from "../../trace/call-trace.ts";
import type { PlanExecutors, PlanOf } from "../decision-pipeline.ts";
import { annotate } from "../traced-transport.ts";
import { withInviteResponse, withLegTerminated } from "./call-state.ts";
import type { GmscContext } from "./gmsc-context.ts";
import { sendOnLeg } from "./in-dialog-send.ts";
import { bodyTowards, plannedHeaders, relayedHeaders, responseOnLeg, sdpOfMessage } from "./leg-messages.ts";
import { otherSide } from "./sides.ts";

type SipKinds = "sip-response" | "forward-request" | "forward-response" | "sip-cancel" | "sip-bye" | "sip-ack";

const open = (tx: ServerTransaction | undefined): tx is ServerTransaction =>
  tx !== undefined && (tx.state === "trying" || tx.state === "proceeding");

const note = (plan: { rule: string; trace: string[] }, headers?: TracedField[]) =>
  headers !== undefined && headers.length > 0
    ? { rule: plan.rule, trace: plan.trace, fields: headers }
    : { rule: plan.rule, trace: plan.trace };

/** What answering a request on a leg tells of that leg: the INVITE's response, or a BYE answered. */
function answered(c: GmscContext, tx: ServerTransaction, side: Side, status: number): void {
  const { rt, record } = c;
  if (tx === rt.inviteServer) c.record = { ...record, call: withInviteResponse(record.call, "preceding", status) };
  else if (tx.request.method === "BYE" && status >= 200) {
    if (rt.byeServer[side] === tx) delete rt.byeServer[side];
    c.record = { ...record, call: withLegTerminated(record.call, side) };
  }
}

/** The succeeding node's SDP becomes the Remote descriptor of the MGW termination on its side. */
function remoteMedia(c: GmscContext, res: SipResponse): void {
  const sdp = sdpOfMessage(res);
  const t = c.record.call.terminations.find((x) => x.side === "destination" && x.seized);
  if (sdp !== undefined && t !== undefined) c.g.media.setRemote(c.key, t.contextId, t.id, sdp);
}

function respond(plan: PlanOf<"sip-response">, c: GmscContext): void {
  const side = plan.towards.value as Side;
  const { wire, rt } = c;
  const tx =
    plan.request === "received" || (plan.request === "cancel" && wire.request?.method === "CANCEL")
      ? wire.tx
      : plan.request === "invite"
        ? side === "preceding"
          ? rt.inviteServer
          : undefined
        : rt.byeServer[side];
  if (!open(tx)) {
    c.g.log.warn({ callId: c.key, rule: plan.rule, request: plan.request, side }, "no request left to answer");
    return;
  }
  const res = responseOnLeg(tx.request, {
    status: plan.status.value,
    localTag: c.record[side]?.localTag ?? "",
    headers: plannedHeaders(plan.headers),
  });
  annotate(res, note(plan, plan.headers));
  tx.respond(res);
  answered(c, tx, side, plan.status.value);
}

function forwardRequest(plan: PlanOf<"forward-request">, c: GmscContext): Promise<void> | undefined {
  const to = plan.towards.value;
  const from = otherSide(to);
  const { wire, rt } = c;
  const req = wire.request;
  const dialog = c.record[to].dialog;
  if (req === undefined || wire.tx === undefined || dialog === undefined) {
    c.g.log.warn({ callId: c.key, rule: plan.rule, to }, "nothing to forward, or no dialog on that leg");
    return;
  }
  const seq = nextLocalSeq(dialog);
  const out = inDialogRequest(dialog, req.method, {
    cseq: seq,
    headers: relayedHeaders(req, plan.relay.names),
    body: bodyTowards(req, c.record[to].mgLocalSdp),
  });
  annotate(out, note(plan));
  c.record = { ...c.record, [to]: { ...c.record[to], dialog: withLocalSeq(dialog, seq) } };
  rt.byeServer[from] = wire.tx;
  if (to === "preceding") rt.okRetransmission?.stop();
  return sendOnLeg(c.g, c.key, to, out, "forwarded", c.record.clearingRule ?? plan.rule);
}

function forwardResponse(plan: PlanOf<"forward-response">, c: GmscContext): void {
  const to = plan.towards.value;
  const { wire, rt, g } = c;
  const res = wire.response;
  const tx = wire.event.type === "bye-response-received" ? rt.byeServer[to] : rt.inviteServer;
  if (res === undefined || !open(tx)) {
    g.log.warn({ callId: c.key, rule: plan.rule, to }, "no response to forward, or its request is answered");
    return;
  }
  const status = plan.status.value;
  // An answer to the preceding node's INVITE that creates its dialog (RFC 3261 §12.1.1) carries the GMSC's Contact.
  const toInvite = tx === rt.inviteServer;
  const up = responseOnLeg(tx.request, {
    status,
    ...(status === res.status ? { reason: res.reason } : {}),
    localTag: c.record[to].localTag ?? "",
    headers: relayedHeaders(res, plan.relay.names),
    body: bodyTowards(res, c.record[to].mgLocalSdp),
    ...(toInvite ? { contact: g.contact } : {}),
  });
  annotate(up, note(plan));
  if (toInvite && status < 300) remoteMedia(c, res);
  tx.respond(up);
  answered(c, tx, to, status);
  if (toInvite && status >= 200 && status < 300) {
    // RFC 3261 §13.3.1.4: the UAS core retransmits its 2xx until the ACK comes.
    rt.okRetransmission = new Uas2xxRetransmission(g.shell.transport, up, tx.flow, g.shell.transactions.timers, () =>
      g.log.warn({ callId: c.key }, "no ACK for the 2xx from the preceding node (RFC 3261 §13.3.1.4)"),
    );
    rt.okRetransmission.start();
  }
}

function cancel(plan: PlanOf<"sip-cancel">, c: GmscContext): void {
  const client = c.rt.inviteClient;
  if (client === undefined) {
    c.g.log.warn({ callId: c.key, rule: plan.rule }, "no INVITE towards the succeeding node to cancel");
    return;
  }
  // The Reason is the CANCEL's own field (RFC 3326 §2); any other planned field is added to it.
  const headers = plannedHeaders(plan.headers);
  const reason = headers.find((h) => h.name === "Reason");
  const rest = headers.filter((h) => h !== reason);
  const sent = c.g.shell.transactions.cancel(client, reason, (req) => {
    req.headers.push(...rest);
    annotate(req, note(plan, plan.headers));
  });
  if (sent === undefined)
    c.g.log.warn({ callId: c.key, rule: plan.rule, state: client.state }, "INVITE no longer cancellable");
}

function bye(plan: PlanOf<"sip-bye">, c: GmscContext): Promise<void> | undefined {
  const side = plan.towards.value;
  const dialog = c.record[side].dialog;
  if (dialog === undefined) {
    c.g.log.warn({ callId: c.key, rule: plan.rule, side }, "no dialog on that leg to send a BYE in");
    return;
  }
  const seq = nextLocalSeq(dialog);
  const req = inDialogRequest(dialog, "BYE", { cseq: seq, headers: plannedHeaders(plan.headers) });
  annotate(req, note(plan, plan.headers));
  c.record = { ...c.record, [side]: { ...c.record[side], dialog: withLocalSeq(dialog, seq) } };
  if (side === "preceding") c.rt.okRetransmission?.stop();
  return sendOnLeg(c.g, c.key, side, req, "initiated", c.record.clearingRule ?? plan.rule);
}

async function ack(plan: PlanOf<"sip-ack">, c: GmscContext): Promise<void> {
  const res = c.wire.response;
  const dialog = c.record.succeeding.dialog;
  if (res === undefined || res.status >= 300) {
    // RFC 3261 §17.1.1.3: the ACK for a non-2xx final response is sent by the INVITE client transaction.
    c.g.log.debug({ callId: c.key, rule: plan.rule }, "ACK sent by the INVITE client transaction");
    return;
  }
  if (dialog === undefined) {
    c.g.log.warn({ callId: c.key, rule: plan.rule }, "2xx without a dialog: no ACK can be built");
    return;
  }
  const req = ackFor2xx(dialog, c.record.succeeding.inviteCSeq);
  annotate(req, note(plan));
  await c.g.shell.transactions.sendAck(req, await destinationOf(nextHopUri(req)));
}

export const sipExecutors: Pick<PlanExecutors<GmscContext>, SipKinds> = {
  "sip-response": respond,
  "forward-request": forwardRequest,
  "forward-response": forwardResponse,
  "sip-cancel": cancel,
  "sip-bye": bye,
  "sip-ack": ack,
};
