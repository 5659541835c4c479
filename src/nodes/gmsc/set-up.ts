// Call set-up through the GMSC (a SIP-I B2BUA): the preceding node's INVITE is routed by the routing table,
// two MGW terminations are seized (Add in a new context, g/cause armed), and the GMSC's own INVITE goes to the
// succeeding node with the MGW's media address in its SDP (ISUP parts unchanged). Responses come back through
// `onSucceedingResponse`: each goes to the rules, which decide what is relayed upstream, ACKed or released
// (x-23.231:7.3.1/relay-responses, §7.3.1 b.1 deferred CANCEL, b.3, a 2xx crossing a CANCEL). The call is stored
// before the MGW is asked, so a CANCEL during the seizure goes to the rules at once; the seizure comes back as an
// event of its own (terminations-seized), whose rule releases what was seized for a call given up meanwhile.
import type { CallRecord } from "../../../generated/types/index.ts";
import { hostPort } from "../../net/host-port.ts";
import { DialogError, uacDialog, uasDialog } from "../../sip/dialogs/ua-dialog.ts";
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
import type { Destination, Flow } from "../../sip/transport/transport.ts";
import { newCall, withInviteResponse, withInviteSent, withLegTerminated, withTerminations } from "./call-state.ts";
import type { GmscCore } from "./gmsc-core.ts";
import { bodyTowards, keysOfTable, relayedHeaders, responseOnLeg, sdpOfMessage } from "./leg-messages.ts";
import type { SeizedMedia } from "./media-gateway.ts";
import { randomHex } from "./random-hex.ts";

const newTag = () => randomHex(6);

const NO_TABLE = {};

const SIP_I_BODIES = ["application/sdp", "multipart/mixed", "application/isup"];

