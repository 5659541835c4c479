// The GMSC's calls: the CallRecord of each (in the store, memory or Redis), the live SIP transactions of each
// (in this process: they hold sockets and timers), the indexes from what arrives on the wire (the succeeding
// leg's Call-ID, an MGW termination) to the call, and one queue per call so its events are handled one at a time.
import type { CallRecord } from "../../../generated/types/index.ts";
import type { ClientTransaction } from "../../sip/client-transaction.ts";
import type { SipRequest } from "../../sip/message.ts";
import type { ServerTransaction } from "../../sip/server-transaction.ts";
import type { Uas2xxRetransmission } from "../../sip/uas-2xx-retransmission.ts";
import type { Store } from "../../store/store.ts";
import type { Side } from "./sides.ts";

/** What a call holds in this process besides its record. */
export interface CallRuntime {
  /** The preceding node's INVITE and its server transaction (the GMSC answers it as UAS). */
  inviteServer?: ServerTransaction;
  /** The INVITE sent to the succeeding node, in its client transaction (what a CANCEL cancels). */
  inviteClient?: ClientTransaction;
  forwardedInvite?: SipRequest;
  /** The 2xx sent to the preceding node, retransmitted until its ACK (RFC 3261 §13.3.1.4). */
  okRetransmission?: Uas2xxRetransmission;
  /** A BYE received on a side and forwarded: its server transaction waits for the other side's answer. */
  byeServer: Partial<Record<Side, ServerTransaction>>;
}

export class CallTable {
  private readonly runtimes = new Map<string, CallRuntime>();
  private readonly bySucceedingCallId = new Map<string, string>();
  private readonly byTermination = new Map<string, string>();
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(readonly store: Store<CallRecord>) {}

  /** Runs `job` after every job queued before it for the same call. */
  run<T>(key: string, job: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.then(job, job);
    const settled = next.catch(() => undefined);
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return next;
  }

  runtime(key: string): CallRuntime {
    let r = this.runtimes.get(key);
    if (r === undefined) {
      r = { byeServer: {} };
      this.runtimes.set(key, r);
    }
    return r;
  }

  /** Drops the in-process state of a key no call record has (e.g. a CANCEL for an unknown call). */
  forget(key: string): void {
    if (this.runtimes.get(key)?.inviteServer === undefined) this.runtimes.delete(key);
  }

  async get(key: string): Promise<CallRecord | undefined> {
    return (await this.store.get(key))?.value;
  }

  async put(key: string, record: CallRecord): Promise<void> {
    await this.store.update(key, () => record);
    this.bySucceedingCallId.set(record.succeeding.callId, key);
    for (const t of record.call.terminations) this.byTermination.set(terminationKey(t.contextId, t.id), key);
  }

  /** The call a Call-ID belongs to, and on which side: the preceding leg's Call-ID is the call's key. */
  async find(callId: string): Promise<{ key: string; side: Side } | undefined> {
    const succeeding = this.bySucceedingCallId.get(callId);
    if (succeeding !== undefined) return { key: succeeding, side: "succeeding" };
    if ((await this.store.get(callId)) !== undefined) return { key: callId, side: "preceding" };
    return undefined;
  }

  keyOfTermination(contextId: string, terminationId: string): string | undefined {
    return this.byTermination.get(terminationKey(contextId, terminationId));
  }

  /** Keys of calls holding a termination of this id (any context: a ServiceChange may name none). */
  keysOfTerminationId(terminationId: string): string[] {
    const out: string[] = [];
    for (const [k, key] of this.byTermination) if (k.endsWith(`|${terminationId}`)) out.push(key);
    return out;
  }

  async remove(key: string): Promise<void> {
    const record = await this.get(key);
    const runtime = this.runtimes.get(key);
    runtime?.okRetransmission?.stop();
    this.runtimes.delete(key);
    await this.store.delete(key);
    if (record === undefined) return;
    this.bySucceedingCallId.delete(record.succeeding.callId);
    for (const t of record.call.terminations) this.byTermination.delete(terminationKey(t.contextId, t.id));
  }

  /** The node stops: no call keeps a timer of its own running. */
  close(): void {
    for (const r of this.runtimes.values()) r.okRetransmission?.stop();
    this.runtimes.clear();
  }

  async keys(): Promise<string[]> {
    return this.store.keys();
  }
}

const terminationKey = (contextId: string, terminationId: string) => `${contextId}|${terminationId}`;
