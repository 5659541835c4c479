// Messages a B2BUA builds on one leg from what arrived on the other: responses to the preceding node's requests
// (its own To tag, Contact and Record-Route for a dialog-creating answer), and what it relays end to end (the
// header fields the rules name, the body as received except its SDP, which points at this leg's MGW termination).
import type { PlannedHeader } from "../../../generated/types/index.ts";
import { headerValue, makeHeader } from "../../sip/messages/header-access.ts";
import { canonicalHeaderName } from "../../sip/messages/header-names.ts";
import {
  NO_BODY,
  type SipHeader,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from "../../sip/messages/message.ts";
import { sdpOf, withSdp } from "../../sip/messages/multipart-body.ts";
import { reasonPhrase } from "../../sip/messages/reason-phrases.ts";
import { mediaAddressOf, withMediaAddress } from "../../sip/messages/sdp-media.ts";
import { responseTo } from "../../sip/transactions/invite-server-transaction.ts";

/**
 * The header fields relayed end to end, in order: those named (the rules' endToEndHeaders table, and for a 3xx
 * relayed as such its Contacts, RFC 3261 §8.1.3.4), case-insensitively; every other field is the leg's own.
 */
export function relayedHeaders(msg: SipMessage, names: readonly string[]): SipHeader[] {
  const relay = canonicalSet(names);
  return msg.headers.filter((h) => relay.has(h.name));
}

/** The canonical names of a list, found once per list (a rule table's list is the same array every call). */
const canonicalSets = new WeakMap<readonly string[], ReadonlySet<string>>();

function canonicalSet(names: readonly string[]): ReadonlySet<string> {
  let set = canonicalSets.get(names);
  if (set === undefined) {
    set = new Set(names.map(canonicalHeaderName));
    canonicalSets.set(names, set);
  }
  return set;
}

/** The names of a rule table (its keys), listed once per table object (a rules version's tables are not changed). */
const tableKeys = new WeakMap<object, readonly string[]>();

export function keysOfTable(table: object): readonly string[] {
  let keys = tableKeys.get(table);
  if (keys === undefined) {
    keys = Object.keys(table);
    tableKeys.set(table, keys);
  }
  return keys;
}

export const contentTypeOf = (msg: SipMessage) => headerValue(msg, "Content-Type");

/** The SDP a message carries (alone or as the SDP part of a SIP-I multipart body). */
export const sdpOfMessage = (msg: SipMessage) => sdpOf(contentTypeOf(msg), msg.body);

/**
 * The body to send on a leg: the received body with its SDP's media address replaced by the MGW termination's
 * (from that termination's Local descriptor); ISUP parts and everything else unchanged.
 */
export function bodyTowards(msg: SipMessage, mgLocalSdp: string | undefined): Uint8Array {
  const sdp = sdpOfMessage(msg);
  const media = mgLocalSdp === undefined ? undefined : mediaAddressOf(mgLocalSdp);
  if (sdp === undefined || media === undefined) return msg.body;
  return withSdp(contentTypeOf(msg), msg.body, withMediaAddress(sdp, media));
}

export const plannedHeaders = (headers: PlannedHeader[]): SipHeader[] =>
  headers.map((h) => makeHeader(h.name, h.value));

export interface LegResponse {
  status: number;
  /** Reason-Phrase; default the RFC 3261 §21 phrase of the status. */
  reason?: string;
  /** The GMSC's tag on this leg (a response to a request outside a dialog gets it as To tag). */
  localTag: string;
  headers?: SipHeader[];
  body?: Uint8Array;
  /** A dialog-creating answer (1xx/2xx to INVITE): Contact of the GMSC and the request's Record-Route (§12.1.1). */
  contact?: SipHeader;
}

export function responseOnLeg(req: SipRequest, r: LegResponse): SipResponse {
  const res = responseTo(req, r.status, r.reason ?? reasonPhrase(r.status), r.localTag);
  if (r.contact !== undefined && r.status > 100 && r.status < 300) {
    res.headers.push(...req.headers.filter((h) => h.name === "Record-Route"));
    res.headers.push(r.contact);
  }
  res.headers.push(...(r.headers ?? []));
  res.body = r.body ?? NO_BODY;
  return res;
}