/** An initial INVITE from the preceding node. */
export async function onInitialInvite(
  g: GmscCore,
  invite: SipRequest,
  tx: ServerTransaction,
  flow: Flow,
): Promise<void> {
  const key = callIdOf(invite) ?? "";
  const failed = (err: unknown) => {
    g.log.error({ callId: key, err: (err as Error).message }, "set-up failed");
    reject(g, invite, tx, 500, `set-up failed: ${(err as Error).message}`);
  };
  // The call exists from here on: a CANCEL while the MGW seizes its terminations is the rules' to answer.
  const started = await g.calls.run(key, () => accept(g, key, invite, tx, flow), true).catch(failed);
  if (started === undefined) return;
  let media: SeizedMedia;
  try {
    media = await g.media.seize(key, started.offer);
  } catch (err) {
    g.media.alarm(err, key, { command: "Add" });
    await g.calls.run(key, () => unseized(g, key, invite, tx)).catch(failed);
    return;
  }
  await g.calls.run(key, () => seized(g, key, invite, tx, started, media)).catch(failed);
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

interface Accepted {
  record: CallRecord;
  offer: string | undefined;
  out: SipRequest;
  destination: Destination;
}

/** The INVITE checked, routed and answered 100; the call stored with both legs and nothing seized yet. */
async function accept(
  g: GmscCore,
  key: string,
  invite: SipRequest,
  tx: ServerTransaction,
  flow: Flow,
): Promise<Accepted | undefined> {
  if ((await g.calls.get(key)) !== undefined) {
    reject(g, invite, tx, 482, "a call with this Call-ID is in progress");
    return undefined;
  }
  const problem = checkRequest(invite, { role: "uas", contentTypes: SIP_I_BODIES });
  if (problem) return void reject(g, invite, tx, problem.status, problem.warning);
  tx.respond(tryingFor(invite));
  const route = g.routes.route(invite.uri);
  if (route === undefined) return void reject(g, invite, tx, 404, "no route in gmsc.routes for the Request-URI");
  const localTag = newTag();
  let offer: string | undefined;
  let dialog: ReturnType<typeof uasDialog>;
  try {
    offer = sdpOfMessage(invite);
    dialog = uasDialog(invite, localTag);
  } catch (err) {
    // Checked before anything is seized: a body or a dialog the GMSC cannot work with is the request's fault.
    if (err instanceof BodyError || err instanceof DialogError) return void reject(g, invite, tx, 400, err.message);
    throw err;
  }
  const out = forwardedInvite(g, invite, route.target);
  const record: CallRecord = {
    call: newCall(key),
    preceding: {
      callId: key,
      inviteCSeq: cseqOf(invite)?.seq ?? 0,
      peer: `${flow.transport.toLowerCase()}://${hostPort(flow.remote.address, flow.remote.port)}`,
      localTag,
      dialog,
    },
    succeeding: {
      callId: callIdOf(out.request) ?? "",
      inviteCSeq: 1,
      peer: route.target,
      localTag: out.localTag,
    },
    createdAt: Date.now(),
  };
  // On a shared store another node may hold a call with this Call-ID: the write that creates this one finds out.
  if (!(await g.calls.createNew(key, record))) {
    reject(g, invite, tx, 482, "a call with this Call-ID is in progress");
    return undefined;
  }
  // One call, one trace: the succeeding leg's messages go into the ladder of the preceding leg's Call-ID.
  g.shell.traces.alias(record.succeeding.callId, key);
  g.calls.runtime(key).inviteServer = tx;
  return { record, offer, out: out.request, destination: route.destination };
}

/** No MGW resources: the INVITE is refused (unless the rules answered it meanwhile) and the call ends. */
async function unseized(g: GmscCore, key: string, invite: SipRequest, tx: ServerTransaction): Promise<void> {
  reject(g, invite, tx, 503, "no MGW resources could be seized");
  const record = await g.calls.get(key);
  if (record !== undefined) await g.finish(key, { ...record, call: withLegTerminated(record.call, "preceding") });
}

/**
 * The MGW confirmed the Add: the terminations join the call and the rules hear of it (terminations-seized). A call
 * the preceding node gave up meanwhile (a CANCEL answered by the rules, x-23.231:7.3.1/cancel-before-forwarding, or
 * its INVITE transaction ended) has its terminations released by the rules and no INVITE goes on; otherwise the
 * GMSC's INVITE goes to the succeeding node with the MGW's media in its SDP.
 */
async function seized(
  g: GmscCore,
  key: string,
  invite: SipRequest,
  tx: ServerTransaction,
  started: Accepted,
  media: SeizedMedia,
): Promise<void> {
  const stored = await g.calls.get(key);
  // Gone already: every leg of it ended while the MGW was busy; it comes back to have its terminations released.
  const current = stored ?? { ...started.record, call: withLegTerminated(started.record.call, "preceding") };
  if (stored === undefined) await g.calls.create(key, current);
  let call = withTerminations(current.call, [
    { id: media.originating.terminationId, contextId: media.contextId, side: "originating", seized: true },
    { id: media.destination.terminationId, contextId: media.contextId, side: "destination", seized: true },
  ]);
  if (tx.state !== "proceeding") call = withLegTerminated(call, "preceding");
  const observed: CallRecord = {
    ...current,
    call,
    preceding: { ...current.preceding, ...localSdp(media.originating.localSdp) },
    succeeding: { ...current.succeeding, ...localSdp(media.destination.localSdp) },
  };
  // Written with the decision's outcome (finish), or with the claim of a Release Termination the rules plan
  // (decide merges it in): the store holds the seized terminations before any message of the call goes out.
  const decided = await g.decide(key, observed, { event: { type: "terminations-seized" } });
  let record = decided.record;
  if (record.call.preceding.state === "terminated" || tx.state !== "proceeding") return g.finish(key, record);
  record = { ...record, call: withInviteSent(record.call) };
  await g.finish(key, record);
  const out = started.out;
  out.body = bodyTowards(invite, record.succeeding.mgLocalSdp);
  const rt = g.calls.runtime(key);
  rt.forwardedInvite = out;
  rt.inviteClient = g.shell.transactions.sendRequest(out, started.destination, {
    onResponse: (res) => void onSucceedingResponse(g, key, res),
    // RFC 3261 §8.1.3.1: Timer B is a 408, a transport failure a 503, both final error responses to the rules.
    onTimeout: () => void onSucceedingResponse(g, key, synthetic(out, 408)),
    onTransportError: () => void onSucceedingResponse(g, key, synthetic(out, 503)),
  });
}

const localSdp = (sdp: string | undefined) => (sdp === undefined ? {} : { mgLocalSdp: sdp });

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
      headerOf("Call-ID", `${randomHex(10)}@${host}`),
      headerOf("CSeq", { seq: 1, method: "INVITE" }),
      g.contact,
      // The rules' table of end-to-end fields (rule-file.schema.json requires it of the GMSC's clause file).
      ...relayedHeaders(invite, keysOfTable(g.shell.rules.version().tables.endToEndHeaders ?? NO_TABLE)),
    ],
    body: invite.body,
  };
  g.log.debug({ callId: callIdOf(invite), target }, "INVITE forwarded");
  return { request, localTag };
}

/** A final response the transaction layer stands for (timeout, transport error). */
const synthetic = (req: SipRequest, status: number): SipResponse => responseTo(req, status, reasonPhrase(status));

/** A response to the GMSC's INVITE on the succeeding leg: observed into the call, then the rules decide. */
export function onSucceedingResponse(g: GmscCore, key: string, res: SipResponse): Promise<void> {
  return g.calls
    .run(key, async () => {
      const start = await g.calls.get(key);
      if (start === undefined) return;
      const invite = g.calls.runtime(key).forwardedInvite;
      let observed: CallRecord = { ...start, call: withInviteResponse(start.call, "succeeding", res.status) };
      if (res.status >= 200 && res.status < 300 && invite !== undefined)
        observed = { ...observed, succeeding: { ...observed.succeeding, dialog: uacDialog(invite, res) } };
      const type = res.status < 200 ? "provisional-received" : "final-response-received";
      const decided = await g.decide(key, observed, {
        event: { type, from: "succeeding", status: res.status },
        response: res,
      });
      if (decided.plans.length === 0 && res.status >= 200)
        // Nothing is relayed, ACKed or released that no rule planned: an operator sees the rule set lacks a case.
        g.log.error({ callId: key, status: res.status }, "no rule in force for this final response: nothing done");
      await g.finish(key, decided.record);
    })
    .catch((err: unknown) => g.log.error({ callId: key, err: (err as Error).message }, "response not handled"));
}
