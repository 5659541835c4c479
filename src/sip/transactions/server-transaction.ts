// What the two server transactions (RFC 3261 §17.2) share: the request, the flow it came on, sending responses
// through the transport (§18.2.2), and termination.
import type { SipRequest, SipResponse } from "../messages/message.ts";
import type { Flow, SipTransport } from "../transport/transport.ts";
import { type TimerConfig, Timers } from "./transaction-timers.ts";

const nothing = () => {};

export type ServerState = "trying" | "proceeding" | "completed" | "confirmed" | "terminated";

export interface ServerTransactionEvents {
  /** Timer H fired without an ACK (§17.2.1), or the transport failed (§17.2.4) */
  onFailure?(reason: "timeout" | "transport"): void;
}

export abstract class ServerTransaction {
  state: ServerState;
  protected readonly timers = new Timers();
  protected lastResponse?: SipResponse;
  onTerminated: () => void = nothing;
  events: ServerTransactionEvents = {};

  constructor(
    readonly key: string,
    readonly request: SipRequest,
    readonly flow: Flow,
    protected readonly transport: SipTransport,
    protected readonly config: TimerConfig,
    initial: ServerState,
  ) {
    this.state = initial;
  }

  protected get reliable(): boolean {
    return this.transport.isReliable(this.flow.transport);
  }

  /** The last response sent, if any. */
  get response(): SipResponse | undefined {
    return this.lastResponse;
  }

  protected send(res: SipResponse): void {
    this.transport.sendResponse(res, this.flow).catch(() => {
      if (this.state === "terminated") return;
      this.terminate();
      this.events.onFailure?.("transport");
    });
  }

  terminate(): void {
    if (this.state === "terminated") return;
    this.state = "terminated";
    this.timers.clearAll();
    this.onTerminated();
  }

  /** The TU sends a response through the transaction. */
  abstract respond(res: SipResponse): void;
  /** A retransmission of the request (or, for INVITE, its ACK) matched this transaction. */
  abstract receiveRequest(req: SipRequest): void;
}
