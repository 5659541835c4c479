// Admission of inbound SIP requests: a token bucket per source address, so one peer's flood is refused
// (503 with Retry-After, statelessly, before any transaction is made) while everything else goes on. Responses
// are never limited — they are what releases under way wait for — and neither is ACK, which completes a
// transaction already admitted.
import type { SipMessage } from "../sip/messages/message.ts";
import type { Flow } from "../sip/transport/transport.ts";

export interface AdmissionLimits {
  /** Requests per second each source address may send (sustained). */
  perSecond: number;
  /** How many it may send at once above that. */
  burst: number;
  /** Sources remembered at most (the least recently seen are forgotten first). */
  maxSources?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RequestAdmission {
  private readonly buckets = new Map<string, Bucket>();
  refused = 0;

  constructor(
    private readonly limits: AdmissionLimits,
    private readonly now: () => number = () => performance.now(),
  ) {}

  admit(message: SipMessage, flow: Flow): boolean {
    if (message.kind === "response" || message.method === "ACK") return true;
    const key = flow.remote.address;
    const t = this.now();
    let b = this.buckets.get(key);
    if (b) {
      this.buckets.delete(key); // re-inserted below: the Map's order is least recently seen first
      b.tokens = Math.min(this.limits.burst, b.tokens + ((t - b.at) / 1000) * this.limits.perSecond);
      b.at = t;
    } else {
      b = { tokens: this.limits.burst, at: t };
      if (this.buckets.size >= (this.limits.maxSources ?? 100_000)) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
    }
    this.buckets.set(key, b);
    if (b.tokens < 1) {
      this.refused++;
      return false;
    }
    b.tokens -= 1;
    return true;
  }
}
