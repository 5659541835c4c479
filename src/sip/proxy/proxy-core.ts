// A small stateful proxy core (RFC 3261 §16) a node builds on. It validates requests (§16.3: Max-Forwards → 483,
// loops → 482, Proxy-Require → 420), sends 100 Trying for INVITE, processes Route (§16.4), forwards to the one
// target the node chooses (§16.6: Request-URI, Max-Forwards, Record-Route, Via with a loop-detecting branch),
// forwards responses upstream (§16.7, 100 excepted; a 2xx to INVITE always, statelessly if need be), answers a
// request timeout with 408 (§16.8), handles CANCEL hop by hop (§16.10: 200 to the CANCEL, CANCEL downstream, 487 to
// the unanswered INVITE), and passes the ACK for a 2xx end to end. It knows no dialog and no S-CSCF: the node
// decides targets through hooks, and sends its own requests (a BYE) with `sendRequest`.
import { createHash } from "node:crypto";
import {
  callIdOf,
  cseqOf,
  fromOf,
  headerOf,
  headerValues,
  makeHeader,
  maxForwardsOf,
  prependHeader,
  removeHeaders,
  routes,
  setHeader,
  shiftListValue,
  tagOf,
  toOf,
  vias,
} from "../messages/header-access.ts";
import {
  isSipUri,
  type NameAddr,
  type SipHeader,
  type SipRequest,
  type SipResponse,
  type SipUri,
  type Uri,
} from "../messages/message.ts";
import { checkRequest, checkResponse } from "../messages/request-checks.ts";
import { formatUri, sentByUri } from "../messages/uri.ts";
import type { ClientTransaction, ClientTransactionUser } from "../transactions/client-transaction.ts";
import { responseTo } from "../transactions/invite-server-transaction.ts";
import type { ServerTransaction } from "../transactions/server-transaction.ts";
import type { TransactionLayer } from "../transactions/transaction-layer.ts";
import { MAGIC_COOKIE } from "../transactions/transaction-matching.ts";
import { responseTarget } from "../transport/received-rport.ts";
import type { Destination, Flow } from "../transport/transport.ts";

export interface ForwardTarget {
  /** where to send it */
  destination: Destination;
  /** a new Request-URI (retargeting, §16.5); unchanged if absent */
  uri?: Uri;
  /** Record-Route values this proxy inserts (§16.6 step 4); two where the transport changes (RFC 5658) */
  recordRoute?: NameAddr | NameAddr[];
  /** Route values to push on top (§16.6 step 7, e.g. towards an application server) */
  pushRoutes?: NameAddr[];
}

export type ProxyDecision =
  | { action: "forward"; target: ForwardTarget }
  | { action: "respond"; status: number; reason: string; headers?: Array<[string, string]> };

/** What Route processing (§16.4) took off the request: this proxy's own entry, with its parameters (`orig`). */
export interface RouteContext {
  ownRoute?: NameAddr;
}

export interface ProxyHooks {
  /**
   * A new request after validation and Route processing: where it goes, or the response to give. Also called
   * for the ACK of a 2xx (`tx` undefined), whose "respond" decisions are ignored.
   */
  onRequest(
    req: SipRequest,
    tx: ServerTransaction | undefined,
    flow: Flow,
    routed: RouteContext,
  ): ProxyDecision | Promise<ProxyDecision>;
  /**
   * Every response received for a forwarded request, before it is forwarded upstream (dialog tracking) — and the
   * final response the proxy gives in its place when none comes (408 at Timer B, §16.8; 503 on a transport
   * error, §16.7 step 2), so what the node learnt from the request ends with it.
   */
  onResponse?(res: SipResponse, forwarded: SipRequest, tx: ServerTransaction): void;
  /** Requests that failed validation, loops and the like, for logs. */
  onRejected?(req: SipRequest, status: number, why: string): void;
}

export interface ProxyOptions {
  /** whether a URI designates this proxy (for Route processing and loop detection); default: sent-by match */
  isOwn?: (uri: SipUri) => boolean;
  /** option tags this proxy supports (Proxy-Require) */
  extensions?: string[];
  /**
   * Timer C (§16.6 step 11): how long a forwarded INVITE may go without a provisional or final response
   * (default 181 s, above 3 min)
   */
  timerC?: number;
}

/** Timer C's default: "greater than 3 minutes" (RFC 3261 §16.6 step 11). */
export const TIMER_C_MS = 181_000;

