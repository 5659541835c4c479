// H.248.1 transactions over an unreliable transport (clause 8.2, Annex D.1): TransactionIds, retransmission of
// requests with back-off and a bounded number of tries, TransactionPending extending the wait (8.2.3), and on the
// receiving side at-most-once execution: a retransmitted request is answered from a reply cache (Pending while it
// is still being processed) and never executed twice; TransactionResponseAck (8.2.4) frees cached replies.
import { decodeMessage, H248SyntaxError } from "./decode-message.ts";
import { encodeMessage } from "./encode-message.ts";
import type {
  ActionReply,
  ActionRequest,
  ErrorDescriptor,
  Message,
  MId,
  Transaction,
  TransactionReply,
  TransactionRequest,
} from "./model.ts";
import { type H248Peer, type H248UdpTransport, peerKey } from "./udp-transport.ts";

export interface TransactionTimers {
  /** First retransmission after this long (Annex D.1: an initial estimate of the round trip). */
  initialRetransmitMs: number;
  /** Back-off doubles the interval up to this. */
  maxRetransmitMs: number;
  /** Sends of a request in all (the first plus retransmissions) before it fails. */
  maxAttempts: number;
  /** After a TransactionPending, how long to wait for the reply or the next Pending (8.2.3). */
  pendingWaitMs: number;
  /** How long a sent reply stays cached for retransmitted requests (at-most-once). */
  replyCacheMs: number;
  /** At most this many cached replies; the oldest go first. */
  maxCachedReplies: number;
}

export const DEFAULT_TIMERS: TransactionTimers = {
  initialRetransmitMs: 500,
  maxRetransmitMs: 4000,
  maxAttempts: 5,
  pendingWaitMs: 10_000,
  replyCacheMs: 30_000,
  maxCachedReplies: 10_000,
};

export class H248TimeoutError extends Error {
  constructor(
    readonly peer: H248Peer,
    readonly transactionId: number,
    readonly attempts: number,
  ) {
    super(`H.248 transaction ${transactionId} to ${peerKey(peer)}: no reply after ${attempts} attempts`);
    this.name = "H248TimeoutError";
  }
}

/** What a request handler returns: the action replies, or one error for the whole transaction. */
export type RequestOutcome = ActionReply[] | ErrorDescriptor;

export type RequestHandler = (request: TransactionRequest, from: H248Peer, message: Message) => Promise<RequestOutcome>;

export interface TransactionEvents {
  /** A request exhausted its tries. */
  timeout?: (peer: H248Peer, transactionId: number) => void;
  /** A received message could not be decoded (it is dropped; Annex D.1 gives no reply to garbage). */
  malformed?: (from: H248Peer, error: H248SyntaxError) => void;
  /** Every message received and decoded, before handling (for logs and tests). */
  received?: (from: H248Peer, message: Message) => void;
  /** A request was sent again because no reply had come (for metrics). */
  retransmitted?: (peer: H248Peer, transactionId: number) => void;
}

interface Outstanding {
  peer: H248Peer;
  text: string;
  attempts: number;
  interval: number;
  timer: NodeJS.Timeout;
  resolve: (r: TransactionReply) => void;
  reject: (e: Error) => void;
}

type Cached = { state: "processing"; expires: number } | { state: "replied"; text: string; expires: number };

export interface TransactionLayerOptions {
  mId: MId;
  version?: number;
  compact?: boolean;
  timers?: Partial<TransactionTimers>;
  /** First TransactionId used (then counting up, wrapping below 2^32). */
  firstTransactionId?: number;
  events?: TransactionEvents;
}

