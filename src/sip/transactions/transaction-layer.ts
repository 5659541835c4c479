// The transaction layer (RFC 3261 §17): matches inbound messages to client and server transactions, creates a
// server transaction for each new request and hands it to the transaction user (TU), and starts client
// transactions for the TU's requests, each with a fresh branch in a Via of this element.
import { randomBytes } from "node:crypto";
import { cseqOf, headerOf, prependHeader, structured, vias } from "../messages/header-access.ts";
import {
  NO_BODY,
  type SipHeader,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  type Via,
} from "../messages/message.ts";
import type { Destination, Flow, SipTransport } from "../transport/transport.ts";
import { AcceptedInvites } from "./accepted-invites.ts";
import type { ClientTransaction, ClientTransactionUser } from "./client-transaction.ts";
import { InviteClientTransaction } from "./invite-client-transaction.ts";
import { InviteServerTransaction } from "./invite-server-transaction.ts";
import { NonInviteClientTransaction } from "./non-invite-client-transaction.ts";
import { NonInviteServerTransaction } from "./non-invite-server-transaction.ts";
import type { ServerTransaction } from "./server-transaction.ts";
import { clientKey, clientKeyOfResponse, MAGIC_COOKIE, serverKey } from "./transaction-matching.ts";
import { type TimerConfig, timerConfig, transactionTimeout } from "./transaction-timers.ts";

/** The transaction user: a UA core or a proxy core. */
export interface TransactionUser {
  /**
   * A request that is not a retransmission. `tx` is its new server transaction; an ACK that matches no INVITE
   * server transaction (the ACK for a 2xx, §17.2.3) comes without one.
   */
  onRequest(req: SipRequest, tx: ServerTransaction | undefined, flow: Flow): void;
  /** A response no client transaction matches (a retransmitted 2xx to an INVITE, §17.1.1.2). */
  onStrayResponse?(res: SipResponse, flow: Flow): void;
}

export class TransactionLayer {
  readonly timers: TimerConfig;
  private readonly clients = new Map<string, ClientTransaction>();
  /** Forgets a client transaction that terminated: one function for all of them, not a closure each. */
  private readonly clientEnded = (tx: ClientTransaction) => this.clients.delete(tx.key);
  private readonly servers = new Map<string, ServerTransaction>();
  /** RFC 6026 §7.1: INVITEs answered 2xx whose retransmissions are absorbed for Timer L (64·T1). */
  private readonly accepted: AcceptedInvites;
  private user: TransactionUser = { onRequest: () => {} };
  private tokens = 0;
  private readonly tokenPrefix = randomBytes(6).toString("hex");

  constructor(
    readonly transport: SipTransport,
    timers: Partial<TimerConfig> = {},
  ) {
    this.timers = timerConfig(timers);
    this.accepted = new AcceptedInvites(transactionTimeout(this.timers));
    transport.onMessage((m, flow) => this.receive(m, flow));
  }

  setUser(user: TransactionUser): void {
    this.user = user;
  }

  /** Counts of live transactions (and of INVITEs accepted, RFC 6026), for metrics and tests. */
  get size(): { clients: number; servers: number; accepted: number } {
    return { clients: this.clients.size, servers: this.servers.size, accepted: this.accepted.size };
  }

  /**
   * A token unique across space and time (RFC 3261 §8.1.1.7): a counter with this layer's random prefix. No
   * random draw per request: a node sending thousands of BYEs at once should not pay for one each.
   */
  newToken(): string {
    return `${(++this.tokens).toString(36)}.${this.tokenPrefix}`;
  }

  newBranch(): string {
    return MAGIC_COOKIE + this.newToken();
  }

  /** The Via this element puts on a request it sends to `dest` (with rport, RFC 3581). */
  viaFor(dest: Destination, branch = this.newBranch()): Via {
    const { host, port } = this.transport.sentBy(dest.transport, dest.address.includes(":") ? 6 : 4);
    return {
      protocol: "SIP",
      version: "2.0",
      transport: dest.transport,
      host,
      port,
      params: [
        ["branch", branch],
        ["rport", null],
      ],
    };
  }

  /**
   * Sends a request in a new client transaction (INVITE or non-INVITE by method). A Via of this element with a
   * new branch goes on top of any Vias the request has (a proxy forwards with the upstream Vias below, §16.6).
   */
  sendRequest(req: SipRequest, dest: Destination, user: ClientTransactionUser, branch?: string): ClientTransaction {
    if (req.method === "ACK") throw new Error("an ACK is not sent in a transaction: use sendAck");
    const via = this.viaFor(dest, branch);
    prependVia(req, via);
    return this.startClient(req, dest, user, via.params[0][1] as string);
  }

  /** Sends an ACK for a 2xx (end to end, no transaction), with a new branch (§17.1.1.3, §16.6 step 8). */
  sendAck(ack: SipRequest, dest: Destination): Promise<void> {
    prependVia(ack, this.viaFor(dest));
    return this.transport.send(ack, dest);
  }

