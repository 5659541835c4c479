// The GMSC's calls: the CallRecord of each (in the store, memory or Redis, through CallRecords), the live SIP
// transactions of each (in this process: they hold sockets and timers), a cache of the store's indexes for the
// calls this process wrote, and one queue per call so its events are handled one at a time.
import type { CallRecord } from "../../../generated/types/index.ts";
import type { SipRequest } from "../../sip/messages/message.ts";
import type { ClientTransaction } from "../../sip/transactions/client-transaction.ts";
import type { ServerTransaction } from "../../sip/transactions/server-transaction.ts";
import type { Uas2xxRetransmission } from "../../sip/transactions/uas-2xx-retransmission.ts";
import { InTurn } from "../../store/in-turn.ts";
import type { StoredRecord } from "../../store/store.ts";
import type { CallRecords, TerminationRef } from "./call-records.ts";
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
  private readonly queues = new InTurn();

  constructor(readonly records: CallRecords) {}

  /**
   * Runs `job` after every job queued before it for the same call, holding the call's lease (shared store): no
   * other node acts on the call meanwhile (nor for a moment after: see CallRecords.acquire). A job that `creates`
   * its call (createNew) takes the lease with the call's first write, without asking for it first.
   */
  run<T>(key: string, job: () => Promise<T>, creates = false): Promise<T> {
    return this.queues.run(key, async () => {
      const release = await this.records.acquire(key, creates);
      try {
        return await job();
      } finally {
        await release().catch(() => {});
      }
    });
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
    return (await this.records.get(key))?.value;
  }

  /** The record with its owner (the node that wrote it last) and version. */
  stored(key: string): Promise<StoredRecord<CallRecord> | undefined> {
    return this.records.get(key);
  }

  /** A call set up by this node. */
  async create(key: string, record: CallRecord): Promise<void> {
    await this.records.create(key, record);
    this.cache(key, record);
  }

  /** A call set up by this node, unless one with its key is stored already (false: nothing written). */
  async createNew(key: string, record: CallRecord): Promise<boolean> {
    if (!(await this.records.createNew(key, record))) return false;
    this.cache(key, record);
    return true;
  }

  /**
   * Writes the record back (merged onto the stored one); when the call is over it is removed, and its last state
   * is returned as `ended`.
   */
  async write(key: string, record: CallRecord): Promise<{ record?: CallRecord; ended?: CallRecord }> {
    const result = await this.records.write(key, record);
    if (result.record !== undefined) this.cache(key, result.record);
    else this.drop(key, result.ended ?? record);
    return result;
  }

  /**
   * Claims these terminations for a Subtract by this node: those still seized in the store, with `ours` (the call as
   * the event has it, not yet written) merged in first (see CallRecords).
   */
  claim(key: string, terminations: TerminationRef[], ours?: CallRecord): Promise<Set<string>> {
    return this.records.claim(key, terminations, ours);
  }

  /** The call a Call-ID belongs to, and on which side: the preceding leg's Call-ID is the call's key. */
  async find(callId: string): Promise<{ key: string; side: Side } | undefined> {
    const cached = this.bySucceedingCallId.get(callId);
    // A call this process wrote may have been ended by another node: the cache holds only live calls.
    if (cached !== undefined && (await this.records.get(cached)) !== undefined)
      return { key: cached, side: "succeeding" };
    this.bySucceedingCallId.delete(callId);
    if ((await this.records.get(callId)) !== undefined) return { key: callId, side: "preceding" };
    const key = await this.records.keyOfSucceedingLeg(callId);
    return key === undefined ? undefined : { key, side: "succeeding" };
  }

  async keyOfTermination(contextId: string, terminationId: string): Promise<string | undefined> {
    const cached = this.byTermination.get(terminationKey(contextId, terminationId));
    if (cached !== undefined && (await this.records.get(cached)) !== undefined) return cached;
    this.byTermination.delete(terminationKey(contextId, terminationId));
    return this.records.keyOfTermination(contextId, terminationId);
  }

  /** Keys of calls holding a termination of this id (any context: a ServiceChange may name none). */
  async keysOfTerminationId(terminationId: string): Promise<string[]> {
    const out: string[] = [];
    for (const key of await this.records.keys()) {
      const r = await this.get(key);
      if (r?.call.terminations.some((t) => t.id === terminationId)) out.push(key);
    }
    return out;
  }

  /** The node stops: no call keeps a timer of its own running, and the calls' leases are let go. */
  async close(): Promise<void> {
    for (const r of this.runtimes.values()) r.okRetransmission?.stop();
    this.runtimes.clear();
    await this.records.close();
  }

  keys(): Promise<string[]> {
    return this.records.keys();
  }

  size(): Promise<number> {
    return this.records.size();
  }

  private cache(key: string, record: CallRecord): void {
    this.bySucceedingCallId.set(record.succeeding.callId, key);
    for (const t of record.call.terminations) this.byTermination.set(terminationKey(t.contextId, t.id), key);
  }

  private drop(key: string, record: CallRecord): void {
    this.runtimes.get(key)?.okRetransmission?.stop();
    this.runtimes.delete(key);
    this.bySucceedingCallId.delete(record.succeeding.callId);
    for (const t of record.call.terminations) this.byTermination.delete(terminationKey(t.contextId, t.id));
  }
}

const terminationKey = (contextId: string, terminationId: string) => `${contextId}|${terminationId}`;
