// Two GMSC nodes sharing a store may each write a call's record (one handles a BYE while the other is asked to
// release it). A write therefore lands on the record as stored, not over it: what a call's state records only ever
// moves forwards (a leg towards terminated, a termination from seized to released, clearing from false to true, a
// CSeq upwards), so the merge keeps the further of the two for each field and no node's progress is lost.
// Most writes land on the record this node read (nobody else wrote meanwhile): then ours is already the further of
// each, and the merge returns our objects as they are instead of copying every one (it runs several times a call).
import type { CallRecord, CallState, Leg, LegState, Termination, UaDialog } from "../../../generated/types/index.ts";

const legOrder: LegState[] = ["none", "calling", "proceeding", "early", "confirmed", "terminated"];

function furtherLeg(a: Leg, b: Leg): Leg {
  const ahead = legOrder.indexOf(a.state) >= legOrder.indexOf(b.state);
  if (
    ahead &&
    (a.provisionalReceived || !b.provisionalReceived) &&
    (a.finalResponseReceived || !b.finalResponseReceived)
  )
    return a;
  return {
    state: legOrder.indexOf(a.state) >= legOrder.indexOf(b.state) ? a.state : b.state,
    provisionalReceived: a.provisionalReceived || b.provisionalReceived,
    finalResponseReceived: a.finalResponseReceived || b.finalResponseReceived,
  };
}

const sameTermination = (a: Termination, b: Termination) => a.contextId === b.contextId && a.id === b.id;

/** A termination is seized only while both writers still see it seized: released once is released. */
function mergedTerminations(ours: Termination[], stored: Termination[]): Termination[] {
  if (sameTerminations(ours, stored)) return ours;
  const out = ours.map((t) => {
    const s = stored.find((x) => sameTermination(x, t));
    return s === undefined ? t : { ...t, seized: t.seized && s.seized };
  });
  for (const s of stored) if (!ours.some((t) => sameTermination(t, s))) out.push(s);
  return out;
}

/** Both hold the same terminations in the same order, none released in `stored` that `ours` holds seized. */
function sameTerminations(ours: Termination[], stored: Termination[]): boolean {
  if (ours.length !== stored.length) return false;
  for (let i = 0; i < ours.length; i++) {
    const t = ours[i];
    const s = stored[i];
    if (!sameTermination(t, s) || (t.seized && !s.seized)) return false;
  }
  return true;
}

function furtherDialog(ours: UaDialog | undefined, stored: UaDialog | undefined): UaDialog | undefined {
  if (ours === undefined || stored === undefined) return ours ?? stored;
  const remoteSeq =
    ours.remoteSeq === null || stored.remoteSeq === null
      ? (ours.remoteSeq ?? stored.remoteSeq)
      : Math.max(ours.remoteSeq, stored.remoteSeq);
  if (ours.localSeq >= stored.localSeq && remoteSeq === ours.remoteSeq) return ours;
  return { ...ours, localSeq: Math.max(ours.localSeq, stored.localSeq), remoteSeq };
}

function mergedCall(ours: CallState, stored: CallState): CallState {
  const preceding = furtherLeg(ours.preceding, stored.preceding);
  const succeeding = furtherLeg(ours.succeeding, stored.succeeding);
  const terminations = mergedTerminations(ours.terminations, stored.terminations);
  if (
    preceding === ours.preceding &&
    succeeding === ours.succeeding &&
    terminations === ours.terminations &&
    (ours.cancelRequested || !stored.cancelRequested) &&
    (ours.clearing || !stored.clearing)
  )
    return ours;
  return {
    ...ours,
    preceding,
    succeeding,
    terminations,
    cancelRequested: ours.cancelRequested || stored.cancelRequested,
    // A deferred CANCEL is sent by the node that sees the provisional response; ours is the newer word on it.
    cancelPending: ours.cancelPending,
    clearing: ours.clearing || stored.clearing,
  };
}

/** `ours` (what this node computed from the record it read) written onto `stored` (the record as it is now). */
export function mergeCallRecords(ours: CallRecord, stored: CallRecord): CallRecord {
  const call = mergedCall(ours.call, stored.call);
  const pd = furtherDialog(ours.preceding.dialog, stored.preceding.dialog);
  const sd = furtherDialog(ours.succeeding.dialog, stored.succeeding.dialog);
  if (
    call === ours.call &&
    pd === ours.preceding.dialog &&
    sd === ours.succeeding.dialog &&
    holdsEveryField(ours, stored) &&
    (stored.clearingDigest === undefined || stored.clearingDigest === ours.clearingDigest) &&
    (stored.clearingEvent === undefined || stored.clearingEvent === ours.clearingEvent) &&
    (stored.clearingRule === undefined || stored.clearingRule === ours.clearingRule)
  )
    return ours;
  return copiedMerge(ours, stored, call, pd, sd);
}

/** `ours` has a value for every field `stored` has (so `{ ...stored, ...ours }` would take nothing from stored). */
function holdsEveryField(ours: CallRecord, stored: CallRecord): boolean {
  for (const k in stored) if (!Object.hasOwn(ours, k)) return false;
  return true;
}

function copiedMerge(
  ours: CallRecord,
  stored: CallRecord,
  call: CallState,
  pd: UaDialog | undefined,
  sd: UaDialog | undefined,
): CallRecord {
  const preceding = { ...ours.preceding };
  if (pd !== undefined) preceding.dialog = pd;
  const succeeding = { ...ours.succeeding };
  if (sd !== undefined) succeeding.dialog = sd;
  const merged: CallRecord = { ...stored, ...ours, call, preceding, succeeding };
  // The clearing keeps the rule version and the rule it started under, whichever node started it first.
  if (stored.clearingDigest !== undefined) merged.clearingDigest = stored.clearingDigest;
  if (stored.clearingEvent !== undefined) merged.clearingEvent = stored.clearingEvent;
  if (stored.clearingRule !== undefined) merged.clearingRule = stored.clearingRule;
  return merged;
}