  /** Sends a response statelessly (a proxy forwarding a stray 2xx, §16.7). */
  sendStatelessResponse(res: SipResponse, flow: Flow): Promise<void> {
    return this.transport.sendResponse(res, flow);
  }

  /**
   * CANCEL for a pending INVITE client transaction (§9.1): same branch, same destination. `prepare` sees the
   * CANCEL before it is sent (e.g. to annotate it for a trace).
   */
  cancel(
    invite: ClientTransaction,
    reason?: SipHeader,
    prepare?: (cancel: SipRequest) => void,
  ): ClientTransaction | undefined {
    if (invite.method !== "INVITE" || (invite.state !== "proceeding" && invite.state !== "calling")) return undefined;
    const req = cancelFor(invite.request, reason);
    prepare?.(req);
    const branch = vias(req)[0].params.find(([n]) => n === "branch")?.[1] as string;
    return this.startClient(req, invite.destination, { onResponse: () => {} }, branch);
  }

  /** The INVITE server transaction a CANCEL is for (§9.2), if it is still there. */
  inviteFor(cancel: SipRequest): ServerTransaction | undefined {
    const key = serverKey(cancel, "INVITE");
    return key === undefined ? undefined : this.servers.get(key);
  }

  private startClient(
    req: SipRequest,
    dest: Destination,
    user: ClientTransactionUser,
    branch: string,
  ): ClientTransaction {
    const key = clientKey(branch, req.method);
    const Machine = req.method === "INVITE" ? InviteClientTransaction : NonInviteClientTransaction;
    const initial = req.method === "INVITE" ? "calling" : "trying";
    const tx = new Machine(key, req, dest, this.transport, this.timers, user, initial);
    tx.onTerminated = this.clientEnded;
    this.clients.set(key, tx);
    tx.start();
    return tx;
  }

  private receive(msg: SipMessage, flow: Flow): void {
    if (msg.kind === "response") {
      const key = clientKeyOfResponse(msg);
      const tx = key === undefined ? undefined : this.clients.get(key);
      if (tx) tx.receiveResponse(msg);
      else this.user.onStrayResponse?.(msg, flow);
      return;
    }
    const key = serverKey(msg);
    if (key === undefined) return; // no Via or CSeq: the TU could not answer it either (request-checks says 400)
    const existing = this.servers.get(key);
    if (msg.method === "ACK") {
      if (existing instanceof InviteServerTransaction && existing.state !== "terminated") existing.receiveRequest(msg);
      else this.user.onRequest(msg, undefined, flow);
      return;
    }
    if (existing) {
      existing.receiveRequest(msg); // a retransmission: absorbed
      return;
    }
    // RFC 6026 §7.1: a retransmission of an INVITE answered 2xx (Accepted): absorbed, no new request.
    if (msg.method === "INVITE" && this.accepted.absorbs(key)) return;
    const tx =
      msg.method === "INVITE"
        ? new InviteServerTransaction(key, msg, flow, this.transport, this.timers, "proceeding")
        : new NonInviteServerTransaction(key, msg, flow, this.transport, this.timers, "trying");
    tx.onTerminated = () => {
      this.servers.delete(key);
      // Only an unreliable transport retransmits an INVITE (§17.1.1.2).
      if (tx instanceof InviteServerTransaction && tx.accepted && !this.transport.isReliable(flow.transport))
        this.accepted.accept(key);
    };
    this.servers.set(key, tx);
    if (tx instanceof InviteServerTransaction) tx.start();
    this.user.onRequest(msg, tx, flow);
  }

  /** Terminates every transaction (their timers stop); the transport is the caller's to close. */
  close(): void {
    for (const tx of [...this.clients.values()]) tx.terminate();
    for (const tx of [...this.servers.values()]) tx.terminate();
    this.accepted.close();
  }
}

function prependVia(req: SipRequest, via: Via): void {
  prependHeader(req, headerOf("Via", [via]));
}

/** §9.1: CANCEL with the INVITE's Request-URI, Call-ID, To, From, CSeq number, top Via and Route. */
export function cancelFor(invite: SipRequest, reason?: SipHeader): SipRequest {
  const headers: SipHeader[] = [headerOf("Via", [vias(invite)[0]])];
  for (const h of invite.headers) {
    if (
      h.name === "Route" ||
      h.name === "Call-ID" ||
      h.name === "From" ||
      h.name === "To" ||
      h.name === "Max-Forwards"
    ) {
      headers.push(h);
    }
  }
  const cseq = cseqOf(invite) ?? structured(invite, "CSeq");
  if (cseq) headers.push(headerOf("CSeq", { seq: cseq.seq, method: "CANCEL" }));
  if (reason) headers.push(reason);
  return { kind: "request", method: "CANCEL", uri: invite.uri, version: "SIP/2.0", headers, body: NO_BODY };
}
