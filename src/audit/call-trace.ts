// The runtime audit trail: every SIP and H.248 message a node sends or receives, kept per call with the rule
// and clause ids behind each sent field. Bounded: a number of calls, a number of messages per call, an age.

export interface TraceEntry {
  /** Milliseconds since the node started (monotonic), for ordering and spacing. */
  at: number;
  protocol: "SIP" | "H.248";
  direction: "sent" | "received";
  from: string;
  to: string;
  /** Method, status or H.248 command, as the ladder prints it. */
  label: string;
  rule?: string;
  trace?: string[];
  /** Each sent field with the clause ids it comes from. */
  fields?: Array<{ name: string; value: string; trace: string[] }>;
  message?: string;
}

export interface TraceRetention {
  maxCalls: number;
  maxEntriesPerCall: number;
  maxAgeMs: number;
}

export const defaultRetention: TraceRetention = { maxCalls: 10_000, maxEntriesPerCall: 200, maxAgeMs: 3_600_000 };

export class CallTraces {
  private readonly calls = new Map<string, { touched: number; entries: TraceEntry[]; aliases?: string[] }>();
  /** Other Call-IDs of a call (a B2BUA's second leg), each to the Call-ID its trace is kept under. */
  private readonly aliases = new Map<string, string>();

  constructor(
    private readonly retention: TraceRetention = defaultRetention,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Messages with Call-ID `alias` belong to the call traced as `callId` (one ladder for both legs). */
  alias(alias: string, callId: string): void {
    if (alias === callId || this.aliases.get(alias) === callId) return;
    this.aliases.set(alias, callId);
    let call = this.calls.get(callId);
    if (!call) {
      call = { touched: this.now(), entries: [] };
      this.calls.set(callId, call);
      this.evict(call.touched);
    }
    if (call.aliases) call.aliases.push(alias);
    else call.aliases = [alias];
  }

  /** Keeps `entry` (the object itself, stamped with its time: callers hand over a fresh one). */
  record(given: string, entry: Omit<TraceEntry, "at">): void {
    const callId = this.aliases.get(given) ?? given;
    const at = this.now();
    let call = this.calls.get(callId);
    if (!call) {
      call = { touched: at, entries: [] };
      this.calls.set(callId, call);
      this.evict(at);
    } else {
      // Re-insert so the Map's order is least recently used first.
      this.calls.delete(callId);
      this.calls.set(callId, call);
    }
    call.touched = at;
    // Full: keep the set-up (the first quarter) and the newest, dropping the oldest of the middle, so a long
    // call's trace still ends with its release.
    if (call.entries.length >= this.retention.maxEntriesPerCall)
      call.entries.splice(Math.floor(this.retention.maxEntriesPerCall / 4), 1);
    if (this.retention.maxEntriesPerCall > 0) {
      const kept = entry as TraceEntry;
      kept.at = at;
      call.entries.push(kept);
    }
  }

  /** The call's messages, unless its trace aged out (maxAgeMs since its last message). */
  get(given: string): TraceEntry[] | undefined {
    const callId = this.aliases.get(given) ?? given;
    const call = this.calls.get(callId);
    if (call === undefined) return undefined;
    if (this.now() - call.touched > this.retention.maxAgeMs) {
      this.forget(callId);
      return undefined;
    }
    return call.entries;
  }

  private forget(callId: string): void {
    for (const a of this.calls.get(callId)?.aliases ?? []) this.aliases.delete(a);
    this.calls.delete(callId);
  }

  /** The calls with a trace kept, least recently active first. */
  callIds(): string[] {
    this.evict(this.now());
    return [...this.calls.keys()];
  }

  private evict(now: number): void {
    for (const [id, call] of this.calls) {
      if (this.calls.size <= this.retention.maxCalls && now - call.touched <= this.retention.maxAgeMs) break;
      this.forget(id);
    }
  }
}
