// Call set-up through the GMSC (a SIP-I B2BUA): the preceding node's INVITE is routed by the routing table,
// two MGW terminations are seized (Add in a new context, g/cause armed), and the GMSC's own INVITE goes to the
// succeeding node with the MGW's media address in its SDP (ISUP parts unchanged). Responses come back through
// `onSucceedingResponse`: provisional and final ones are relayed upstream (SDP pointed at the MGW), a 2xx is
// ACKed on the succeeding leg and retransmitted on the preceding one until its ACK; every response also goes to
// the rules, which decide the clearing cases (§7.3.1 b.1 deferred CANCEL, b.3, a 2xx crossing a CANCEL).
import { randomBytes } from "node:crypto";
import type { CallRecord } from "../../../generated/types/index.ts";
import { ackFor2xx, DialogError, uacDialog, uasDialog } from "../../sip/dialogs/ua-dialog.ts";
import {
  callIdOf,
  cseqOf,
  fromOf,
  headerOf,
  makeHeader,
  maxForwardsOf,
  toOf,
} from "../../sip/messages/header-access.ts";
import type { NameAddr, SipRequest, SipResponse } from "../../sip/messages/message.ts";
import { BodyError } from "../../sip/messages/multipart-body.ts";
import { reasonPhrase } from "../../sip/messages/reason-phrases.ts";
import { checkRequest } from "../../sip/messages/request-checks.ts";
import { responseTo, tryingFor } from "../../sip/transactions/invite-server-transaction.ts";
import type { ServerTransaction } from "../../sip/transactions/server-transaction.ts";
import { Uas2xxRetransmission } from "../../sip/transactions/uas-2xx-retransmission.ts";
import { destinationOf, nextHopUri } from "../../sip/transport/next-hop.ts";
import type { Flow } from "../../sip/transport/transport.ts";
import { newCall, withInviteResponse, withInviteSent, withTerminations } from "./call-state.ts";
import type { GmscCore } from "./gmsc-core.ts";
import { bodyTowards, endToEndHeaders, redirectTargets, responseOnLeg, sdpOfMessage } from "./leg-messages.ts";

const newTag = () => randomBytes(6).toString("hex");

const SIP_I_BODIES = ["application/sdp", "multipart/mixed", "application/isup"];

/** An initial INVITE from the preceding node. */
export function onInitialInvite(g: GmscCore, invite: SipRequest, tx: ServerTransaction, flow: Flow): Promise<void> {
  const key = callIdOf(invite) ?? "";
  return g.calls
    .run(key, () => setUp(g, key, invite, tx, flow))
    .catch((err: unknown) => {
      g.log.error({ callId: key, err: (err as Error).message }, "set-up failed");
      reject(g, invite, tx, 500, `set-up failed: ${(err as Error).message}`);
    });
}

function reject(g: GmscCore, invite: SipRequest, tx: ServerTransaction, status: number, why: string): void {
  if (tx.state !== "proceeding") return;
  const res = responseOnLeg(invite, {
    status,
    localTag: newTag(),
    // RFC 3326: why the GMSC refused, as a quoted-string (no quote, backslash or line break inside).
    headers: [makeHeader("Reason", `SIP ;cause=${status} ;text="${why.replace(/["\\\r\n]/g, " ").slice(0, 100)}"`)],
  });
  tx.respond(res);
  g.log.warn({ callId: callIdOf(invite), status, why }, "INVITE rejected");
}

