// RFC 6026 §7.1 (amending RFC 3261 §17.2.1): an INVITE server transaction that sent a 2xx is "Accepted" for Timer L
// (64·T1): a retransmission of the INVITE arriving meanwhile is absorbed, not handed to the TU as a new request (a
// UAS would answer it 482, a proxy forward it again); the ACK of the 2xx and the 2xx's own retransmissions are the
// TU's. What that state needs is the transaction's key and its deadline, not the transaction: a node holds
// thousands of them at once, so the transaction ends at the 2xx and this table keeps the key.

import { FifoQueue } from "../../collections/fifo-queue.ts";

export class AcceptedInvites {
  private readonly until = new Map<string, number>();
  // Keys in acceptance order with their deadlines: one Timer L for all, so the deadlines ascend.
  private readonly queue = new FifoQueue<[string, number]>();
  private timer?: NodeJS.Timeout;

  constructor(
    /** Timer L in ms. */
    private readonly timerL: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The transaction `key` sent a 2xx: its INVITE's retransmissions are absorbed for Timer L. */
  accept(key: string): void {
    const deadline = this.now() + this.timerL;
    this.until.set(key, deadline);
    this.queue.push([key, deadline]);
    this.timer ??= setTimeout(() => this.sweep(), this.timerL).unref();
  }

  /** Whether a request with this transaction key is a retransmission of an accepted INVITE (to be absorbed). */
  absorbs(key: string): boolean {
    const deadline = this.until.get(key);
    if (deadline === undefined) return false;
    if (deadline > this.now()) return true;
    this.until.delete(key);
    return false;
  }

  /** Accepted INVITEs whose Timer L is still running. */
  get size(): number {
    return this.until.size;
  }

  /** Forgets every key whose Timer L has fired, then waits for the next deadline. */
  private sweep(): void {
    this.timer = undefined;
    const now = this.now();
    for (let next = this.queue.peek(); next !== undefined && next[1] <= now; next = this.queue.peek()) {
      this.queue.shift();
      if (this.until.get(next[0]) === next[1]) this.until.delete(next[0]);
    }
    const next = this.queue.peek();
    if (next !== undefined) this.timer = setTimeout(() => this.sweep(), Math.max(1, next[1] - now)).unref();
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.until.clear();
    this.queue.clear();
  }
}
