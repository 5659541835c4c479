// The SIP message model (RFC 3261 §7): a start line, header fields in order, and a body of octets.
// Structured values of the fields the stack reads are parsed once, when the message is parsed.

/** A parameter as written: name, and value (null when the parameter has no "="); quoted values are unquoted. */
export type Param = [name: string, value: string | null];

export interface SipUri {
  scheme: "sip" | "sips";
  /** user part as written (escapes kept) */
  user: string | null;
  password: string | null;
  /** hostname, IPv4 address, or IPv6 reference with its brackets */
  host: string;
  port: number | null;
  params: Param[];
  headers: Array<[name: string, value: string]>;
}

export interface TelUri {
  scheme: "tel";
  number: string;
  params: Param[];
}

/** Any other scheme (RFC 2396 absoluteURI), kept opaque. */
export interface AbsoluteUri {
  scheme: string;
  value: string;
}

export type Uri = SipUri | TelUri | AbsoluteUri;

/** name-addr or addr-spec with the header parameters that follow it (From, To, Contact, Route, Record-Route). */
export interface NameAddr {
  displayName: string | null;
  uri: Uri;
  params: Param[];
}

export interface Via {
  protocol: string;
  version: string;
  transport: string;
  host: string;
  port: number | null;
  params: Param[];
}

export interface CSeq {
  seq: number;
  method: string;
}

/** One Reason value (RFC 3326): protocol ("SIP", "Q.850", …) with cause, text and other parameters. */
export interface ReasonValue {
  protocol: string;
  params: Param[];
}

/** Session-Expires (RFC 4028 §4). */
export interface SessionExpires {
  deltaSeconds: number;
  params: Param[];
}

export type ContactValue = "*" | NameAddr[];

/** The structured value of each header field the codec parses, by canonical name. */
export interface StructuredValues {
  Via: Via[];
  From: NameAddr;
  To: NameAddr;
  Contact: ContactValue;
  Route: NameAddr[];
  "Record-Route": NameAddr[];
  "Call-ID": string;
  CSeq: CSeq;
  "Max-Forwards": number;
  "Content-Length": number;
  Reason: ReasonValue[];
  "Session-Expires": SessionExpires;
  Date: string;
}

export type StructuredName = keyof StructuredValues;

export interface SipHeader {
  /** canonical name (compact forms expanded) */
  name: string;
  /** the value unfolded (each fold's CRLF dropped), without leading and trailing white space */
  value: string;
  /** the structured value, for the fields in StructuredValues */
  parsed?: unknown;
}

export interface RequestLine {
  kind: "request";
  method: string;
  uri: Uri;
  version: string;
}

export interface StatusLine {
  kind: "response";
  version: string;
  status: number;
  reason: string;
}

export type StartLine = RequestLine | StatusLine;

export interface SipRequest extends RequestLine {
  headers: SipHeader[];
  body: Uint8Array;
}

export interface SipResponse extends StatusLine {
  headers: SipHeader[];
  body: Uint8Array;
}

export type SipMessage = SipRequest | SipResponse;

/** The body of a message without one: one shared, frozen empty array (nothing can be written to it). */
export const NO_BODY: Uint8Array = Object.freeze(new Uint8Array(0));

export function isSipUri(u: Uri): u is SipUri {
  return u.scheme === "sip" || u.scheme === "sips";
}

export function isTelUri(u: Uri): u is TelUri {
  return u.scheme === "tel";
}