export class TransactionLayer {
  readonly timers: TransactionTimers;
  private nextId: number;
  private readonly outstanding = new Map<number, Outstanding>();
  private readonly replies = new Map<string, Cached>();
  private handler: RequestHandler = async () => ({ kind: "error", code: 501, text: "Not Implemented" });
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly transport: H248UdpTransport,
    private readonly options: TransactionLayerOptions,
  ) {
    this.timers = { ...DEFAULT_TIMERS, ...options.timers };
    this.nextId = options.firstTransactionId ?? 1;
    transport.onMessage((text, from) => this.receive(text, from));
    this.sweeper = setInterval(() => this.sweep(), Math.min(1000, this.timers.replyCacheMs)).unref();
  }

  onRequest(handler: RequestHandler): void {
    this.handler = handler;
  }

  /** Sends a TransactionRequest and resolves with its reply; rejects with H248TimeoutError after maxAttempts. */
  request(peer: H248Peer, actions: ActionRequest[]): Promise<TransactionReply> {
    if (this.closed) return Promise.reject(new Error("H.248 transaction layer is closed"));
    const transactionId = this.allocateId();
    const text = this.encode([{ kind: "request", transactionId, actions }]);
    return new Promise((resolve, reject) => {
      const o: Outstanding = {
        peer,
        text,
        attempts: 1,
        interval: this.timers.initialRetransmitMs,
        timer: setTimeout(() => this.retransmit(transactionId), this.timers.initialRetransmitMs),
        resolve,
        reject,
      };
      this.outstanding.set(transactionId, o);
      this.transport.send(text, peer);
    });
  }

  /** Outstanding requests to `peer` fail at once (e.g. the MG restarted and forgot them). */
  failOutstanding(peer: H248Peer, reason: Error): void {
    for (const [id, o] of this.outstanding)
      if (peerKey(o.peer) === peerKey(peer)) {
        clearTimeout(o.timer);
        this.outstanding.delete(id);
        o.reject(reason);
      }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const [id, o] of this.outstanding) {
      clearTimeout(o.timer);
      o.reject(new Error(`H.248 transaction ${id}: transaction layer closed`));
    }
    this.outstanding.clear();
  }

  get cachedReplies(): number {
    return this.replies.size;
  }

  private allocateId(): number {
    let id = this.nextId;
    while (this.outstanding.has(id)) id = id >= 0xfffffffe ? 1 : id + 1;
    this.nextId = id >= 0xfffffffe ? 1 : id + 1;
    return id;
  }

  private encode(transactions: Transaction[]): string {
    return encodeMessage(
      { version: this.options.version ?? 1, mId: this.options.mId, body: { kind: "transactions", transactions } },
      { compact: this.options.compact ?? true },
    );
  }

  private retransmit(transactionId: number): void {
    const o = this.outstanding.get(transactionId);
    if (o === undefined) return;
    if (o.attempts >= this.timers.maxAttempts) {
      this.outstanding.delete(transactionId);
      this.options.events?.timeout?.(o.peer, transactionId);
      o.reject(new H248TimeoutError(o.peer, transactionId, o.attempts));
      return;
    }
    o.attempts++;
    this.transport.send(o.text, o.peer);
    this.options.events?.retransmitted?.(o.peer, transactionId);
    o.interval = Math.min(o.interval * 2, this.timers.maxRetransmitMs);
    o.timer = setTimeout(() => this.retransmit(transactionId), o.interval);
  }

  private receive(text: string, from: H248Peer): void {
    if (this.closed) return;
    let message: Message;
    try {
      message = decodeMessage(text);
    } catch (err) {
      if (err instanceof H248SyntaxError) {
        this.options.events?.malformed?.(from, err);
        return;
      }
      throw err;
    }
    this.options.events?.received?.(from, message);
    if (message.body.kind !== "transactions") return;
    for (const t of message.body.transactions) {
      switch (t.kind) {
        case "request":
          this.receiveRequest(t, from, message);
          break;
        case "reply":
          this.receiveReply(t);
          break;
        case "pending":
          this.receivePending(t.transactionId);
          break;
        case "responseAck":
          for (const r of t.ranges)
            for (let id = r.first; id <= (r.last ?? r.first) && id - r.first < 10_000; id++)
              this.replies.delete(`${peerKey(from)}/${id}`);
          break;
        case "segmentReply":
          break;
      }
    }
  }

  private receivePending(transactionId: number): void {
    const o = this.outstanding.get(transactionId);
    if (o === undefined) return;
    // 8.2.3: the request is being processed; stop retransmitting, wait for the reply (each Pending extends it)
    clearTimeout(o.timer);
    o.attempts = 0;
    o.timer = setTimeout(() => {
      this.outstanding.delete(transactionId);
      this.options.events?.timeout?.(o.peer, transactionId);
      o.reject(new H248TimeoutError(o.peer, transactionId, o.attempts));
    }, this.timers.pendingWaitMs);
  }

  private receiveReply(reply: TransactionReply): void {
    const o = this.outstanding.get(reply.transactionId);
    if (o === undefined) return; // a late duplicate
    clearTimeout(o.timer);
    this.outstanding.delete(reply.transactionId);
    if (reply.immAckRequired)
      this.transport.send(this.encode([{ kind: "responseAck", ranges: [{ first: reply.transactionId }] }]), o.peer);
    o.resolve(reply);
  }

  private receiveRequest(request: TransactionRequest, from: H248Peer, message: Message): void {
    const key = `${peerKey(from)}/${request.transactionId}`;
    const cached = this.replies.get(key);
    if (cached !== undefined) {
      // a retransmission: never executed twice
      if (cached.state === "replied") this.transport.send(cached.text, from);
      else this.transport.send(this.encode([{ kind: "pending", transactionId: request.transactionId }]), from);
      return;
    }
    this.replies.set(key, { state: "processing", expires: Date.now() + this.timers.replyCacheMs });
    this.trim();
    this.handler(request, from, message)
      .catch((err: unknown): RequestOutcome => ({ kind: "error", code: 500, text: errorText(err) }))
      .then((outcome) => {
        const reply: TransactionReply = Array.isArray(outcome)
          ? { kind: "reply", transactionId: request.transactionId, actions: outcome }
          : { kind: "reply", transactionId: request.transactionId, error: outcome, actions: [] };
        const text = this.encode([reply]);
        this.replies.set(key, { state: "replied", text, expires: Date.now() + this.timers.replyCacheMs });
        if (!this.closed) this.transport.send(text, from);
      });
  }

  private trim(): void {
    while (this.replies.size > this.timers.maxCachedReplies) {
      const oldest = this.replies.keys().next().value;
      if (oldest === undefined) break;
      this.replies.delete(oldest);
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const [k, v] of this.replies) if (v.state === "replied" && v.expires <= now) this.replies.delete(k);
  }
}

// Error text in an ErrorDescriptor is a quotedString: no double quote, no line break.
function errorText(err: unknown): string {
  return String(err instanceof Error ? err.message : err)
    .replace(/["\r\n]/g, " ")
    .slice(0, 80);
}