async function setUp(g: GmscCore, key: string, invite: SipRequest, tx: ServerTransaction, flow: Flow): Promise<void> {
  if ((await g.calls.get(key)) !== undefined)
    return reject(g, invite, tx, 482, "a call with this Call-ID is in progress");
  const problem = checkRequest(invite, { role: "uas", contentTypes: SIP_I_BODIES });
  if (problem) return reject(g, invite, tx, problem.status, problem.warning);
  tx.respond(tryingFor(invite));
  const route = g.routes.route(invite.uri);
  if (route === undefined) return reject(g, invite, tx, 404, "no route in gmsc.routes for the Request-URI");
  const localTag = newTag();
  let offer: string | undefined;
  let dialog: ReturnType<typeof uasDialog>;
  try {
    offer = sdpOfMessage(invite);
    dialog = uasDialog(invite, localTag);
  } catch (err) {
    // Checked before anything is seized: a body or a dialog the GMSC cannot work with is the request's fault.
    if (err instanceof BodyError || err instanceof DialogError) return reject(g, invite, tx, 400, err.message);
    throw err;
  }
  let media: Awaited<ReturnType<typeof g.media.seize>>;
  try {
    media = await g.media.seize(key, offer);
  } catch (err) {
    g.media.alarm(err, key, { command: "Add" });
    return reject(g, invite, tx, 503, "no MGW resources could be seized");
  }
  if (tx.state !== "proceeding") {
    // The preceding node gave up while the MGW was seized (a CANCEL found no call yet): release at once.
    for (const t of [media.originating, media.destination])
      void g.media.releaseTermination(key, {
        kind: "h248-subtract",
        rule: "set-up",
        trace: ["23.231:7.3.4/1", "23.231:7.3.4/2"],
        contextId: media.contextId,
        terminationId: t.terminationId,
        side: t === media.originating ? "originating" : "destination",
      });
    return;
  }
  const out = forwardedInvite(g, invite, route.target);
  let call = withTerminations(newCall(key), [
    { id: media.originating.terminationId, contextId: media.contextId, side: "originating", seized: true },
    { id: media.destination.terminationId, contextId: media.contextId, side: "destination", seized: true },
  ]);
  call = withInviteSent(call);
  const record: CallRecord = {
    call,
    preceding: {
      callId: key,
      inviteCSeq: cseqOf(invite)?.seq ?? 0,
      peer: `${flow.transport.toLowerCase()}://${flow.remote.address.includes(":") ? `[${flow.remote.address}]` : flow.remote.address}:${flow.remote.port}`,
      localTag,
      dialog,
      ...(media.originating.localSdp === undefined ? {} : { mgLocalSdp: media.originating.localSdp }),
    },
    succeeding: {
      callId: callIdOf(out.request) ?? "",
      inviteCSeq: 1,
      peer: route.target,
      localTag: out.localTag,
      ...(media.destination.localSdp === undefined ? {} : { mgLocalSdp: media.destination.localSdp }),
    },
    routeTarget: route.target,
    createdAt: Date.now(),
  };
  out.request.body = bodyTowards(invite, record.succeeding.mgLocalSdp);
  // One call, one trace: the succeeding leg's messages go into the ladder of the preceding leg's Call-ID.
  g.shell.traces.alias(record.succeeding.callId, key);
  await g.calls.create(key, record);
  const rt = g.calls.runtime(key);
  rt.inviteServer = tx;
  rt.forwardedInvite = out.request;
  rt.inviteClient = g.shell.transactions.sendRequest(out.request, route.destination, {
    onResponse: (res) => void onSucceedingResponse(g, key, res),
    // RFC 3261 §8.1.3.1: Timer B is a 408, a transport failure a 503, both final error responses to the rules.
    onTimeout: () => void onSucceedingResponse(g, key, synthetic(out.request, 408)),
    onTransportError: () => void onSucceedingResponse(g, key, synthetic(out.request, 503)),
  });
}

/** The GMSC's own INVITE on the succeeding leg: a new Call-ID and From tag, the end-to-end headers and body. */
function forwardedInvite(g: GmscCore, invite: SipRequest, target: string): { request: SipRequest; localTag: string } {
  const localTag = newTag();
  const from = fromOf(invite) as NameAddr;
  const to = toOf(invite) as NameAddr;
  const mf = maxForwardsOf(invite);
  const host = g.shell.transport.sentBy("UDP", 4).host;
  const request: SipRequest = {
    kind: "request",
    method: "INVITE",
    uri: invite.uri,
    version: "SIP/2.0",
    headers: [
      headerOf("Max-Forwards", mf === undefined ? 70 : Math.max(0, mf - 1)),
      headerOf("From", {
        ...from,
        params: [...from.params.filter(([n]) => n.toLowerCase() !== "tag"), ["tag", localTag]],
      }),
      headerOf("To", to),
      headerOf("Call-ID", `${randomBytes(10).toString("hex")}@${host}`),
      headerOf("CSeq", { seq: 1, method: "INVITE" }),
      g.contact,
      ...endToEndHeaders(invite),
    ],
    body: invite.body,
  };
  g.log.debug({ callId: callIdOf(invite), target }, "INVITE forwarded");
  return { request, localTag };
}

/** A final response the transaction layer stands for (timeout, transport error). */
const synthetic = (req: SipRequest, status: number): SipResponse => responseTo(req, status, reasonPhrase(status));

/** A response to the GMSC's INVITE on the succeeding leg. */
export function onSucceedingResponse(g: GmscCore, key: string, res: SipResponse): Promise<void> {
  return g.calls
    .run(key, async () => {
      const record = await g.calls.get(key);
      if (record === undefined) return;
      if (res.status < 200) return provisional(g, key, record, res);
      if (res.status < 300) return success(g, key, record, res);
      const observed = { ...record, call: withInviteResponse(record.call, "succeeding", res.status) };
      const decided = await g.decide(key, observed, {
        event: { type: "final-response-received", from: "succeeding", status: res.status },
        response: res,
      });
      await g.finish(key, unruled(g, key, decided.record, decided.plans.length, res));
    })
    .catch((err: unknown) => g.log.error({ callId: key, err: (err as Error).message }, "response not handled"));
}

