// A SIP user agent for the live demo, on cleardown's own SIP stack (transport and transaction layers, the
// RFC 3261 §12 dialog helpers): it places a call (INVITE, ACK for the 2xx), answers one (180, then 200 with SDP,
// or a rejection, or ringing until a CANCEL), answers BYE and CANCEL, sends BYE and CANCEL, and registers. It
// plays a UE towards the S-CSCF and an MSC towards the GMSC, so a newcomer needs no SIP tool installed; the tests
// use real third-party peers (SIPp) instead.
import { randomBytes } from "node:crypto";
import type { UaDialog } from "../../generated/types/index.ts";
import {
  ackFor2xx,
  inDialogRequest,
  nextLocalSeq,
  uacDialog,
  uasDialog,
  withLocalSeq,
} from "../sip/dialogs/ua-dialog.ts";
import { callIdOf, cseqOf, headerOf, makeHeader } from "../sip/messages/header-access.ts";
import { NO_BODY, type SipMessage, type SipRequest, type SipResponse } from "../sip/messages/message.ts";
import { reasonPhrase } from "../sip/messages/reason-phrases.ts";
import { parseUri } from "../sip/messages/uri.ts";
import type { ClientTransaction } from "../sip/transactions/client-transaction.ts";
import { responseTo } from "../sip/transactions/invite-server-transaction.ts";
import type { ServerTransaction } from "../sip/transactions/server-transaction.ts";
import { TransactionLayer } from "../sip/transactions/transaction-layer.ts";
import { Uas2xxRetransmission } from "../sip/transactions/uas-2xx-retransmission.ts";
import { destinationOf, nextHopUri } from "../sip/transport/next-hop.ts";
import type { Destination, Flow, SipTransport } from "../sip/transport/transport.ts";
import { createTransportLayer, type TransportLayer } from "../sip/transport/transport-layer.ts";
import { waitUntil } from "./bounded-wait.ts";

/** How the agent answers the next INVITE it receives. */
export type Answer = { kind: "answer" } | { kind: "ring" } | { kind: "reject"; status: number };

export interface ReceivedMessage {
  message: SipMessage;
  /** "INVITE", "BYE", "200 (INVITE)", … */
  label: string;
}

interface Call {
  dialog?: UaDialog;
  inviteClient?: ClientTransaction;
  inviteServer?: ServerTransaction;
  okRetransmission?: Uas2xxRetransmission;
}

const newTag = () => randomBytes(5).toString("hex");

const labelOf = (m: SipMessage) => (m.kind === "request" ? m.method : `${m.status} (${cseqOf(m)?.method ?? "?"})`);

/** A plain audio offer or answer on the agent's own address (no media flows in the demo). */
function sdp(user: string, address: string, port: number): Uint8Array {
  return Buffer.from(
    `v=0\r\no=${user} 1 1 IN IP4 ${address}\r\ns=-\r\nc=IN IP4 ${address}\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n`,
  );
}

export class DemoUserAgent {
  readonly received: ReceivedMessage[] = [];
  private readonly calls = new Map<string, Call>();
  private answer: Answer = { kind: "answer" };
  private readonly transactions: TransactionLayer;

  private constructor(
    /** The user part of its URIs and its column in the ladders. */
    readonly user: string,
    private readonly transport: TransportLayer,
  ) {
    // The transport has one receiver, the transaction layer: keep every message on its way up (the agent's
    // own record of what it was sent, retransmissions included, which the demo checks each scenario against).
    const recording: SipTransport = {
      onMessage: (handler) =>
        transport.onMessage((message, flow) => {
          this.received.push({ message, label: labelOf(message) });
          handler(message, flow);
        }),
      send: (message, to) => transport.send(message, to),
      sendRetransmittable: (request, to, listener) => transport.sendRetransmittable(request, to, listener),
      sendResponse: (response, flow) => transport.sendResponse(response, flow),
      sentBy: (t, family) => transport.sentBy(t, family),
      isReliable: (t) => transport.isReliable(t),
      counters: transport.counters,
      close: () => transport.close(),
    };
    this.transactions = new TransactionLayer(recording);
    this.transactions.setUser({
      onRequest: (req, tx, flow) => this.onRequest(req, tx, flow),
      onStrayResponse: (res) => void this.onStrayResponse(res),
    });
  }

