// RFC 3261 §13.3.1.4: the INVITE server transaction ends with the 2xx, so the UAS core itself retransmits the
// 2xx (T1, doubling up to T2) until the ACK arrives, and gives up after 64·T1 (the dialog is then to be ended).
import type { SipResponse } from "../messages/message.ts";
import type { Flow, SipTransport } from "../transport/transport.ts";
import type { TimerConfig } from "./transaction-timers.ts";

export class Uas2xxRetransmission {
  private timer?: NodeJS.Timeout;
  private deadline?: NodeJS.Timeout;
  private done = false;

  constructor(
    private readonly transport: SipTransport,
    private readonly response: SipResponse,
    private readonly flow: Flow,
    private readonly timers: Pick<TimerConfig, "T1" | "T2">,
    /** No ACK within 64·T1 (§13.3.1.4: the UAS should then end the dialog with a BYE). */
    private readonly onNoAck: () => void = () => {},
  ) {}

  /** Sends the 2xx (already sent once by the transaction) again on the §13.3.1.4 schedule. */
  start(): void {
    if (this.transport.isReliable(this.flow.transport)) return;
    this.schedule(this.timers.T1);
    this.deadline = setTimeout(() => {
      this.stop();
      this.onNoAck();
    }, 64 * this.timers.T1);
  }

  private schedule(interval: number): void {
    this.timer = setTimeout(() => {
      if (this.done) return;
      this.transport.sendResponse(this.response, this.flow).catch(() => {});
      this.schedule(Math.min(2 * interval, this.timers.T2));
    }, interval);
  }

  /** The ACK came (or the dialog ended): no more retransmissions. */
  stop(): void {
    this.done = true;
    clearTimeout(this.timer);
    clearTimeout(this.deadline);
  }

  /** A retransmitted INVITE gets the 2xx again (§13.3.1.4). */
  resend(): void {
    if (!this.done) this.transport.sendResponse(this.response, this.flow).catch(() => {});
  }
}
