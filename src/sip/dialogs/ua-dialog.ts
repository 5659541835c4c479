// RFC 3261 §12 for a user agent, e.g. one leg of a B2BUA: the dialog a UAC learns from the response to its
// INVITE (§12.1.2) and a UAS from the INVITE it answers (§12.1.1), and the requests built inside it (§12.2.1.1):
// BYE and other in-dialog requests, the ACK for a 2xx (§13.2.2.4). The state is plain strings so a store keeps it.
import type { UaDialog } from "../../../generated/types/index.ts";
import {
  callIdOf,
  contacts,
  cseqOf,
  fromOf,
  headerOf,
  makeHeader,
  recordRoutes,
  tagOf,
  toOf,
} from "../messages/header-access.ts";
import { type NameAddr, NO_BODY, type SipHeader, type SipRequest, type SipResponse } from "../messages/message.ts";
import { formatNameAddr } from "../messages/name-addr.ts";
import { formatUri, paramOf, parseUri } from "../messages/uri.ts";

export class DialogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DialogError";
  }
}

const withoutTag = (v: NameAddr): string =>
  formatNameAddr({ ...v, params: v.params.filter(([n]) => n.toLowerCase() !== "tag") });

function firstContact(msg: SipRequest | SipResponse, what: string): string {
  const c = contacts(msg);
  if (c === "*" || c.length === 0) throw new DialogError(`${what}: expected a Contact header (remote target, §12.1)`);
  return formatUri(c[0].uri);
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new DialogError(`${what}: expected it in the message`);
  return value;
}

/** §12.1.2: the UAC's dialog from a 1xx-with-tag or 2xx to its INVITE. Route set: Record-Route reversed. */
export function uacDialog(invite: SipRequest, response: SipResponse): UaDialog {
  const from = required(fromOf(invite), "From of the INVITE");
  const to = required(toOf(response), "To of the response");
  return {
    callId: required(callIdOf(invite), "Call-ID of the INVITE"),
    localTag: required(tagOf(from), "From tag of the INVITE"),
    remoteTag: required(tagOf(to), "To tag of the response"),
    localUri: withoutTag(from),
    remoteUri: withoutTag(to),
    remoteTarget: firstContact(response, `Contact of the ${response.status} response`),
    routeSet: recordRoutes(response).map(formatNameAddr).reverse(),
    localSeq: required(cseqOf(invite), "CSeq of the INVITE").seq,
    remoteSeq: null,
  };
}

/** §12.1.1: the UAS's dialog from the INVITE it answers with `localTag`. Route set: Record-Route in order. */
export function uasDialog(invite: SipRequest, localTag: string): UaDialog {
  const from = required(fromOf(invite), "From of the INVITE");
  const to = required(toOf(invite), "To of the INVITE");
  return {
    callId: required(callIdOf(invite), "Call-ID of the INVITE"),
    localTag,
    remoteTag: required(tagOf(from), "From tag of the INVITE"),
    localUri: withoutTag(to),
    remoteUri: withoutTag(from),
    remoteTarget: firstContact(invite, "Contact of the INVITE"),
    routeSet: recordRoutes(invite).map(formatNameAddr),
    localSeq: 0,
    remoteSeq: required(cseqOf(invite), "CSeq of the INVITE").seq,
  };
}

/** §12.2.2: a request received in the dialog moves the remote CSeq. */
export function withRemoteSeq(d: UaDialog, req: SipRequest): UaDialog {
  const seq = cseqOf(req)?.seq;
  return seq === undefined ? d : { ...d, remoteSeq: seq };
}

function tagged(value: string, tag: string, name: "From" | "To"): SipHeader {
  const v = makeHeader(name, value).parsed as NameAddr;
  return headerOf(name, { ...v, params: [...v.params, ["tag", tag]] });
}

export interface InDialogOptions {
  /** CSeq number; default the next local one (the caller stores it with `withLocalSeq`). */
  cseq?: number;
  headers?: SipHeader[];
  body?: Uint8Array;
}

/** The CSeq number of the next new request in the dialog (§12.2.1.1: one more than the last). */
export const nextLocalSeq = (d: UaDialog): number => d.localSeq + 1;

export function withLocalSeq(d: UaDialog, seq: number): UaDialog {
  return { ...d, localSeq: seq };
}

/**
 * §12.2.1.1: a request in the dialog. Loose routing (the first Route has `lr`): Request-URI = remote target,
 * Route = route set; a strict router takes the Request-URI and the remote target goes last in the Route.
 */
export function inDialogRequest(d: UaDialog, method: string, options: InDialogOptions = {}): SipRequest {
  const routeValues = d.routeSet.flatMap((r) => makeHeader("Route", r).parsed as NameAddr[]);
  const target = parseUri(d.remoteTarget);
  if (!target.ok)
    throw new DialogError(`remote target ${d.remoteTarget}: expected ${target.expected} at ${target.offset}`);
  let uri = target.uri;
  let route = routeValues;
  const first = routeValues[0];
  if (first !== undefined && "params" in first.uri && paramOf(first.uri.params, "lr") === undefined) {
    uri = first.uri;
    route = [...routeValues.slice(1), { displayName: null, uri: target.uri, params: [] }];
  }
  const headers: SipHeader[] = [
    headerOf("Max-Forwards", 70),
    tagged(d.remoteUri, d.remoteTag, "To"),
    tagged(d.localUri, d.localTag, "From"),
    headerOf("Call-ID", d.callId),
    headerOf("CSeq", { seq: options.cseq ?? nextLocalSeq(d), method }),
  ];
  if (route.length > 0) headers.push(headerOf("Route", route));
  headers.push(...(options.headers ?? []));
  return { kind: "request", method, uri, version: "SIP/2.0", headers, body: options.body ?? NO_BODY };
}

/** §13.2.2.4: the ACK for a 2xx, in the dialog, with the CSeq number of the INVITE it acknowledges. */
export function ackFor2xx(d: UaDialog, inviteCSeq: number): SipRequest {
  return inDialogRequest(d, "ACK", { cseq: inviteCSeq });
}

/** Whether a request belongs to this dialog (§12.2.2: Call-ID, and the tags seen from the receiver's side). */
export function inDialog(d: UaDialog, req: SipRequest): boolean {
  return callIdOf(req) === d.callId && tagOf(toOf(req)) === d.localTag && tagOf(fromOf(req)) === d.remoteTag;
}
