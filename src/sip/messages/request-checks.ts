// What an element answers to a request the codec accepted (RFC 3261 §8.2 for a UAS or registrar, §16.3 for a
// proxy; RFC 4475 §3.3 lists the torture cases). Pure: the element decides from the request and its policy.
import { headerCount, headerValue, headerValues, toOf, vias } from "./header-access.ts";
import { isSipUri, type SipRequest, type SipResponse } from "./message.ts";

export interface ElementPolicy {
  role: "proxy" | "uas" | "registrar";
  /** Request-URI schemes handled (default sip, sips, tel) */
  schemes?: string[];
  /** option tags supported, for Require (UAS) and Proxy-Require (proxy) */
  extensions?: string[];
  /** body types a UAS understands (default application/sdp) */
  contentTypes?: string[];
}

export interface ElementAnswer {
  status: number;
  reason: string;
  /** header fields the answer must carry (Unsupported, Accept) */
  headers: Array<[name: string, value: string]>;
  /** text for a Warning: 399 */
  warning: string;
}

// RFC 3261 §8.1.1: the fields every request carries (Max-Forwards is tolerated missing: RFC 4475 §3.4, RFC 2543).
const REQUIRED = ["To", "From", "CSeq", "Call-ID", "Via"];
const SINGLE = ["To", "From", "CSeq", "Call-ID", "Max-Forwards", "Content-Length", "Content-Type"];

function answer(status: number, reason: string, warning: string, headers: Array<[string, string]> = []): ElementAnswer {
  return { status, reason, headers, warning };
}

const tokensOf = (req: SipRequest, name: string) =>
  headerValues(req, name)
    .flatMap((v) => v.split(","))
    .map((t) => t.trim())
    .filter((t) => t.length > 0);

const mediaType = (v: string) => v.split(";")[0].trim().toLowerCase();

/** The answer the element must give instead of processing the request, or null to go on. */
export function checkRequest(req: SipRequest, policy: ElementPolicy): ElementAnswer | null {
  for (const name of REQUIRED) {
    if (headerCount(req, name) === 0)
      return answer(400, `Missing ${name}`, `missing ${name} header field (RFC 3261 §8.1.1)`);
  }
  for (const name of SINGLE) {
    if (headerCount(req, name) > 1)
      return answer(400, `Multiple ${name}`, `more than one ${name} header field (RFC 3261 §7.3.1)`);
  }
  const schemes = policy.schemes ?? ["sip", "sips", "tel"];
  if (!schemes.includes(req.uri.scheme)) {
    return answer(
      416,
      "Unsupported URI Scheme",
      `Request-URI scheme ${req.uri.scheme} is not supported (RFC 3261 §8.2.2.1)`,
    );
  }
  const mf = headerValue(req, "Max-Forwards");
  if (policy.role === "proxy" && mf !== undefined && Number(mf) === 0) {
    return answer(483, "Too Many Hops", "Max-Forwards is 0 (RFC 3261 §16.3 step 3)");
  }
  const known = new Set((policy.extensions ?? []).map((e) => e.toLowerCase()));
  // §16.3 step 5: a proxy checks Proxy-Require; §8.2.2.3: a UAS checks Require (never for CANCEL or ACK).
  const requireField = policy.role === "proxy" ? "Proxy-Require" : "Require";
  if (req.method !== "CANCEL" && req.method !== "ACK") {
    const unsupported = tokensOf(req, requireField).filter((t) => !known.has(t.toLowerCase()));
    if (unsupported.length > 0) {
      return answer(420, "Bad Extension", `${requireField} names unsupported extensions`, [
        ["Unsupported", unsupported.join(", ")],
      ]);
    }
  }
  if (policy.role === "registrar" && req.method === "REGISTER") {
    const to = toOf(req);
    if (to !== undefined && !isSipUri(to.uri)) {
      return answer(
        416,
        "Unsupported URI Scheme",
        "the address-of-record in To is not a SIP or SIPS URI (RFC 3261 §10.3)",
      );
    }
  }
  if (policy.role !== "proxy") {
    const types = (policy.contentTypes ?? ["application/sdp"]).map((t) => t.toLowerCase());
    const ct = headerValue(req, "Content-Type");
    if (req.body.length > 0 && ct !== undefined && !types.includes(mediaType(ct))) {
      return answer(415, "Unsupported Media Type", `body type ${mediaType(ct)} is not supported (RFC 3261 §8.2.3)`, [
        ["Accept", types.join(", ")],
      ]);
    }
    const accept = tokensOf(req, "Accept").map(mediaType);
    if (req.method === "INVITE" && accept.length > 0 && !accept.some((a) => types.includes(a) || a === "*/*")) {
      return answer(406, "Not Acceptable", "no body type in Accept can be produced (RFC 3261 §21.4.7)");
    }
  }
  return null;
}

/** Why a proxy must drop a response instead of forwarding it, or null (RFC 3261 §16.7, §18.2.2). */
export function checkResponse(res: SipResponse): string | null {
  const v = vias(res);
  if (v.length === 0) return "no Via header field";
  const next = v[1];
  if (next && /^255\.255\.255\.255$|^\[?ff0[0-9a-f]:/i.test(next.host))
    return `next Via ${next.host} is a broadcast or multicast address`;
  return null;
}
