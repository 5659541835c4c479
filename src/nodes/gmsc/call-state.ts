// The GMSC's view of a SIP-I call, kept from what passes on each leg (observations, not decisions): the
// B2BUA's leg towards the preceding node and its leg towards the succeeding node (RFC 3261 dialog states).
import type { CallState, Leg, Termination } from "../../../generated/types/index.ts";

const idle: Leg = { state: "none", provisionalReceived: false, finalResponseReceived: false };

export function newCall(callId: string): CallState {
  return {
    callId,
    preceding: { state: "calling", provisionalReceived: false, finalResponseReceived: false },
    succeeding: { ...idle },
    terminations: [],
    cancelRequested: false,
    cancelPending: false,
    clearing: false,
  };
}

export function withInviteSent(call: CallState): CallState {
  return { ...call, succeeding: { ...call.succeeding, state: "calling" } };
}

/** A response to the initial INVITE on a leg (received from the succeeding node, or sent to the preceding one). */
export function withInviteResponse(call: CallState, leg: "preceding" | "succeeding", status: number): CallState {
  const l = call[leg];
  let next: Leg;
  if (status < 200)
    next = {
      ...l,
      state: status === 100 ? (l.state === "calling" ? "proceeding" : l.state) : "early",
      provisionalReceived: true,
    };
  else if (status < 300) next = { ...l, state: "confirmed", finalResponseReceived: true };
  else next = { ...l, state: "terminated", finalResponseReceived: true };
  return { ...call, [leg]: next };
}

export function withLegTerminated(call: CallState, leg: "preceding" | "succeeding"): CallState {
  return { ...call, [leg]: { ...call[leg], state: "terminated" } };
}

export function withTerminations(call: CallState, terminations: Termination[]): CallState {
  return { ...call, terminations: [...call.terminations, ...terminations] };
}

export function isOver(call: CallState): boolean {
  const done = (l: Leg) => l.state === "terminated" || l.state === "none";
  return done(call.preceding) && done(call.succeeding) && call.terminations.every((t) => !t.seized);
}