interface Pending {
  server: ServerTransaction;
  client?: ClientTransaction;
  /** the copy sent on */
  forwarded?: SipRequest;
  final: boolean;
  /** Timer C of a forwarded INVITE; `provisional` once a 1xx has come (it restarts the timer, §16.7 step 2) */
  timerC?: NodeJS.Timeout;
  provisional?: boolean;
}

export class ProxyCore {
  private readonly pending = new Map<ServerTransaction, Pending>();

  constructor(
    readonly transactions: TransactionLayer,
    private readonly hooks: ProxyHooks,
    private readonly options: ProxyOptions = {},
  ) {
    transactions.setUser({
      onRequest: (req, tx, flow) => {
        this.onRequest(req, tx, flow).catch((err) => {
          if (tx && tx.state !== "terminated") tx.respond(failureResponse(req, err));
        });
      },
      onStrayResponse: (res) => this.forwardStray(res),
    });
  }

  /** Whether a URI is this proxy: the node's predicate, else host and port equal to a sent-by of ours. */
  isOwn(uri: Uri): boolean {
    if (!isSipUri(uri)) return false;
    if (this.options.isOwn) return this.options.isOwn(uri);
    const t = this.transactions.transport;
    const mine = [t.sentBy("UDP", 4), t.sentBy("TCP", 4), t.sentBy("UDP", 6), t.sentBy("TCP", 6)];
    return mine.some((m) => m.host.toLowerCase() === uri.host.toLowerCase() && m.port === (uri.port ?? 5060));
  }

  /**
   * Sends a request of the node's own (a BYE built from dialog state, an out-of-dialog request) in a client
   * transaction; `user` hears its responses, Timer B/F timeouts and transport errors.
   */
  sendRequest(req: SipRequest, dest: Destination, user: ClientTransactionUser): ClientTransaction {
    if (maxForwardsOf(req) === undefined) setHeader(req, headerOf("Max-Forwards", 70));
    return this.transactions.sendRequest(req, dest, user);
  }

  private reject(
    req: SipRequest,
    tx: ServerTransaction,
    status: number,
    reason: string,
    why: string,
    extra: Array<[string, string]> = [],
  ) {
    if (status >= 300) this.hooks.onRejected?.(req, status, why);
    const res = responseTo(req, status, reason, localTag(req));
    for (const [n, v] of extra) res.headers.push({ name: n, value: v });
    tx.respond(res);
  }

  private async onRequest(req: SipRequest, tx: ServerTransaction | undefined, flow: Flow): Promise<void> {
    if (req.method === "ACK") return this.forwardAck(req, flow);
    if (!tx) return;
    if (req.method === "CANCEL") return this.onCancel(req, tx);
    // §16.3 request validation (syntax was the codec's): required fields, Max-Forwards, Proxy-Require.
    const problem = checkRequest(req, { role: "proxy", extensions: this.options.extensions });
    if (problem) return this.reject(req, tx, problem.status, problem.reason, problem.warning, problem.headers);
    // The hash is over the request as received (§16.6 step 8): a spiral back through this proxy (a changed
    // Request-URI or Route, e.g. returning from an application server) is not a loop.
    const hash = this.loopHash(req);
    if (this.isLoop(req, hash))
      return this.reject(req, tx, 482, "Loop Detected", "a Via of this proxy with the same loop hash (§16.3 step 4)");
    if (req.method === "INVITE") tx.respond(responseTo(req, 100, "Trying"));
    const routed = this.processRoute(req);
    const decision = await this.hooks.onRequest(req, tx, flow, routed);
    if (tx.state === "terminated") return;
    if (decision.action === "respond") {
      return this.reject(req, tx, decision.status, decision.reason, "decided by the node", decision.headers);
    }
    this.forward(req, tx, decision.target, hash);
  }

  /** §16.4: remove this proxy's own top Route; a strict router put us in the Request-URI (take the last Route). */
  private processRoute(req: SipRequest): RouteContext {
    const rs = routes(req);
    let ownRoute: NameAddr | undefined;
    if (this.isOwn(req.uri) && rs.length > 0) {
      ownRoute = { displayName: null, uri: req.uri, params: [] };
      req.uri = rs[rs.length - 1].uri;
      removeHeaders(req, "Route");
      if (rs.length > 1) setHeader(req, headerOf("Route", rs.slice(0, -1)));
    }
    const top = routes(req)[0];
    if (top && this.isOwn(top.uri)) {
      ownRoute = top;
      shiftListValue(req, "Route");
    }
    return ownRoute ? { ownRoute } : {};
  }

