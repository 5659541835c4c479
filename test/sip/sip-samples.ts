// Small SIP messages for transport and transaction tests.

import type { SipRequest, SipResponse } from "../../src/sip/messages/message.ts";
import { parseMessage } from "../../src/sip/messages/parse-message.ts";

export function request(text: string): SipRequest {
  const r = parseMessage(text.replace(/\n/g, "\r\n"));
  if (!r.ok || r.message.kind !== "request") throw new Error(`bad sample: ${JSON.stringify(r)}`);
  return r.message;
}

export function response(text: string): SipResponse {
  const r = parseMessage(text.replace(/\n/g, "\r\n"));
  if (!r.ok || r.message.kind !== "response") throw new Error(`bad sample: ${JSON.stringify(r)}`);
  return r.message;
}

export function options(branch: string, sentBy = "client.invalid;rport", method = "OPTIONS"): SipRequest {
  return request(`${method} sip:bob@example.com SIP/2.0
Via: SIP/2.0/UDP ${sentBy.includes(";") ? sentBy.replace(";", `;branch=${branch};`) : `${sentBy};branch=${branch}`}
Max-Forwards: 70
From: <sip:alice@example.com>;tag=a1
To: <sip:bob@example.com>
Call-ID: ${branch}@test
CSeq: 1 ${method}
Content-Length: 0

`);
}