  /** Listens on a free loopback UDP port. */
  static async start(user: string, address = "127.0.0.1"): Promise<DemoUserAgent> {
    const transport = await createTransportLayer({ listen: [{ transport: "UDP", address, port: 0 }] });
    return new DemoUserAgent(user, transport);
  }

  get address(): string {
    return this.transport.addresses[0].address;
  }

  get port(): number {
    return this.transport.addresses[0].port;
  }

  /** "127.0.0.1:port": how the nodes name this agent's column. */
  get hostPort(): string {
    return `${this.address}:${this.port}`;
  }

  /** Its Contact URI. */
  get contact(): string {
    return `sip:${this.user}@${this.hostPort}`;
  }

  answerNextWith(answer: Answer): void {
    this.answer = answer;
  }

  /** Places a call: the INVITE goes to the first Route if any, else to the Request-URI. */
  async invite(options: { callId: string; requestUri: string; from: string; to: string; route?: string }) {
    const headers = [
      makeHeader("Max-Forwards", "70"),
      makeHeader("From", `<${options.from}>;tag=${newTag()}`),
      makeHeader("To", `<${options.to}>`),
      makeHeader("Call-ID", options.callId),
      headerOf("CSeq", { seq: 1, method: "INVITE" }),
      makeHeader("Contact", `<${this.contact}>`),
      ...(options.route ? [makeHeader("Route", options.route)] : []),
      makeHeader("Content-Type", "application/sdp"),
    ];
    const uri = parseUri(options.requestUri);
    if (!uri.ok) throw new Error(`${options.requestUri}: expected a SIP URI (${uri.expected} at ${uri.offset})`);
    const invite: SipRequest = {
      kind: "request",
      method: "INVITE",
      uri: uri.uri,
      version: "SIP/2.0",
      headers,
      body: sdp(this.user, this.address, 40_000),
    };
    const call: Call = {};
    this.calls.set(options.callId, call);
    call.inviteClient = this.transactions.sendRequest(invite, await destinationOf(nextHopUri(invite)), {
      onResponse: (res) => {
        if (res.status >= 200 && res.status < 300) void this.acknowledge(call, invite, res);
      },
    });
  }

  /** CANCEL of the pending INVITE of a call (RFC 3261 §9.1). */
  cancel(callId: string): void {
    const tx = this.calls.get(callId)?.inviteClient;
    if (tx === undefined || this.transactions.cancel(tx) === undefined)
      throw new Error(`${this.user}: no pending INVITE to cancel for Call-ID ${callId}`);
  }

  /** BYE in the call's dialog (RFC 3261 §15.1.1). */
  async bye(callId: string): Promise<void> {
    const call = this.calls.get(callId);
    if (call?.dialog === undefined) throw new Error(`${this.user}: no confirmed dialog for Call-ID ${callId}`);
    const seq = nextLocalSeq(call.dialog);
    call.dialog = withLocalSeq(call.dialog, seq);
    const bye = inDialogRequest(call.dialog, "BYE", { cseq: seq });
    this.transactions.sendRequest(bye, await destinationOf(nextHopUri(bye)), { onResponse: () => {} });
  }

  /** REGISTER of its Contact for an address of record at a registrar (RFC 3261 §10.2). */
  async register(registrar: Destination, aor: string): Promise<void> {
    const domain = aor.replace(/^sips?:[^@]*@/, "");
    const req: SipRequest = {
      kind: "request",
      method: "REGISTER",
      uri: { scheme: "sip", user: null, password: null, host: domain, port: null, params: [], headers: [] },
      version: "SIP/2.0",
      headers: [
        makeHeader("Max-Forwards", "70"),
        makeHeader("From", `<${aor}>;tag=${newTag()}`),
        makeHeader("To", `<${aor}>`),
        makeHeader("Call-ID", `reg-${newTag()}@${this.address}`),
        headerOf("CSeq", { seq: 1, method: "REGISTER" }),
        makeHeader("Contact", `<${this.contact}>;expires=600`),
      ],
      body: NO_BODY,
    };
    const status = await new Promise<number>((resolve) =>
      this.transactions.sendRequest(req, registrar, {
        onResponse: (res) => {
          if (res.status >= 200) resolve(res.status);
        },
        onTimeout: () => resolve(408),
        onTransportError: () => resolve(503),
      }),
    );
    if (status !== 200) throw new Error(`${this.user}: REGISTER of ${aor} answered ${status}`);
  }

