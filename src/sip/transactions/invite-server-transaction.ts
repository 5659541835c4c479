// The INVITE server transaction (RFC 3261 §17.2.1, Figure 7): Proceeding, Completed, Confirmed, Terminated; after
// a 2xx it ends at once, `accepted` (RFC 6026's Accepted state is kept by the layer: see accepted-invites.ts).
// It sends 100 Trying itself if the TU has not answered within 200 ms, absorbs retransmitted INVITEs by resending
// the last response, retransmits a non-2xx final response on Timer G (doubling, capped at T2) until the ACK,
// gives up on Timer H, and absorbs ACK retransmissions until Timer I.
import { headerOf } from "../messages/header-access.ts";
import { type NameAddr, NO_BODY, type SipRequest, type SipResponse } from "../messages/message.ts";
import { ServerTransaction } from "./server-transaction.ts";
import { backoff, timerT4, transactionTimeout } from "./transaction-timers.ts";

export class InviteServerTransaction extends ServerTransaction {
  /** It sent a 2xx (RFC 6026 §7.1: Accepted). */
  accepted = false;

  /** Arms the automatic 100 Trying (§17.2.1). */
  start(): void {
    this.timers.set("trying", 200, () => {
      if (this.state === "proceeding" && !this.lastResponse) this.respond(tryingFor(this.request));
    });
  }

  respond(res: SipResponse): void {
    if (this.state !== "proceeding") return;
    this.timers.clear("trying");
    this.lastResponse = res;
    this.send(res);
    if (res.status < 200) return;
    if (res.status < 300) {
      // §17.2.1: a 2xx ends the transaction; its retransmission is the TU's (end to end). RFC 6026 §7.1: the
      // INVITE's retransmissions are absorbed meanwhile, by the layer that knows the key (accepted-invites.ts).
      this.accepted = true;
      this.terminate();
      return;
    }
    this.state = "completed";
    if (!this.reliable) this.retransmitAfter(this.config.T1);
    this.timers.set("H", transactionTimeout(this.config), () => {
      this.terminate();
      this.events.onFailure?.("timeout");
    });
  }

  private retransmitAfter(interval: number): void {
    this.timers.set("G", interval, () => {
      if (this.state !== "completed" || !this.lastResponse) return;
      this.send(this.lastResponse);
      this.retransmitAfter(backoff(interval, this.config));
    });
  }

  receiveRequest(req: SipRequest): void {
    if (req.method === "ACK") {
      if (this.state !== "completed") return;
      this.state = "confirmed";
      this.timers.clear("G");
      this.timers.clear("H");
      this.timers.set("I", timerT4(this.config, this.reliable), () => this.terminate());
      return;
    }
    // A retransmitted INVITE: resend the last response (Proceeding, Completed).
    if ((this.state === "proceeding" || this.state === "completed") && this.lastResponse) this.send(this.lastResponse);
  }
}

/** 100 Trying for a request (§8.2.6.1: no To tag; Timestamp echoed is optional and omitted). */
export function tryingFor(req: SipRequest): SipResponse {
  return responseTo(req, 100, "Trying");
}

/** A response to a request with the fields §8.2.6.2 copies: Via, From, To, Call-ID, CSeq. */
export function responseTo(req: SipRequest, status: number, reason: string, toTag?: string): SipResponse {
  const headers = req.headers.filter(
    (h) => h.name === "Via" || h.name === "From" || h.name === "To" || h.name === "Call-ID" || h.name === "CSeq",
  );
  if (toTag !== undefined) {
    const i = headers.findIndex((h) => h.name === "To");
    const to = i === -1 ? undefined : (headers[i].parsed as NameAddr);
    if (to && !to.params.some(([n]) => n.toLowerCase() === "tag")) {
      headers[i] = headerOf("To", { ...to, params: [...to.params, ["tag", toTag]] });
    }
  }
  return { kind: "response", version: "SIP/2.0", status, reason, headers, body: NO_BODY };
}
