// REGISTER at the S-CSCF (RFC 3261 §10.3, RFC 5627 §5): the request read into a RegisterRequest, the
// registrar's answer written as the 200 OK's Contact list with pub-gruu and temp-gruu. Authentication is the
// HSS's job and out of scope: REGISTER is accepted from the configured trusted addresses only.
import {
  callIdOf,
  contacts,
  cseqOf,
  headerValue,
  headerValues,
  paramOf,
  toOf,
} from "../../sip/messages/header-access.ts";
import type { SipRequest } from "../../sip/messages/message.ts";
import { formatNameAddr } from "../../sip/messages/name-addr.ts";
import { formatUri, parseUri } from "../../sip/messages/uri.ts";
import type { ProxyDecision } from "../../sip/proxy/proxy-core.ts";
import { aorOfUri } from "./party-identity.ts";
import type { ContactToRegister, RegisterRequest, Registrar } from "./registrar.ts";

type Respond = Extract<ProxyDecision, { action: "respond" }>;

const bad = (reason: string): Respond => ({
  action: "respond",
  status: 400,
  reason: "Bad Request",
  headers: [["Warning", `399 cleardown "${reason.replace(/["\\\r\n]/g, "")}"`]],
});

function intParam(v: string | null | undefined): number | undefined {
  if (v === undefined || v === null || !/^\d{1,10}$/.test(v)) return undefined;
  return Number(v);
}

/** The REGISTER as the registrar reads it, or the 400 that names what is wrong. */
export function registerRequestOf(req: SipRequest): RegisterRequest | Respond {
  const to = toOf(req);
  const callId = callIdOf(req);
  const cseq = cseqOf(req);
  if (!to || !callId || !cseq) return bad("REGISTER needs To, Call-ID and CSeq");
  const expiresHeader = headerValue(req, "Expires");
  const expires = expiresHeader === undefined ? undefined : intParam(expiresHeader.trim());
  if (expiresHeader !== undefined && expires === undefined) return bad("Expires: expected delta-seconds");
  const cs = contacts(req);
  const supportsGruu = headerValues(req, "Supported").some((v) =>
    v.split(",").some((t) => t.trim().toLowerCase() === "gruu"),
  );
  const base = { aor: aorOfUri(to.uri), expires, supportsGruu, callId, cseq: cseq.seq };
  if (cs === "*") return { ...base, contacts: "*" };
  const list: ContactToRegister[] = cs.map((c) => {
    const instance = paramOf(c.params, "+sip.instance");
    const regId = intParam(paramOf(c.params, "reg-id"));
    const exp = intParam(paramOf(c.params, "expires"));
    return {
      uri: formatUri(c.uri),
      ...(exp !== undefined ? { expires: exp } : {}),
      ...(instance ? { instance } : {}),
      ...(regId !== undefined ? { regId } : {}),
    };
  });
  return { ...base, contacts: list };
}

/** Runs the REGISTER through the registrar; the decision is the response the proxy core sends. */
export async function handleRegister(req: SipRequest, registrar: Registrar): Promise<Respond> {
  const parsed = registerRequestOf(req);
  if ("action" in parsed) return parsed;
  const result = await registrar.register(parsed);
  if (result.status !== 200) {
    return result.status === 400
      ? bad(result.reason)
      : { action: "respond", status: 500, reason: "Server Internal Error" };
  }
  const headers: Array<[string, string]> = [];
  for (const c of result.contacts) {
    const uri = parseUri(c.uri);
    if (!uri.ok) continue;
    const params: Array<[string, string | null]> = [["expires", String(c.expires)]];
    if (c.instance) params.push(["+sip.instance", c.instance]);
    if (c.regId !== undefined) params.push(["reg-id", String(c.regId)]);
    if (c.pubGruu) params.push(["pub-gruu", c.pubGruu]);
    if (c.tempGruu) params.push(["temp-gruu", c.tempGruu]);
    headers.push(["Contact", formatNameAddr({ displayName: null, uri: uri.uri, params })]);
  }
  if (parsed.supportsGruu) headers.push(["Supported", "gruu"]);
  return { action: "respond", status: 200, reason: "OK", headers };
}
