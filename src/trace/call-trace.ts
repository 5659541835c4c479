// The runtime audit trail: every SIP and H.248 message a node sends or receives, kept per call with the rule
// and clause ids behind each sent field. Bounded: a number of calls, a number of messages per call, an age.

import type { PlannedHeader } from "../../generated/types/index.ts";
import { FifoQueue } from "../collections/fifo-queue.ts";

/** Where a message crossed the wire: what a capture (pcap, HEP) writes in its headers. */
export interface WireAddresses {
  transport: "UDP" | "TCP" | "TLS";
  src: { address: string; port: number };
  dst: { address: string; port: number };
}

export interface TraceEntry {
  /** Milliseconds since the node started (monotonic), for ordering and spacing. */
  at: number;
  /** Wall-clock time (epoch milliseconds), to match against logs and captures; stamped by CallTraces. */
  time?: number;
  protocol: "SIP" | "H.248";
  direction: "sent" | "received";
  from: string;
  to: string;
  /** Method, status or H.248 command, as the ladder prints it. */
  label: string;
  rule?: string;
  trace?: string[];
  /** Each sent field with the clause ids it comes from. */
  fields?: TracedField[];
  message?: string;
  /** The message's text as it crossed the wire (when the node keeps it). */
  raw?: string;
  wire?: WireAddresses;
  /** A request's From and To URIs: who the call is between (filters, summaries). */
  parties?: { from: string; to: string };
}

/** A sent field with the clause ids it comes from: the shape the schemas give a planned header. */
export type TracedField = PlannedHeader;

/**
 * What a node records: an entry whose fields may come as a function of the plan they were sent from, listed only
 * when the trace is read (a node sending thousands of BYEs at once should not copy every plan's fields for a
 * trace that is seldom read).
 */
export type RecordedEntry = Omit<TraceEntry, "at" | "time" | "fields" | "raw" | "parties"> & {
  fields?: TracedField[] | (() => TracedField[]);
  /** The text, or a function writing it when asked for (the message is not serialised for a trace never read). */
  raw?: string | (() => string);
  /** The parties, or a function reading them: only a call's first request's are kept. */
  parties?: TraceEntry["parties"] | (() => TraceEntry["parties"]);
};

export interface TraceRetention {
  maxCalls: number;
  maxEntriesPerCall: number;
  maxAgeMs: number;
  /** Calls (the most recently placed) whose messages keep their text; the others' is dropped. */
  messageCalls?: number;
}

export const defaultRetention: TraceRetention = {
  maxCalls: 10_000,
  maxEntriesPerCall: 200,
  maxAgeMs: 3_600_000,
  messageCalls: 1000,
};

interface CallTrace {
  id: string;
  placed: number;
  touched: number;
  entries: Array<RecordedEntry & { at: number; time: number }>;
  aliases?: string[];
  /** The first request's From and To, and its method. */
  parties?: { from: string; to: string };
  method?: string;
  /** Its messages keep their text (it is one of the `messageCalls` most recently placed). */
  text: boolean;
  /** Forgotten: its places in the queues below are skipped. */
  gone: boolean;
}

/** What GET /v1/traces lists of a call: when it started, between whom, how many messages. */
export interface TraceSummary {
  callId: string;
  aliases?: string[];
  /** Wall clock of its first and last message (epoch milliseconds). */
  started: number;
  last: number;
  method?: string;
  parties?: { from: string; to: string };
  /** The columns of its ladder (the node and its peers). */
  peers: string[];
  messages: number;
}

export class CallTraces {
  private readonly calls = new Map<string, CallTrace>();
  /**
   * The calls in the order they were placed: `placed` is when a call was put at the end, `touched` its last
   * message. A message only stamps `touched`; eviction moves a call touched since it was placed to the end instead
   * of dropping it (a second chance), so recording costs no reordering per message.
   */
  private readonly placedOrder = new FifoQueue<CallTrace>();
  /** Other Call-IDs of a call (a B2BUA's second leg), each to the Call-ID its trace is kept under. */
  private readonly aliases = new Map<string, string>();
  /** The calls whose messages keep their text, oldest placed first (a message is held, so they are bounded). */
  private readonly textOrder = new FifoQueue<CallTrace>();
  private withText = 0;

  constructor(
    private readonly retention: TraceRetention = defaultRetention,
    private readonly now: () => number = () => performance.now(),
    private readonly wallClock: () => number = Date.now,
  ) {}

  /** Messages with Call-ID `alias` belong to the call traced as `callId` (one ladder for both legs). */
  alias(alias: string, callId: string): void {
    if (alias === callId || this.aliases.get(alias) === callId) return;
    this.aliases.set(alias, callId);
    let call = this.calls.get(callId);
    if (!call) call = this.place(callId, this.now());
    if (call.aliases) call.aliases.push(alias);
    else call.aliases = [alias];
  }

