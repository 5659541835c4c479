// The GMSC's calls in the store (memory, or Redis shared by several GMSC nodes): one CallRecord per call under the
// preceding leg's Call-ID, and index entries from what else arrives on the wire (the succeeding leg's Call-ID, the
// MGW context of a Notify) to that key, so a node that did not set the call up — or set it up before it
// restarted — finds it. Every write is an atomic compare-and-set merged onto the record as stored; a termination
// is claimed in the store before its Subtract is sent, so two nodes never release it twice; expiry follows the
// call's life.
import type { CallIndexRecord, CallRecord } from "../../../generated/types/index.ts";
import type { Store, StoredRecord } from "../../store/store.ts";
import { isOver } from "./call-state.ts";
import { mergeCallRecords } from "./record-merge.ts";

export interface CallLifetimes {
  /** Not answered yet: until the INVITE transactions could have ended (Timer C is 3 min, RFC 3261 §16.6). */
  establishingSeconds: number;
  /** Answered on a leg: an operator's longest call. */
  answeredSeconds: number;
  /** Being cleared: the BYE and CANCEL transactions end within 64·T1, the Subtracts after bounded retries. */
  clearingSeconds: number;
}

export const defaultCallLifetimes: CallLifetimes = {
  establishingSeconds: 200,
  answeredSeconds: 24 * 3600,
  clearingSeconds: 64,
};

type Phase = keyof CallLifetimes;

function phaseOf(record: CallRecord): Phase {
  const { call } = record;
  if (call.clearing) return "clearingSeconds";
  if (call.preceding.state === "confirmed" || call.succeeding.state === "confirmed") return "answeredSeconds";
  return "establishingSeconds";
}

/** A termination named by its MGW context and TerminationId. */
export interface TerminationRef {
  contextId: string;
  terminationId: string;
}

const legKey = (callId: string) => `leg:${callId}`;
const contextKey = (contextId: string) => `context:${contextId}`;

/** With a shared store: who this node is, and how long a call stays its own without a renewal. */
export interface CallLease {
  owner: string;
  ms: number;
  now?: () => number;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class CallRecords {
  /** Calls this node holds the lease of now. */
  private readonly leased = new Set<string>();

  constructor(
    readonly store: Store<CallRecord>,
    private readonly index: Store<CallIndexRecord>,
    private readonly lifetimes: CallLifetimes = defaultCallLifetimes,
    private readonly lease?: CallLease,
  ) {}

  /**
   * Two live nodes never act on one call at once: before a node handles a call's event it takes the call's lease
   * in the stored record, waiting while another node holds it (until that node lets it go, or its lease lapses).
   * Returns a function that lets it go. Nothing to do without a shared store, or for a call not (yet) stored.
   */
  async acquire(key: string): Promise<() => Promise<void>> {
    const lease = this.lease;
    if (lease === undefined) return async () => {};
    const now = lease.now ?? Date.now;
    const giveUpAt = now() + 10 * lease.ms;
    for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
      let held = false;
      const written = await this.store.update(
        key,
        (current) => {
          held = false;
          if (current === undefined) return undefined;
          if (
            current.leaseOwner !== undefined &&
            current.leaseOwner !== lease.owner &&
            (current.leaseUntil ?? 0) > now()
          ) {
            held = true;
            return current;
          }
          return { ...current, leaseOwner: lease.owner, leaseUntil: now() + lease.ms };
        },
        this.ttl,
      );
      if (written === undefined) return async () => {};
      if (!held) break;
      if (now() > giveUpAt) throw new Error(`call ${key}: its lease stayed with ${written.leaseOwner}`);
      await pause(wait);
    }
    this.leased.add(key);
    // Renewed while the node acts (an event's H.248 transactions may outlast a lease).
    const renewal = setInterval(
      () =>
        void this.store
          .update(key, (c) => (c?.leaseOwner === lease.owner ? { ...c, leaseUntil: now() + lease.ms } : c), this.ttl)
          .catch(() => {}),
      Math.max(10, Math.floor(lease.ms / 3)),
    );
    return async () => {
      clearInterval(renewal);
      if (!this.leased.delete(key)) return;
      await this.store.update(key, (c) => (c?.leaseOwner === lease.owner ? withoutLease(c) : c), this.ttl);
    };
  }

  private readonly ttl = (record: CallRecord) => this.lifetimes[phaseOf(record)];

  /**
   * The call as stored. While this node holds the call's lease, nobody else writes it: the record is the one this
   * node wrote last (taking the lease, or since), served from its own copy without asking a shared store.
   */
  get(key: string): Promise<StoredRecord<CallRecord> | undefined> {
    const own = this.ownCopy(key);
    return own === undefined ? this.store.get(key) : Promise.resolve(own);
  }

  private ownCopy(key: string): StoredRecord<CallRecord> | undefined {
    const lease = this.lease;
    if (lease === undefined || !this.leased.has(key)) return undefined;
    const held = this.store.held(key);
    const value = held?.value;
    if (value?.leaseOwner !== lease.owner || (value.leaseUntil ?? 0) <= (lease.now ?? Date.now)()) return undefined;
    return held;
  }

