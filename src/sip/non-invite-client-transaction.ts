// The non-INVITE client transaction (RFC 3261 §17.1.2, Figure 6): Trying, Proceeding, Completed, Terminated;
// Timer E retransmits over unreliable transports (doubling, capped at T2; T2 once a provisional arrived),
// Timer F bounds the transaction, Timer K absorbs retransmitted responses.
import { ClientTransaction } from "./client-transaction.ts";
import type { SipResponse } from "./message.ts";
import { backoff, timerT4, transactionTimeout } from "./transaction-timers.ts";

export class NonInviteClientTransaction extends ClientTransaction {
  start(): void {
    this.send(this.request);
    if (!this.reliable) this.retransmitAfter(this.config.T1);
    this.timers.set("F", transactionTimeout(this.config), () => this.timedOut());
  }

  private retransmitAfter(interval: number): void {
    this.timers.set("E", interval, () => {
      if (this.state !== "trying" && this.state !== "proceeding") return;
      this.send(this.request);
      this.retransmitAfter(this.state === "proceeding" ? this.config.T2 : backoff(interval, this.config));
    });
  }

  receiveResponse(res: SipResponse): void {
    if (this.state !== "trying" && this.state !== "proceeding") return; // Completed absorbs retransmissions
    if (res.status < 200) {
      this.state = "proceeding";
      this.user.onResponse(res);
      return;
    }
    this.state = "completed";
    this.timers.clear("E");
    this.timers.clear("F");
    this.user.onResponse(res);
    this.letGo();
    this.timers.set("K", timerT4(this.config, this.reliable), () => this.terminate());
  }
}