  /**
   * The node cancels an INVITE it forwarded (§9.1 towards the next hop, e.g. a release of an early dialog):
   * CANCEL downstream with the given headers (Reason), and the response the node chose upstream (487).
   */
  cancelForwarded(
    server: ServerTransaction,
    cancelHeaders: SipHeader[],
    response?: SipResponse,
    prepare?: (cancel: SipRequest) => void,
  ): boolean {
    const ctx = this.pending.get(server);
    if (!ctx?.client) return false;
    this.transactions.cancel(ctx.client, cancelHeaders[0], prepare);
    if (response && !ctx.final && server.state === "proceeding") {
      ctx.final = true;
      server.respond(response);
    }
    return true;
  }

  /** §16.6: the forwarded copy. */
  private prepare(req: SipRequest, target: ForwardTarget): SipRequest {
    const out: SipRequest = { ...req, headers: req.headers.slice() };
    if (target.uri) out.uri = target.uri;
    const mf = maxForwardsOf(req);
    setHeader(out, headerOf("Max-Forwards", mf === undefined ? 70 : mf - 1));
    if (target.recordRoute && req.method !== "ACK") {
      const rr = Array.isArray(target.recordRoute) ? target.recordRoute : [target.recordRoute];
      prependHeader(out, headerOf("Record-Route", rr));
    }
    if (target.pushRoutes?.length) {
      setHeader(out, headerOf("Route", [...target.pushRoutes, ...routes(out)]));
    }
    return out;
  }

  private forward(req: SipRequest, server: ServerTransaction, target: ForwardTarget, hash: string): void {
    const out = this.prepare(req, target);
    const ctx: Pending = { server, final: false, forwarded: out };
    this.pending.set(server, ctx);
    server.onTerminated = chain(server.onTerminated, () => {
      clearTimeout(ctx.timerC);
      this.pending.delete(server);
    });
    ctx.client = this.transactions.sendRequest(
      out,
      target.destination,
      {
        onResponse: (res) => this.forwardResponse(res, out, ctx),
        onTimeout: () => this.finalLocally(ctx, 408, "Request Timeout"),
        onTransportError: () => this.finalLocally(ctx, 503, "Service Unavailable"),
      },
      this.loopBranch(hash),
    );
    if (out.method === "INVITE") this.armTimerC(ctx);
  }

  /**
   * §16.8: when Timer C fires, an INVITE that had a provisional response is cancelled; one that had none is
   * treated as answered 408. Either way the proxy answers 408 upstream now, so its state ends with the INVITE.
   */
  private armTimerC(ctx: Pending): void {
    clearTimeout(ctx.timerC);
    ctx.timerC = setTimeout(() => {
      if (ctx.final) return;
      if (ctx.provisional && ctx.client) this.transactions.cancel(ctx.client);
      this.finalLocally(ctx, 408, "Request Timeout");
    }, this.options.timerC ?? TIMER_C_MS);
    ctx.timerC.unref();
  }

  /** §16.7: responses go upstream without our Via; 100 stops here; a 2xx to INVITE is always forwarded. */
  private forwardResponse(res: SipResponse, forwarded: SipRequest, ctx: Pending): void {
    if (ctx.timerC) {
      if (res.status >= 200) clearTimeout(ctx.timerC);
      else {
        ctx.provisional = true;
        this.armTimerC(ctx);
      }
    }
    if (res.status === 100) return;
    this.hooks.onResponse?.(res, forwarded, ctx.server);
    const up: SipResponse = { ...res, headers: res.headers.slice() };
    shiftListValue(up, "Via");
    if (res.status >= 200) ctx.final = true;
    if (ctx.server.state === "proceeding" || ctx.server.state === "trying") ctx.server.respond(up);
    else if (res.status >= 200 && res.status < 300 && forwarded.method === "INVITE") {
      void this.transactions.sendStatelessResponse(up, ctx.server.flow);
    }
  }

  private finalLocally(ctx: Pending, status: number, reason: string): void {
    if (ctx.final) return;
    ctx.final = true;
    const res = responseTo(ctx.server.request, status, reason, localTag(ctx.server.request));
    if (ctx.forwarded) this.hooks.onResponse?.(res, ctx.forwarded, ctx.server);
    ctx.server.respond(res);
  }