  /** Waits (bounded) until this agent has received a message with this label for the call. */
  async receivedFor(callId: string, label: string, timeoutMs = 5000): Promise<SipMessage> {
    return waitUntil(
      `${this.user} receives ${label} for ${callId}`,
      timeoutMs,
      () => this.received.find((r) => r.label === label && callIdOf(r.message) === callId)?.message,
    );
  }

  /** The Call-IDs of the INVITEs this agent received, in order (a B2BUA's leg has its own Call-ID). */
  invitesReceived(): string[] {
    return this.received
      .filter((r) => r.label === "INVITE")
      .map((r) => callIdOf(r.message) ?? "")
      .filter((id, i, all) => all.indexOf(id) === i);
  }

  close(): Promise<void> {
    for (const call of this.calls.values()) call.okRetransmission?.stop();
    this.transactions.close();
    return this.transport.close();
  }

  private async acknowledge(call: Call, invite: SipRequest, res: SipResponse): Promise<void> {
    call.dialog ??= uacDialog(invite, res);
    const ack = ackFor2xx(call.dialog, 1);
    await this.transactions.sendAck(ack, await destinationOf(nextHopUri(ack)));
  }

  /** A retransmitted 2xx (its INVITE transaction is over): ACK it again (RFC 3261 §13.2.2.4). */
  private async onStrayResponse(res: SipResponse): Promise<void> {
    const call = this.calls.get(callIdOf(res) ?? "");
    if (res.status < 200 || res.status >= 300 || call?.dialog === undefined) return;
    const ack = ackFor2xx(call.dialog, cseqOf(res)?.seq ?? 1);
    await this.transactions.sendAck(ack, await destinationOf(nextHopUri(ack)));
  }

  private onRequest(req: SipRequest, tx: ServerTransaction | undefined, flow: Flow): void {
    const callId = callIdOf(req) ?? "";
    if (req.method === "ACK") {
      this.calls.get(callId)?.okRetransmission?.stop();
      return;
    }
    if (tx === undefined) return;
    switch (req.method) {
      case "INVITE":
        this.onInvite(req, tx, flow);
        return;
      case "CANCEL": {
        tx.respond(responseTo(req, 200, "OK"));
        const invite = this.transactions.inviteFor(req);
        const tag = this.calls.get(callId)?.dialog?.localTag;
        if (invite?.state === "proceeding") invite.respond(responseTo(invite.request, 487, reasonPhrase(487), tag));
        return;
      }
      case "BYE": {
        const call = this.calls.get(callId);
        call?.okRetransmission?.stop();
        tx.respond(responseTo(req, 200, "OK"));
        return;
      }
      default:
        tx.respond(responseTo(req, 501, reasonPhrase(501)));
    }
  }

  private onInvite(req: SipRequest, tx: ServerTransaction, flow: Flow): void {
    const callId = callIdOf(req) ?? "";
    const tag = newTag();
    const call: Call = { dialog: uasDialog(req, tag), inviteServer: tx };
    this.calls.set(callId, call);
    // §12.1.1: a response that makes the dialog copies the INVITE's Record-Route, so the proxies that asked to
    // stay in the path (the S-CSCF) see the ACK and every later request of the dialog.
    const recordRoute = req.headers.filter((h) => h.name === "Record-Route");
    const reply = (status: number, body?: Uint8Array) => {
      const res = responseTo(req, status, reasonPhrase(status), tag);
      res.headers.push(...recordRoute, makeHeader("Contact", `<${this.contact}>`));
      if (body) {
        res.headers.push(makeHeader("Content-Type", "application/sdp"));
        res.body = body;
      }
      return res;
    };
    tx.respond(reply(180));
    const answer = this.answer;
    this.answer = { kind: "answer" };
    if (answer.kind === "ring") return;
    if (answer.kind === "reject") {
      tx.respond(responseTo(req, answer.status, reasonPhrase(answer.status), tag));
      return;
    }
    const ok = reply(200, sdp(this.user, this.address, 40_002));
    tx.respond(ok);
    call.okRetransmission = new Uas2xxRetransmission(this.transport, ok, flow, this.transactions.timers);
    call.okRetransmission.start();
  }
}