  /** A new call: written as it is, with its index entries first (an entry without its record finds nothing). */
  async create(key: string, record: CallRecord): Promise<void> {
    await this.writeIndex(key, record);
    await this.store.update(
      key,
      (current) => (current === undefined ? record : mergeCallRecords(record, current)),
      this.ttl,
    );
  }

  /**
   * Writes `ours` onto the record as stored now. Undefined when the call is over after that (the record is deleted,
   * with its index entries) or was already removed by another node; `ended` then holds its last state.
   */
  async write(key: string, ours: CallRecord): Promise<{ record?: CallRecord; ended?: CallRecord }> {
    let last: CallRecord | undefined;
    let leaseGone = false;
    const written = await this.store.update(
      key,
      (current) => {
        last = current && mergeCallRecords(ours, current);
        // The write that ends an event lets this node's lease go with it (no write of its own).
        if (last?.leaseOwner !== undefined && this.leased.has(key) && last.leaseOwner === this.lease?.owner) {
          last = withoutLease(last);
          leaseGone = true;
        }
        return last === undefined || isOver(last.call) ? undefined : last;
      },
      this.ttl,
    );
    if (leaseGone) this.leased.delete(key);
    if (written !== undefined) return { record: written };
    if (last === undefined) return {};
    await this.deleteIndex(key, last);
    return { ended: last };
  }

  /**
   * TS 23.231 §7.3.4 never two Subtracts for one termination: marks these terminations released in the stored
   * record and returns those that were still seized there — only those may be subtracted by this node.
   */
  async claim(key: string, terminations: TerminationRef[]): Promise<Set<string>> {
    const won = new Set<string>();
    await this.store.update(
      key,
      (current) => {
        won.clear();
        if (current === undefined) return undefined;
        const call = {
          ...current.call,
          terminations: current.call.terminations.map((t) => {
            if (!t.seized || !terminations.some((r) => r.contextId === t.contextId && r.terminationId === t.id))
              return t;
            won.add(refKey({ contextId: t.contextId, terminationId: t.id }));
            return { ...t, seized: false };
          }),
        };
        return { ...current, call };
      },
      this.ttl,
    );
    return won;
  }

  /** Removes a call and its index entries. */
  async remove(key: string): Promise<CallRecord | undefined> {
    const record = (await this.store.get(key))?.value;
    await this.store.delete(key);
    if (record !== undefined) await this.deleteIndex(key, record);
    return record;
  }

  /** The call whose succeeding leg has this Call-ID. */
  async keyOfSucceedingLeg(callId: string): Promise<string | undefined> {
    const key = (await this.index.get(legKey(callId)))?.value.call;
    if (key === undefined) return undefined;
    const record = (await this.store.get(key))?.value;
    return record?.succeeding.callId === callId ? key : undefined;
  }

  /** The call holding this termination in this context. */
  async keyOfTermination(contextId: string, terminationId: string): Promise<string | undefined> {
    const key = (await this.index.get(contextKey(contextId)))?.value.call;
    if (key === undefined) return undefined;
    const record = (await this.store.get(key))?.value;
    return record?.call.terminations.some((t) => t.contextId === contextId && t.id === terminationId) ? key : undefined;
  }

  keys(): Promise<string[]> {
    return this.store.keys();
  }

  size(): Promise<number> {
    return this.store.size();
  }

  /**
   * Index entries are written once, when the call is set up, to live as long as an answered call may; they go with
   * the call. One left by a node that died with its call expires by then, and finds nothing meanwhile (a lookup
   * checks the record it points at).
   */
  private async writeIndex(key: string, record: CallRecord): Promise<void> {
    const entry: CallIndexRecord = { call: key };
    const ttl = this.lifetimes.answeredSeconds;
    const contexts = new Set(record.call.terminations.map((t) => t.contextId));
    await Promise.all([
      this.index.update(legKey(record.succeeding.callId), () => entry, ttl),
      ...[...contexts].map((c) => this.index.update(contextKey(c), () => entry, ttl)),
    ]);
  }

  private async deleteIndex(key: string, record: CallRecord): Promise<void> {
    const entries = [legKey(record.succeeding.callId), ...record.call.terminations.map((t) => contextKey(t.contextId))];
    // Only an entry that still points at this call: the MGW may have given the context to a later call. One
    // atomic step each (one round trip to a shared store holding the entry as this node wrote it).
    await Promise.all(
      [...new Set(entries)].map((e) => this.index.update(e, (entry) => (entry?.call === key ? undefined : entry))),
    );
  }
}

function withoutLease(record: CallRecord): CallRecord {
  const { leaseOwner: _owner, leaseUntil: _until, ...rest } = record;
  return rest;
}

export const refKey = (t: TerminationRef) => `${t.contextId}|${t.terminationId}`;