  /** §16.10: 200 to the CANCEL, CANCEL the pending client transaction, 487 to the unanswered INVITE. */
  private onCancel(cancel: SipRequest, tx: ServerTransaction): void {
    const invite = this.transactions.inviteFor(cancel);
    if (!invite) {
      tx.respond(responseTo(cancel, 481, "Call/Transaction Does Not Exist", localTag(cancel)));
      return;
    }
    tx.respond(responseTo(cancel, 200, "OK", localTag(cancel)));
    const ctx = this.pending.get(invite);
    if (ctx?.client)
      this.transactions.cancel(
        ctx.client,
        cancel.headers.find((h) => h.name === "Reason"),
      );
    if (invite.state === "proceeding" && !(ctx?.final ?? false)) {
      if (ctx) ctx.final = true;
      invite.respond(responseTo(invite.request, 487, "Request Terminated", localTag(invite.request)));
    }
  }

  /** The ACK for a 2xx goes end to end (§16.6, §17.2.3): routed like any request, with a Via of ours. */
  private async forwardAck(ack: SipRequest, flow: Flow): Promise<void> {
    const routed = this.processRoute(ack);
    const decision = await this.hooks.onRequest(ack, undefined, flow, routed);
    if (decision.action !== "forward") return;
    await this.transactions.sendAck(this.prepare(ack, decision.target), decision.target.destination);
  }

  /** A 2xx retransmission after its transaction ended (§16.7): our Via off, then to the next Via (§18.2.2). */
  private forwardStray(res: SipResponse): void {
    const vs = vias(res);
    const mine = this.transactions.transport.sentBy(vs[0]?.transport === "TCP" ? "TCP" : "UDP");
    if (vs.length < 2 || vs[0].host.toLowerCase() !== mine.host.toLowerCase() || checkResponse(res)) return;
    const up: SipResponse = { ...res, headers: res.headers.slice() };
    shiftListValue(up, "Via");
    const next = vs[1];
    const target = responseTarget(next, {
      transport: next.transport === "TCP" ? "TCP" : "UDP",
      local: { address: "", port: 0 },
      remote: { address: "", port: 0 },
    });
    if (target.kind === "address") void this.transactions.transport.send(up, target.destination).catch(() => {});
  }

  // §16.6 step 8: the branch carries a hash of what identifies the request, so that a request coming back with
  // the same hash in a Via of ours is a loop (§16.3 step 4) while a spiral (something changed) is not.
  private loopHash(req: SipRequest): string {
    const parts = [
      formatUri(req.uri),
      tagOf(fromOf(req)) ?? "",
      tagOf(toOf(req)) ?? "",
      callIdOf(req) ?? "",
      String(cseqOf(req)?.seq ?? ""),
      headerValues(req, "Proxy-Require").join(","),
      headerValues(req, "Proxy-Authorization").join(","),
      routes(req)
        .map((r) => formatUri(r.uri))
        .join(","),
    ];
    return createHash("sha1").update(parts.join("\n")).digest("hex").slice(0, 12);
  }

  private loopBranch(hash: string): string {
    return `${MAGIC_COOKIE}${hash}.${this.transactions.newToken()}`;
  }

  private isLoop(req: SipRequest, hash: string): boolean {
    return vias(req).some((v) => {
      const branch = v.params.find(([n]) => n.toLowerCase() === "branch")?.[1] ?? "";
      const ownHost = this.isOwn(sentByUri(v));
      return ownHost && branch.startsWith(`${MAGIC_COOKIE}${hash}.`);
    });
  }
}

function chain(a: () => void, b: () => void): () => void {
  return () => {
    a();
    b();
  };
}

/**
 * The answer to a request the node failed on: 503 with Retry-After when what it needed is unavailable for now
 * (an error carrying `status: 503` and `retryAfterSeconds`, e.g. a store that does not answer), else 500.
 */
function failureResponse(req: SipRequest, err: unknown): SipResponse {
  const e = err as { status?: unknown; retryAfterSeconds?: unknown } | undefined;
  if (e?.status === 503 && typeof e.retryAfterSeconds === "number") {
    const res = responseTo(req, 503, "Service Unavailable", localTag(req));
    res.headers.push(makeHeader("Retry-After", String(e.retryAfterSeconds)));
    return res;
  }
  return responseTo(req, 500, "Server Internal Error", localTag(req));
}

/** A To tag for a response this proxy generates itself (§8.2.6.2), stable per request. */
function localTag(req: SipRequest): string {
  return createHash("sha1")
    .update(`${callIdOf(req)}|${tagOf(fromOf(req))}|${cseqOf(req)?.seq}`)
    .digest("hex")
    .slice(0, 10);
}
