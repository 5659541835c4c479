// The INVITE client transaction (RFC 3261 §17.1.1, Figure 5): Calling, Proceeding, Completed, Terminated;
// Timer A retransmits over unreliable transports (doubling), Timer B bounds the wait for a response, Timer D
// absorbs retransmitted final responses; the ACK for a non-2xx final response is built here (§17.1.1.3).

import { headerOf, structured, toOf, vias } from "../messages/header-access.ts";
import { NO_BODY, type SipHeader, type SipRequest, type SipResponse } from "../messages/message.ts";
import { ClientTransaction } from "./client-transaction.ts";
import { timerD, transactionTimeout } from "./transaction-timers.ts";

export class InviteClientTransaction extends ClientTransaction {
  private ack?: SipRequest;

  start(): void {
    this.send(this.request);
    if (!this.reliable) this.retransmitAfter(this.config.T1);
    this.timers.set("B", transactionTimeout(this.config), () => this.timedOut());
  }

  private retransmitAfter(interval: number): void {
    this.timers.set("A", interval, () => {
      if (this.state !== "calling") return;
      this.send(this.request);
      this.retransmitAfter(2 * interval);
    });
  }

  receiveResponse(res: SipResponse): void {
    const provisional = res.status < 200;
    switch (this.state) {
      case "calling":
      case "proceeding":
        if (provisional) {
          this.state = "proceeding";
          this.timers.clear("A");
          this.user.onResponse(res);
        } else if (res.status < 300) {
          // §17.1.1.2: a 2xx ends the transaction; the ACK for it is the TU's (end to end).
          this.terminate();
          this.user.onResponse(res);
        } else {
          this.state = "completed";
          this.timers.clear("A");
          this.timers.clear("B");
          this.ack = ackFor(this.request, res);
          this.send(this.ack);
          this.user.onResponse(res);
          this.timers.set("D", timerD(this.config, this.reliable), () => this.terminate());
        }
        return;
      case "completed":
        // Retransmitted final responses get the same ACK again and go no further.
        if (!provisional && res.status >= 300 && this.ack) this.send(this.ack);
        return;
      default:
        return;
    }
  }
}

/** §17.1.1.3: the ACK for a non-2xx final response, in the same transaction as the INVITE. */
export function ackFor(invite: SipRequest, res: SipResponse): SipRequest {
  const headers: SipHeader[] = [headerOf("Via", [vias(invite)[0]])];
  for (const h of invite.headers) {
    if (h.name === "Route" || h.name === "Call-ID" || h.name === "From" || h.name === "Max-Forwards") headers.push(h);
  }
  const to = toOf(res);
  if (to) headers.push(headerOf("To", to));
  const cseq = structured(invite, "CSeq");
  if (cseq) headers.push(headerOf("CSeq", { seq: cseq.seq, method: "ACK" }));
  return { kind: "request", method: "ACK", uri: invite.uri, version: "SIP/2.0", headers, body: NO_BODY };
}