/**
 * A final non-2xx response no rule in force handles (the shipped rules cover 4xx–6xx by §7.3.1 b.3 and 3xx by an
 * extension; an edited rule set may not): relayed upstream as the B2BUA relays final responses; the MGW
 * terminations stay as the rules left them, which is logged as an error so an operator sees the rule set lacks a case.
 */
function unruled(g: GmscCore, key: string, record: CallRecord, plans: number, res: SipResponse): CallRecord {
  if (plans > 0) return record;
  const tx = g.calls.runtime(key).inviteServer;
  if (tx?.state !== "proceeding") return record;
  tx.respond(relayed(g, record, tx.request, res));
  const seized = record.call.terminations.filter((t) => t.seized).map((t) => `${t.contextId}/${t.id}`);
  g.log.error(
    { callId: key, status: res.status, seized },
    "no rule for this final response: relayed, MGW resources not released by any rule",
  );
  return { ...record, call: withInviteResponse(record.call, "preceding", res.status) };
}

async function provisional(g: GmscCore, key: string, start: CallRecord, res: SipResponse): Promise<void> {
  const observed = { ...start, call: withInviteResponse(start.call, "succeeding", res.status) };
  let { record } = await g.decide(key, observed, {
    event: { type: "provisional-received", from: "succeeding", status: res.status },
    response: res,
  });
  const tx = g.calls.runtime(key).inviteServer;
  if (res.status > 100 && !record.call.clearing && tx?.state === "proceeding") {
    remoteMedia(g, key, record, res);
    tx.respond(relayed(g, record, tx.request, res));
    record = { ...record, call: withInviteResponse(record.call, "preceding", res.status) };
  }
  await g.finish(key, record);
}

async function success(g: GmscCore, key: string, start: CallRecord, res: SipResponse): Promise<void> {
  const rt = g.calls.runtime(key);
  const invite = rt.forwardedInvite;
  if (invite === undefined) return;
  const observed: CallRecord = {
    ...start,
    call: withInviteResponse(start.call, "succeeding", res.status),
    succeeding: { ...start.succeeding, dialog: uacDialog(invite, res) },
  };
  const decided = await g.decide(key, observed, {
    event: { type: "final-response-received", from: "succeeding", status: res.status },
    response: res,
  });
  let record = decided.record;
  if (decided.plans.length === 0) {
    const dialog = record.succeeding.dialog;
    if (dialog !== undefined) {
      const ack = ackFor2xx(dialog, record.succeeding.inviteCSeq);
      await g.shell.transactions.sendAck(ack, await destinationOf(nextHopUri(ack)));
    }
    const tx = rt.inviteServer;
    if (!record.call.clearing && tx?.state === "proceeding") {
      remoteMedia(g, key, record, res);
      const ok = relayed(g, record, tx.request, res);
      tx.respond(ok);
      record = { ...record, call: withInviteResponse(record.call, "preceding", res.status) };
      rt.okRetransmission = new Uas2xxRetransmission(g.shell.transport, ok, tx.flow, g.shell.transactions.timers, () =>
        g.log.warn({ callId: key }, "no ACK for the 2xx from the preceding node (RFC 3261 §13.3.1.4)"),
      );
      rt.okRetransmission.start();
    } else if (record.call.clearing) {
      // The shipped rules end such a dialog (x-23.231:7.3.2/2xx-crossing-own-cancel); the shell decides nothing
      // a rule decides, so without one the succeeding dialog stays up, and an operator is told.
      g.log.error(
        { callId: key },
        "2xx while the call is being cleared and no rule for it: the succeeding dialog stays",
      );
    }
  }
  await g.finish(key, record);
}

/** The MGW termination on the succeeding side gets the succeeding node's SDP as its Remote descriptor. */
function remoteMedia(g: GmscCore, key: string, record: CallRecord, res: SipResponse): void {
  const sdp = sdpOfMessage(res);
  const t = record.call.terminations.find((x) => x.side === "destination" && x.seized);
  if (sdp !== undefined && t !== undefined) g.media.setRemote(key, t.contextId, t.id, sdp);
}

/** A response from the succeeding node relayed to the preceding one: its status and end-to-end fields. */
function relayed(g: GmscCore, record: CallRecord, invite: SipRequest, res: SipResponse): SipResponse {
  return responseOnLeg(invite, {
    status: res.status,
    reason: res.reason,
    localTag: record.preceding.localTag ?? "",
    headers: [...endToEndHeaders(res), ...redirectTargets(res, res.status)],
    body: bodyTowards(res, record.preceding.mgLocalSdp),
    contact: g.contact,
  });
}
