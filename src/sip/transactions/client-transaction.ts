// What the two client transactions (RFC 3261 §17.1) share: the request, where it goes, how its responses and
// failures reach the transaction user, and termination.
import type { SipRequest, SipResponse } from "../messages/message.ts";
import type { Destination, Outgoing, SipTransport, TransportErrorListener } from "../transport/transport.ts";
import { type TimerConfig, Timers } from "./transaction-timers.ts";

/** The transaction user's side of a client transaction. */
export interface ClientTransactionUser {
  /** every response the transaction passes up (provisional and final) */
  onResponse(response: SipResponse): void;
  /** Timer B or F fired (§17.1.1.2, §17.1.2.2): the TU treats it as a 408 */
  onTimeout?(): void;
  /** the transport could not send (§17.1.4): the TU treats it as a 503 */
  onTransportError?(error: unknown): void;
}

export type ClientState = "calling" | "trying" | "proceeding" | "completed" | "terminated";

const nothing = () => {};

/** The user of a transaction that has passed its final response up: nothing more reaches it. */
const DONE: ClientTransactionUser = { onResponse: () => {} };

export abstract class ClientTransaction implements TransportErrorListener {
  state: ClientState;
  protected readonly timers = new Timers();
  /** Called once when the transaction terminates (the layer forgets it): one function for them all. */
  onTerminated: (tx: ClientTransaction) => void = nothing;
  /** The request's method (the request itself may have been let go). */
  readonly method: string;
  #request: SipRequest | undefined;
  #user: ClientTransactionUser;
  /** The request as bytes on their way, kept for retransmissions over an unreliable transport. */
  #outgoing: Outgoing | undefined;

  constructor(
    readonly key: string,
    request: SipRequest,
    readonly destination: Destination,
    protected readonly transport: SipTransport,
    protected readonly config: TimerConfig,
    user: ClientTransactionUser,
    initial: ClientState,
  ) {
    this.method = request.method;
    this.#request = request;
    this.#user = user;
    this.state = initial;
  }

  get request(): SipRequest {
    if (this.#request === undefined) throw new Error(`client transaction ${this.key} has let its request go`);
    return this.#request;
  }

  protected get user(): ClientTransactionUser {
    return this.#user;
  }

  /**
   * Sends the request in a form that can be sent again as the same bytes. A non-INVITE client transaction then
   * needs the parsed request no more (responses match on the key, retransmissions are the bytes), so a node with
   * thousands of BYEs under way holds their bytes, not their parse.
   */
  protected sendRetransmittable(): void {
    const out = this.transport.sendRetransmittable(this.request, this.destination, this);
    if (!this.reliable) this.#outgoing = out;
  }

  /** A retransmission of what sendRetransmittable sent (Timer E). */
  protected retransmit(): void {
    this.#outgoing?.again();
  }

  /** The request is not needed any more: the rest runs on the bytes and the key. */
  protected letRequestGo(): void {
    this.#request = undefined;
  }

  /**
   * For a transaction that now only absorbs retransmitted responses (non-INVITE Completed, §17.1.2.2): the
   * request, its bytes and the user are not needed for the rest of Timer K, so they need not stay in memory.
   */
  protected letGo(): void {
    this.#request = undefined;
    this.#outgoing = undefined;
    this.#user = DONE;
  }

  protected get reliable(): boolean {
    return this.transport.isReliable(this.destination.transport);
  }

  protected send(message: SipRequest): void {
    this.transport.send(message, this.destination).catch((e) => this.transportError(e));
  }

  /** §17.1.4: a transport error terminates the transaction and reaches the user (as a 503). */
  transportError(e: unknown): void {
    if (this.state === "terminated") return;
    this.terminate();
    this.user.onTransportError?.(e);
  }

  protected timedOut(): void {
    this.terminate();
    this.user.onTimeout?.();
  }

  terminate(): void {
    if (this.state === "terminated") return;
    this.state = "terminated";
    this.timers.clearAll();
    this.onTerminated(this);
  }

  abstract start(): void;
  abstract receiveResponse(response: SipResponse): void;
}
