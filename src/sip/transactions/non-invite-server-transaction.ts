// The non-INVITE server transaction (RFC 3261 §17.2.2, Figure 8): Trying, Proceeding, Completed, Terminated.
// Retransmitted requests are absorbed (Trying) or answered with the last response; Timer J keeps the final
// response for retransmissions on unreliable transports.
import type { SipRequest, SipResponse } from "../messages/message.ts";
import { ServerTransaction } from "./server-transaction.ts";
import { timerJ } from "./transaction-timers.ts";

export class NonInviteServerTransaction extends ServerTransaction {
  respond(res: SipResponse): void {
    if (this.state !== "trying" && this.state !== "proceeding") return;
    this.lastResponse = res;
    this.send(res);
    if (res.status < 200) {
      this.state = "proceeding";
      return;
    }
    this.state = "completed";
    this.timers.set("J", timerJ(this.config, this.reliable), () => this.terminate());
  }

  receiveRequest(_req: SipRequest): void {
    if ((this.state === "proceeding" || this.state === "completed") && this.lastResponse) this.send(this.lastResponse);
  }
}
