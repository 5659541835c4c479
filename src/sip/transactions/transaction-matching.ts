// Which transaction a message belongs to (RFC 3261 §17.1.3 for responses at a client, §17.2.3 for requests at a
// server), with the RFC 2543 fallback for requests whose branch lacks the magic cookie.
import { branchOf, callIdOf, cseqOf, fromOf, tagOf, topVia } from "../messages/header-access.ts";
import { formatVia } from "../messages/header-values.ts";
import type { SipRequest, SipResponse } from "../messages/message.ts";
import { formatUri } from "../messages/uri.ts";

export const MAGIC_COOKIE = "z9hG4bK";

/** A branch made by an RFC 3261 element starts with the magic cookie (RFC 4475 §3.2.1: even if that is all). */
export function isRfc3261Branch(branch: string | undefined): branch is string {
  return branch?.startsWith(MAGIC_COOKIE) === true;
}

/** §17.1.3: the branch of the top Via and the CSeq method. */
export function clientKey(branch: string, method: string): string {
  return `${branch}|${method}`;
}

export function clientKeyOfResponse(res: SipResponse): string | undefined {
  const branch = branchOf(topVia(res));
  const cseq = cseqOf(res);
  return branch === undefined || cseq === undefined ? undefined : clientKey(branch, cseq.method);
}

/**
 * §17.2.3: branch, sent-by and method (an ACK matches its INVITE's transaction); without the magic cookie,
 * Request-URI, From tag, Call-ID, CSeq and top Via (RFC 2543; an ACK's
 * To tag is the response's, so not compared; received/rport stamps are ignored).
 * `asMethod` looks up another method's transaction (a CANCEL's INVITE).
 */
export function serverKey(req: SipRequest, asMethod?: string): string | undefined {
  const via = topVia(req);
  const cseq = cseqOf(req);
  if (!via || !cseq) return undefined;
  const method = asMethod ?? (req.method === "ACK" ? "INVITE" : req.method);
  const branch = branchOf(via);
  if (isRfc3261Branch(branch)) {
    const port = via.port ?? 5060;
    return `${branch}|${via.host.toLowerCase()}:${port}|${method}`;
  }
  return `2543|${formatUri(req.uri)}|${tagOf(fromOf(req)) ?? ""}|${callIdOf(req) ?? ""}|${cseq.seq}|${method}|${formatVia({ ...via, params: via.params.filter(([n]) => n !== "received" && n !== "rport") })}`;
}
