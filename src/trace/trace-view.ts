// A call's trace as the admin API serves it as JSON: each message with its wall-clock time (ISO 8601, UTC) and its
// distance from the call's first message, and — when asked for — its text as it crossed the wire.
import type { TraceEntry, TraceSummary } from "./call-trace.ts";

export interface TraceEntryView extends Omit<TraceEntry, "time"> {
  time?: string;
  /** Milliseconds since the call's first message. */
  deltaMs?: number;
}

export function entriesView(entries: TraceEntry[], withRaw: boolean): TraceEntryView[] {
  const first = entries[0]?.time;
  return entries.map(({ time, raw, ...rest }) => ({
    ...rest,
    ...(time === undefined ? {} : { time: new Date(time).toISOString(), deltaMs: time - (first ?? time) }),
    ...(withRaw && raw !== undefined ? { raw } : {}),
  }));
}

export interface TraceFilter {
  /** A user (part of a From or To URI), case-insensitive. */
  user?: string;
  /** Calls with a message at or after / before this time (epoch milliseconds). */
  since?: number;
  until?: number;
  method?: string;
}

export function filterSummaries(list: TraceSummary[], f: TraceFilter): TraceSummary[] {
  const user = f.user?.toLowerCase();
  return list.filter(
    (s) =>
      (user === undefined ||
        (s.parties !== undefined &&
          (s.parties.from.toLowerCase().includes(user) || s.parties.to.toLowerCase().includes(user)))) &&
      (f.since === undefined || s.last >= f.since) &&
      (f.until === undefined || s.started < f.until) &&
      (f.method === undefined || s.method === f.method),
  );
}

export function summaryView(s: TraceSummary, role: string, state: string | undefined) {
  return {
    callId: s.callId,
    ...(s.aliases ? { aliases: s.aliases } : {}),
    role,
    ...(state ? { state } : {}),
    started: new Date(s.started).toISOString(),
    last: new Date(s.last).toISOString(),
    ...(s.method ? { method: s.method } : {}),
    ...(s.parties ? { from: s.parties.from, to: s.parties.to } : {}),
    peers: s.peers,
    messages: s.messages,
  };
}