  /** Keeps `entry` (the object itself, stamped with its time: callers hand over a fresh one). */
  record(given: string, entry: RecordedEntry): void {
    const callId = this.aliases.get(given) ?? given;
    const at = this.now();
    const call = this.calls.get(callId) ?? this.place(callId, at);
    call.touched = at;
    // Full: keep the set-up (the first quarter) and the newest, dropping the oldest of the middle, so a long
    // call's trace still ends with its release.
    if (call.entries.length >= this.retention.maxEntriesPerCall)
      call.entries.splice(Math.floor(this.retention.maxEntriesPerCall / 4), 1);
    if (entry.raw !== undefined && !call.text) entry.raw = undefined;
    if (entry.parties) {
      // Kept once a call, as strings of their own: a value cut from a parsed message would hold all its text.
      if (!call.parties) {
        const parties = typeof entry.parties === "function" ? entry.parties() : entry.parties;
        if (parties) {
          call.parties = JSON.parse(JSON.stringify(parties)) as { from: string; to: string };
          call.method = JSON.parse(JSON.stringify(entry.label)) as string;
        }
      }
      entry.parties = undefined;
    }
    if (this.retention.maxEntriesPerCall > 0) {
      const kept = entry as RecordedEntry & { at: number; time: number };
      kept.at = at;
      kept.time = this.wallClock();
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
    // Fields and texts given as a function are listed now, once.
    for (const e of call.entries) {
      if (typeof e.fields === "function") e.fields = e.fields();
      if (typeof e.raw === "function") e.raw = e.raw();
    }
    return call.entries as TraceEntry[];
  }

  /** Every call with a trace kept, summarised, least recently active first. */
  summaries(): TraceSummary[] {
    return this.callIds().flatMap((callId) => {
      const call = this.calls.get(callId);
      if (!call || call.entries.length === 0) return [];
      const peers: string[] = [];
      for (const e of call.entries) for (const p of [e.from, e.to]) if (!peers.includes(p)) peers.push(p);
      return [
        {
          callId,
          ...(call.aliases ? { aliases: call.aliases } : {}),
          started: call.entries[0].time,
          last: call.entries[call.entries.length - 1].time,
          ...(call.method ? { method: call.method } : {}),
          ...(call.parties ? { parties: call.parties } : {}),
          peers,
          messages: call.entries.length,
        },
      ];
    });
  }

  private forget(callId: string): void {
    const call = this.calls.get(callId);
    if (call === undefined) return;
    for (const a of call.aliases ?? []) this.aliases.delete(a);
    this.calls.delete(callId);
    call.gone = true;
    if (call.text) {
      call.text = false;
      this.withText--;
    }
  }

  /** The calls with a trace kept, least recently active first. */
  callIds(): string[] {
    this.evict(this.now());
    return [...this.calls].sort(([, a], [, b]) => a.touched - b.touched).map(([id]) => id);
  }

  private place(callId: string, at: number): CallTrace {
    this.evict(at, 1);
    const call: CallTrace = { id: callId, placed: at, touched: at, entries: [], text: false, gone: false };
    this.calls.set(callId, call);
    this.placedOrder.push(call);
    this.keepText(call);
    return call;
  }

  /** The new call keeps its messages' text; past the bound, the oldest placed call's is dropped. */
  private keepText(call: CallTrace): void {
    const bound = this.retention.messageCalls ?? 0;
    if (bound === 0) return;
    call.text = true;
    this.withText++;
    this.textOrder.push(call);
    while (this.withText > bound) {
      const oldest = this.textOrder.peek() as CallTrace;
      this.textOrder.shift();
      if (!oldest.text) continue; // forgotten meanwhile
      oldest.text = false;
      this.withText--;
      for (const e of oldest.entries) e.raw = undefined;
    }
  }

  /**
   * Drops calls from the oldest placed on while there are too many (leaving `room` for new ones) or the oldest
   * aged out. A call with a message since it was placed is not the least recently active: it moves to the end
   * (once: then placed = touched). The order is least recently active first but for calls moved in one pass.
   */
  private evict(now: number, room = 0): void {
    for (let call = this.placedOrder.peek(); call !== undefined; call = this.placedOrder.peek()) {
      if (call.gone) {
        this.placedOrder.shift();
        continue;
      }
      if (call.touched > call.placed) {
        this.placedOrder.shift();
        call.placed = call.touched;
        this.placedOrder.push(call);
        continue;
      }
      if (this.calls.size + room <= this.retention.maxCalls && now - call.touched <= this.retention.maxAgeMs) break;
      this.placedOrder.shift();
      this.forget(call.id);
    }
  }
}
