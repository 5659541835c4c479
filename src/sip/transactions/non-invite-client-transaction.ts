// The non-INVITE client transaction (RFC 3261 §17.1.2, Figure 6): Trying, Proceeding, Completed, Terminated;
// Timer E retransmits over unreliable transports (doubling, capped at T2; T2 once a provisional arrived),
// Timer F bounds the transaction, Timer K absorbs retransmitted responses.

import type { SipResponse } from "../messages/message.ts";
import { ClientTransaction } from "./client-transaction.ts";
import { backoff, timerT4, transactionTimeout } from "./transaction-timers.ts";

export class NonInviteClientTransaction extends ClientTransaction {
  start(): void {
    this.sendRetransmittable();
    this.letRequestGo();
    this.armEorF(this.reliable ? Number.POSITIVE_INFINITY : this.config.T1, 0);
  }

  /**
   * Timers E and F as one timer: E's intervals are known in advance (T1 doubling to T2, or T2 once a provisional
   * arrived), so whichever of the two comes next is armed. `waited` is the time since the request went out, as the
   * sum of the intervals (each timer's lateness adds a few milliseconds to F at most).
   */
  private armEorF(interval: number, waited: number): void {
    const f = transactionTimeout(this.config);
    const wait = Math.min(interval, f - waited);
    this.timers.set("E/F", wait, () => {
      const now = waited + wait;
      if (now >= f) return this.timedOut(); // Timer F
      if (this.state !== "trying" && this.state !== "proceeding") return;
      this.retransmit(); // Timer E
      this.armEorF(this.state === "proceeding" ? this.config.T2 : backoff(interval, this.config), now);
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
    this.timers.clear("E/F");
    this.user.onResponse(res);
    this.letGo();
    this.timers.set("K", timerT4(this.config, this.reliable), () => this.terminate());
  }
}
