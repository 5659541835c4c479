// Checks the codec makes after the syntax, where the ABNF is silent but RFC 3261 is not (RFC 4475 §3.1.2 asks
// that such messages be rejected): the SIP version, the status code range, CSeq range and method, the
// Max-Forwards range, and a Request-URI without headers.
import { isSipUri, type SipMessage } from "./message.ts";
import type { SipFault } from "./sip-fault.ts";

const CSEQ_LIMIT = 2 ** 31;

// A module-level function, not a closure over headerLines: this runs once per message parsed.
function semantic(
  headerLines: number[] | undefined,
  index: number,
  header: string | undefined,
  message: string,
  status = 400,
): SipFault {
  return { layer: "semantic", line: index < 0 ? 1 : (headerLines?.[index] ?? 0), column: 1, header, message, status };
}

/** @param headerLines line number of each header field in the raw message, when known */
export function checkMessage(msg: SipMessage, headerLines?: number[]): SipFault | null {
  if (msg.version !== "SIP/2.0") {
    return semantic(
      headerLines,
      -1,
      undefined,
      `SIP version ${msg.version} is not supported (RFC 3261 §8.2.2: 505)`,
      505,
    );
  }
  if (msg.kind === "response" && (msg.status < 100 || msg.status > 699)) {
    return semantic(headerLines, -1, undefined, `status code ${msg.status} is outside 100-699 (RFC 3261 §7.2)`);
  }
  for (let i = 0; i < msg.headers.length; i++) {
    const h = msg.headers[i];
    if (h.name === "CSeq") {
      const v = h.parsed as { seq: number; method: string };
      if (v.seq >= CSEQ_LIMIT)
        return semantic(headerLines, i, "CSeq", "CSeq number must be less than 2**31 (RFC 3261 §8.1.1.5)");
      if (msg.kind === "request" && v.method !== msg.method) {
        return semantic(
          headerLines,
          i,
          "CSeq",
          `CSeq method ${v.method} differs from the request method ${msg.method} (RFC 3261 §8.1.1.5)`,
        );
      }
    } else if (h.name === "Max-Forwards" && (h.parsed as number) > 255) {
      return semantic(headerLines, i, "Max-Forwards", "Max-Forwards must be 0-255 (RFC 3261 §20.22)");
    }
  }
  if (msg.kind === "request" && isSipUri(msg.uri) && msg.uri.headers.length > 0) {
    return semantic(headerLines, -1, undefined, "the Request-URI must not contain headers (RFC 3261 §19.1.1)");
  }
  return null;
}
