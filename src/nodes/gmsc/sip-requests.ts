// Requests reaching the GMSC, sorted by what they are to the B2BUA: an initial INVITE (set-up), a CANCEL of the
// preceding node's INVITE, a BYE on either leg, the ACK of a 2xx the GMSC sent; each release indication becomes
// an event for the rules (§7.3.1). A retransmitted 2xx from the succeeding node is ACKed again (§13.2.2.4).
import { ackFor2xx, inDialog, withRemoteSeq } from "../../sip/dialogs/ua-dialog.ts";
import { callIdOf, fromOf, headerValues, makeHeader, tagOf, toOf } from "../../sip/messages/header-access.ts";
import type { SipRequest, SipResponse } from "../../sip/messages/message.ts";
import type { ServerTransaction } from "../../sip/transactions/server-transaction.ts";
import type { TransactionUser } from "../../sip/transactions/transaction-layer.ts";
import { destinationOf, nextHopUri } from "../../sip/transport/next-hop.ts";
import type { Flow } from "../../sip/transport/transport.ts";
import type { AddressFilter } from "../address-filter.ts";
import type { GmscCore } from "./gmsc-core.ts";
import { responseOnLeg } from "./leg-messages.ts";
import { randomHex } from "./random-hex.ts";
import { onInitialInvite } from "./set-up.ts";

/** A response of the GMSC's own outside any call (its To tag fresh, §8.2.6.2), with a Warning saying why. */
function answer(tx: ServerTransaction, req: SipRequest, status: number, warning?: string): void {
  const headers =
    warning === undefined ? [] : [makeHeader("Warning", `399 cleardown "${warning.replace(/["\\\r\n]/g, "")}"`)];
  tx.respond(responseOnLeg(req, { status, localTag: randomHex(6), headers }));
}

/** Requests reach the B2BUA only from the configured peers (config trustedPeers; none configured: from all). */
export function gmscTransactionUser(g: GmscCore, trusted: AddressFilter): TransactionUser {
  return {
    onRequest: (req, tx, flow) => {
      if (req.method !== "ACK" && !trusted.allows(flow.remote.address)) {
        g.log.warn({ method: req.method, from: flow.remote.address }, "request from an untrusted address refused");
        if (tx !== undefined) answer(tx, req, 403, `${flow.remote.address} is not a trusted peer`);
        return;
      }
      void route(g, req, tx, flow).catch((err: unknown) => {
        g.log.error({ method: req.method, callId: callIdOf(req), err: (err as Error).message }, "request not handled");
        if (tx !== undefined && (tx.state === "trying" || tx.state === "proceeding")) answer(tx, req, 500);
      });
    },
    onStrayResponse: (res) => void reAck(g, res),
  };
}

async function route(g: GmscCore, req: SipRequest, tx: ServerTransaction | undefined, flow: Flow): Promise<void> {
  if (req.method === "ACK") return ackOf2xx(g, req);
  if (tx === undefined) return;
  const inDialogRequest = tagOf(toOf(req)) !== undefined;
  if (req.method === "INVITE" && !inDialogRequest) return onInitialInvite(g, req, tx, flow);
  if (req.method === "CANCEL") return cancel(g, req, tx);
  if (req.method === "BYE") return bye(g, req, tx);
  if (req.method === "OPTIONS" && !inDialogRequest) return answer(tx, req, 200);
  // Re-INVITE, UPDATE, INFO… are not relayed by this GMSC: refused without touching the call (RFC 3261 §8.2.1).
  answer(tx, req, inDialogRequest ? 501 : 405);
}

/** §7.3.1 b.1: a CANCEL of the preceding node's INVITE (queued behind its set-up, which holds the call's key). */
function cancel(g: GmscCore, req: SipRequest, tx: ServerTransaction): Promise<void> {
  const key = callIdOf(req) ?? "";
  return g.calls.run(key, async () => {
    const record = await g.calls.get(key);
    const invite = g.calls.runtime(key).inviteServer;
    const matches =
      record !== undefined &&
      invite !== undefined &&
      g.shell.transactions.inviteFor(req) === invite &&
      tagOf(fromOf(req)) === record.preceding.dialog?.remoteTag;
    if (!matches) {
      if (record === undefined) g.calls.forget(key);
      return answer(tx, req, 481);
    }
    // The CANCEL's Reason (RFC 3326) as a fact: the rules say whether it goes on downstream.
    const reason = headerValues(req, "Reason").join(", ");
    const decided = await g.decide(key, record, {
      event: {
        type: "cancel-received",
        from: "preceding",
        ...(reason === "" || reason.length > 512 ? {} : { reason }),
      },
      request: req,
      tx,
    });
    await g.finish(key, decided.record);
  });
}

/** §7.3.1 b.2: a BYE on either leg, in that leg's dialog. */
async function bye(g: GmscCore, req: SipRequest, tx: ServerTransaction): Promise<void> {
  const found = await g.calls.find(callIdOf(req) ?? "");
  if (found === undefined) return answer(tx, req, 481);
  const { key, side } = found;
  await g.calls.run(key, async () => {
    const record = await g.calls.get(key);
    const dialog = record?.[side].dialog;
    if (record === undefined || dialog === undefined || !inDialog(dialog, req)) return answer(tx, req, 481);
    if (side === "preceding") g.calls.runtime(key).okRetransmission?.stop();
    const observed = { ...record, [side]: { ...record[side], dialog: withRemoteSeq(dialog, req) } };
    const decided = await g.decide(key, observed, { event: { type: "bye-received", from: side }, request: req, tx });
    await g.finish(key, decided.record);
  });
}

/** The preceding node's ACK for the GMSC's 2xx ends its retransmission (§13.3.1.4). */
async function ackOf2xx(g: GmscCore, ack: SipRequest): Promise<void> {
  const found = await g.calls.find(callIdOf(ack) ?? "");
  if (found?.side === "preceding") g.calls.runtime(found.key).okRetransmission?.stop();
}

/** A 2xx retransmitted by the succeeding node after its transaction ended: the ACK is sent again. */
async function reAck(g: GmscCore, res: SipResponse): Promise<void> {
  if (res.status < 200 || res.status >= 300) return;
  const found = await g.calls.find(callIdOf(res) ?? "");
  if (found?.side !== "succeeding") return;
  const record = await g.calls.get(found.key);
  const dialog = record?.succeeding.dialog;
  if (record === undefined || dialog === undefined) return;
  const ack = ackFor2xx(dialog, record.succeeding.inviteCSeq);
  await g.shell.transactions.sendAck(ack, await destinationOf(nextHopUri(ack)));
}
