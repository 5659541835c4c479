// Two GMSC nodes sharing a store may each write a call's record (one handles a BYE while the other is asked to
// release it). A write therefore lands on the record as stored, not over it: what a call's state records only ever
// moves forwards (a leg towards terminated, a termination from seized to released, clearing from false to true, a
// CSeq upwards), so the merge keeps the further of the two for each field and no node's progress is lost.
import type { CallRecord, CallState, Leg, LegState, Termination, UaDialog } from "../../../generated/types/index.ts";

const legOrder: LegState[] = ["none", "calling", "proceeding", "early", "confirmed", "terminated"];

function furtherLeg(a: Leg, b: Leg): Leg {
  return {
    state: legOrder.indexOf(a.state) >= legOrder.indexOf(b.state) ? a.state : b.state,
    provisionalReceived: a.provisionalReceived || b.provisionalReceived,
    finalResponseReceived: a.finalResponseReceived || b.finalResponseReceived,
  };
}

const sameTermination = (a: Termination, b: Termination) => a.contextId === b.contextId && a.id === b.id;

/** A termination is seized only while both writers still see it seized: released once is released. */
function mergedTerminations(ours: Termination[], stored: Termination[]): Termination[] {
  const out = ours.map((t) => {
    const s = stored.find((x) => sameTermination(x, t));
    return s === undefined ? t : { ...t, seized: t.seized && s.seized };
  });
  for (const s of stored) if (!ours.some((t) => sameTermination(t, s))) out.push(s);
  return out;
}

function furtherDialog(ours: UaDialog | undefined, stored: UaDialog | undefined): UaDialog | undefined {
  if (ours === undefined || stored === undefined) return ours ?? stored;
  const remoteSeq =
    ours.remoteSeq === null || stored.remoteSeq === null
      ? (ours.remoteSeq ?? stored.remoteSeq)
      : Math.max(ours.remoteSeq, stored.remoteSeq);
  return { ...ours, localSeq: Math.max(ours.localSeq, stored.localSeq), remoteSeq };
}

function mergedCall(ours: CallState, stored: CallState): CallState {
  return {
    ...ours,
    preceding: furtherLeg(ours.preceding, stored.preceding),
    succeeding: furtherLeg(ours.succeeding, stored.succeeding),
    terminations: mergedTerminations(ours.terminations, stored.terminations),
    cancelRequested: ours.cancelRequested || stored.cancelRequested,
    // A deferred CANCEL is sent by the node that sees the provisional response; ours is the newer word on it.
    cancelPending: ours.cancelPending,
    clearing: ours.clearing || stored.clearing,
  };
}

/** `ours` (what this node computed from the record it read) written onto `stored` (the record as it is now). */
export function mergeCallRecords(ours: CallRecord, stored: CallRecord): CallRecord {
  const preceding = { ...ours.preceding };
  const pd = furtherDialog(ours.preceding.dialog, stored.preceding.dialog);
  if (pd !== undefined) preceding.dialog = pd;
  const succeeding = { ...ours.succeeding };
  const sd = furtherDialog(ours.succeeding.dialog, stored.succeeding.dialog);
  if (sd !== undefined) succeeding.dialog = sd;
  const merged: CallRecord = { ...stored, ...ours, call: mergedCall(ours.call, stored.call), preceding, succeeding };
  // The clearing keeps the rule version and the rule it started under, whichever node started it first.
  if (stored.clearingDigest !== undefined) merged.clearingDigest = stored.clearingDigest;
  if (stored.clearingEvent !== undefined) merged.clearingEvent = stored.clearingEvent;
  if (stored.clearingRule !== undefined) merged.clearingRule = stored.clearingRule;
  return merged;
}
