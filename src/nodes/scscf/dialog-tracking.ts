// Learns the dialog state TS 24.229 §5.4.5.1.2 reads from live traffic: the initial INVITE and its 2xx, and
// every in-dialog request passing through (which moves the CSeq of its direction).
import type { DialogState, Party } from "../../../generated/types/index.ts";
import { ownStrings } from "../../store/own-strings.ts";
import { splitRouteSet } from "./route-sets.ts";

/** What the S-CSCF read from the initial INVITE it forwarded. */
export interface InviteSeen {
  callId: string;
  from: string;
  to: string;
  contact: string;
  cseq: number;
  /** Record-Route values as forwarded (own entry included), top first. */
  recordRoute: string[];
  servedUser: Party;
}

/** What it read from the 2xx to that INVITE. */
export interface OkSeen {
  to: string;
  contact: string;
  recordRoute: string[];
}

export function earlyDialog(seen: InviteSeen, isOwn: (v: string) => boolean): DialogState {
  const invite = ownStrings(seen);
  const routes = splitRouteSet(invite.recordRoute, isOwn, invite.servedUser);
  return {
    callId: invite.callId,
    state: "early",
    servedUser: invite.servedUser,
    fromOfInvite: invite.from,
    toOf200: invite.to,
    callingContact: invite.contact,
    calledContact: "",
    routeSetTowardsCalled: routes?.routeSetTowardsCalled ?? [],
    routeSetTowardsCalling: routes?.routeSetTowardsCalling ?? [],
    serviceRoute: routes?.serviceRoute ?? [],
    cseqCallingToCalled: invite.cseq,
    cseqCalledToCalling: null,
    release: { byeToCalled: "none", byeToCalling: "none" },
  };
}

export function confirmedDialog(early: DialogState, seen: OkSeen, isOwn: (v: string) => boolean): DialogState {
  const ok = ownStrings(seen);
  const routes = splitRouteSet(ok.recordRoute, isOwn, early.servedUser);
  return {
    ...early,
    state: "confirmed",
    toOf200: ok.to,
    calledContact: ok.contact,
    routeSetTowardsCalled: routes?.routeSetTowardsCalled ?? early.routeSetTowardsCalled,
    routeSetTowardsCalling: routes?.routeSetTowardsCalling ?? early.routeSetTowardsCalling,
    serviceRoute: routes?.serviceRoute ?? early.serviceRoute ?? [],
  };
}

const tagOf = (header: string) => /;\s*tag=([^;\s>]+)/i.exec(header)?.[1];

/** Which way an in-dialog request travels: its From tag is the calling user's (the INVITE's From tag) or not. */
export function directionOf(dialog: DialogState, fromHeader: string): "calling-to-called" | "called-to-calling" {
  return tagOf(fromHeader) === tagOf(dialog.fromOfInvite) ? "calling-to-called" : "called-to-calling";
}

/** Every in-dialog request passing through moves the CSeq stored for its direction (never backwards). */
export function withRequestCSeq(dialog: DialogState, fromHeader: string, cseq: number): DialogState {
  if (directionOf(dialog, fromHeader) === "calling-to-called") {
    return cseq > dialog.cseqCallingToCalled ? { ...dialog, cseqCallingToCalled: cseq } : dialog;
  }
  return dialog.cseqCalledToCalling === null || cseq > dialog.cseqCalledToCalling
    ? { ...dialog, cseqCalledToCalling: cseq }
    : dialog;
}
