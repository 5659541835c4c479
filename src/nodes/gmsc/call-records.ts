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
  /** Calls with an event under way here (their lease is renewed meanwhile, never let go). */
  private readonly busy = new Set<string>();
  /** Leased calls with no event under way, since when: the lease is let go once a call has been idle for idleMs. */
  private readonly idleSince = new Map<string, number>();
  /** Calls an event under way here found not stored when it took the lease (it may create them). */
  private readonly absent = new Set<string>();
  private sweeper?: NodeJS.Timeout;
  /** Renews the leases of the calls with an event under way, while there is one. */
  private renewer?: NodeJS.Timeout;

  constructor(
    readonly store: Store<CallRecord>,
    private readonly index: Store<CallIndexRecord>,
    private readonly lifetimes: CallLifetimes = defaultCallLifetimes,
    private readonly lease?: CallLease,
  ) {}

  /**
   * How long a call's lease is kept after its last event: a tenth of the lease. A call's events come in bursts
   * (the set-up's INVITE, Add replies, 180, 200 and ACK within milliseconds): the burst takes the lease once, each
   * event's write renews it, and another node waits at most this long after the burst.
   */
  private get idleMs(): number {
    return Math.max(1, Math.floor((this.lease?.ms ?? 0) / 10));
  }

  /** The record with this node's lease in it, running a full lease from now. */
  private leasedBy(lease: CallLease, record: CallRecord): CallRecord {
    return { ...record, leaseOwner: lease.owner, leaseUntil: (lease.now ?? Date.now)() + lease.ms };
  }

  /** One write: the call's lease let go, if it is still this node's. */
  private letGo(lease: CallLease, key: string): Promise<unknown> {
    return this.store
      .update(key, (c) => (c?.leaseOwner === lease.owner ? withoutLease(c) : c), this.ttl)
      .catch(() => {});
  }

  /**
   * Two live nodes never act on one call at once: before a node handles a call's event it takes the call's lease
   * in the stored record, waiting while another node holds it (until that node lets it go, or its lease lapses).
   * A lease this node still holds, with half of it left, is used as it is (no write). Returns a function that
   * ends the event: the lease is kept, and let go once the call has been idle for idleMs. Nothing to do without a
   * shared store, or for a call not (yet) stored.
   */
  async acquire(key: string, creates = false): Promise<() => Promise<void>> {
    const lease = this.lease;
    if (lease === undefined) return async () => {};
    const now = lease.now ?? Date.now;
    this.idleSince.delete(key);
    // No such call yet: the event may create it, with this node's lease in it (see create). An event that creates
    // its call (an initial INVITE) does not ask: its create finds out, in the write that takes the lease.
    if (this.ownCopy(key, now() + lease.ms / 2) !== undefined) this.leased.add(key);
    else if (!creates && (await this.take(key, lease, now))) this.leased.add(key);
    else this.absent.add(key);
    this.busy.add(key);
    // Renewed while the node acts (an event's H.248 transactions may outlast a lease): one timer for all the calls
    // with an event under way, not one per event.
    this.renewer ??= setInterval(() => this.renewBusyLeases(), Math.max(10, Math.floor(lease.ms / 3)));
    return async () => {
      this.busy.delete(key);
      if (this.busy.size === 0 && this.renewer !== undefined) {
        clearInterval(this.renewer);
        this.renewer = undefined;
      }
      this.absent.delete(key);
      if (!this.leased.has(key)) return;
      this.idleSince.set(key, now());
      this.sweeper ??= setInterval(() => this.letIdleLeasesGo(), Math.max(1, this.idleMs / 2)).unref();
    };
  }

  /**
   * Renews the lease of each call with an event under way here whose lease, as this node last wrote it, has less
   * than two thirds left: one write each. An event's own write renews its lease, so only an event that has run a
   * third of a lease since (waiting for the MGW, say) needs one.
   */
  private renewBusyLeases(): void {
    const lease = this.lease;
    if (lease === undefined) return;
    const due = (lease.now ?? Date.now)() + (2 * lease.ms) / 3;
    for (const key of this.busy) {
      if (!this.leased.has(key)) continue;
      const held = this.store.held(key)?.value;
      if (held?.leaseOwner === lease.owner && (held.leaseUntil ?? 0) > due) continue;
      void this.store
        .update(key, (c) => (c?.leaseOwner === lease.owner ? this.leasedBy(lease, c) : c), this.ttl)
        .catch(() => {});
    }
  }

  /** Takes the lease in the stored record, waiting while another live node holds it. False: no such call. */
  private async take(key: string, lease: CallLease, now: () => number): Promise<boolean> {
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
          return this.leasedBy(lease, current);
        },
        this.ttl,
      );
      if (written === undefined) return false;
      if (!held) return true;
      if (now() > giveUpAt) throw new Error(`call ${key}: its lease stayed with ${written.leaseOwner}`);
      await pause(wait);
    }
  }

  /** Lets go the lease of each call idle for idleMs (one write each), so another node may act on it at once. */
  private letIdleLeasesGo(): void {
    const lease = this.lease;
    if (lease === undefined) return;
    const due = (lease.now ?? Date.now)() - this.idleMs;
    for (const [key, since] of this.idleSince) {
      if (since > due) continue;
      this.idleSince.delete(key);
      if (this.busy.has(key) || !this.leased.delete(key)) continue;
      void this.letGo(lease, key);
    }
    if (this.idleSince.size === 0 && this.sweeper !== undefined) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  /**
   * The node stops: the leases of calls it is not acting on are let go at once (so another node takes their next
   * event without waiting for them to lapse, as in a rolling restart), within `boundMs`; one of an event still
   * under way lapses by itself. No timer of its own is left running.
   */
  async close(boundMs = 1000): Promise<void> {
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    this.sweeper = undefined;
    if (this.renewer !== undefined) clearInterval(this.renewer);
    this.renewer = undefined;
    this.idleSince.clear();
    const lease = this.lease;
    if (lease === undefined) return;
    const idle = [...this.leased].filter((key) => !this.busy.has(key));
    for (const key of idle) this.leased.delete(key);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(idle.map((key) => this.letGo(lease, key))),
      new Promise((resolve) => {
        timer = setTimeout(resolve, boundMs);
      }),
    ]);
    clearTimeout(timer);
  }

  private readonly ttl = (record: CallRecord) => this.lifetimes[phaseOf(record)];

  /**
   * The call as stored. While this node holds the call's lease, nobody else writes it: the record is the one this
   * node wrote last (taking the lease, or since), served from its own copy without asking a shared store. A call an
   * event under way found not stored is none until it creates it.
   */
  get(key: string): Promise<StoredRecord<CallRecord> | undefined> {
    // Not stored when this event took the lease, and not created by it since: the store was just asked.
    if (this.absent.has(key)) return Promise.resolve(undefined);
    const own = this.ownCopy(key);
    return own === undefined ? this.store.get(key) : Promise.resolve(own);
  }

  /** This node's copy of a call whose lease it holds, valid past `until` (default now). */
  private ownCopy(key: string, until?: number): StoredRecord<CallRecord> | undefined {
    const lease = this.lease;
    if (lease === undefined || !this.leased.has(key)) return undefined;
    const held = this.store.held(key);
    const value = held?.value;
    if (value?.leaseOwner !== lease.owner || (value.leaseUntil ?? 0) <= (until ?? (lease.now ?? Date.now)()))
      return undefined;
    return held;
  }

  /**
   * A new call: written as it is, with its index entries first (an entry without its record finds nothing). Created
   * by an event of this node (which found no record when it took the lease), it holds this node's lease from the
   * start: the call's next events need no lease write.
   */
  async create(key: string, record: CallRecord): Promise<void> {
    await this.createRecord(key, record, false);
  }

  /**
   * A new call, unless one with its key is stored (false: nothing written). One write to a shared store: the
   * compare-and-set of the record finds out, so the event that creates a call need not ask first (see acquire).
   */
  createNew(key: string, record: CallRecord): Promise<boolean> {
    return this.createRecord(key, record, true);
  }

  private async createRecord(key: string, record: CallRecord, onlyNew: boolean): Promise<boolean> {
    // Asked in the same turn as the record, so one script carries both (one round trip, and one server applies
    // them together); the index entries are asked first. An entry without its record finds nothing.
    const indexed = this.writeIndex(key, record);
    const lease = this.lease;
    const leasing = lease !== undefined && this.busy.has(key);
    let stored = false;
    // Both awaited at once: a failure of either is the caller's, and neither is left unhandled.
    const [written] = await Promise.all([
      this.store.update(
        key,
        (current) => {
          stored = current !== undefined;
          if (current !== undefined) return onlyNew ? current : mergeCallRecords(record, current);
          return leasing ? this.leasedBy(lease, record) : record;
        },
        this.ttl,
      ),
      indexed,
    ]);
    this.absent.delete(key);
    if (onlyNew && stored) {
      // Its succeeding leg's entry was this call's own (a Call-ID just drawn): it goes, pointing at no call.
      await this.index.delete(legKey(record.succeeding.callId));
      return false;
    }
    if (leasing && written?.leaseOwner === lease.owner) this.leased.add(key);
    return true;
  }

  /**
   * Writes `ours` onto the record as stored now. Undefined when the call is over after that (the record is deleted,
   * with its index entries) or was already removed by another node; `ended` then holds its last state.
   */
  async write(key: string, ours: CallRecord): Promise<{ record?: CallRecord; ended?: CallRecord }> {
    const lease = this.lease;
    let last: CallRecord | undefined;
    let before: CallRecord | undefined;
    const ahead = this.indexAhead(key, ours);
    const [written] = await Promise.all([
      this.store.update(
        key,
        (current) => {
          before = current;
          last = current && mergeCallRecords(ours, current);
          // The lease this node holds is renewed by the write itself (kept for the call's next event).
          if (lease !== undefined && last?.leaseOwner === lease.owner && this.leased.has(key))
            last = this.leasedBy(lease, last);
          return last === undefined || isOver(last.call) ? undefined : last;
        },
        this.ttl,
      ),
      ahead.written,
    ]);
    if (written !== undefined) {
      // The MGW's contexts the call gained (its terminations seized): findable from a Notify at any node.
      if (before !== undefined) await this.writeIndex(key, written, before, ahead.contexts);
      return { record: written };
    }
    this.forget(key);
    if (last === undefined) return {};
    await this.deleteIndex(key, last);
    return { ended: last };
  }

  /** A call gone from the store: no lease of it to keep or let go. */
  private forget(key: string): void {
    this.leased.delete(key);
    this.idleSince.delete(key);
  }

  /**
   * TS 23.231 §7.3.4 never two Subtracts for one termination: marks these terminations released in the stored
   * record and returns those that were still seized there — only those may be subtracted by this node. `ours`, the
   * call as this event has it and not yet written (terminations it seized, say), is merged in first, in the same
   * write.
   */
  async claim(key: string, terminations: TerminationRef[], ours?: CallRecord): Promise<Set<string>> {
    const won = new Set<string>();
    let before: CallRecord | undefined;
    const ahead = ours === undefined ? noneAhead : this.indexAhead(key, ours);
    const [written] = await Promise.all([
      this.store.update(
        key,
        (current) => {
          won.clear();
          before = current;
          if (current === undefined) return undefined;
          const base = ours === undefined ? current : mergeCallRecords(ours, current);
          const call = {
            ...base.call,
            terminations: base.call.terminations.map((t) => {
              if (!t.seized || !terminations.some((r) => r.contextId === t.contextId && r.terminationId === t.id))
                return t;
              won.add(refKey({ contextId: t.contextId, terminationId: t.id }));
              return { ...t, seized: false };
            }),
          };
          return { ...base, call };
        },
        this.ttl,
      ),
      ahead.written,
    ]);
    // The MGW contexts `ours` brought: findable from a Notify at any node, as after a write.
    if (written !== undefined && before !== undefined) await this.writeIndex(key, written, before, ahead.contexts);
    return won;
  }

  /** Removes a call and its index entries. */
  async remove(key: string): Promise<CallRecord | undefined> {
    const record = (await this.store.get(key))?.value;
    await this.store.delete(key);
    this.forget(key);
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
   * Index entries are written when the call is set up (its succeeding leg's) and when it gains an MGW context, to
   * live as long as an answered call may; they go with the call. One left by a node that died with its call expires
   * by then, and finds nothing meanwhile (a lookup checks the record it points at). `before`: the record before this
   * write, whose entries were written then; none for a new call. `written`: contexts whose entries were asked ahead.
   */
  private async writeIndex(
    key: string,
    record: CallRecord,
    before?: CallRecord,
    written: readonly string[] = [],
  ): Promise<void> {
    const had = contextsOf(before);
    const entries = contextsOf(record)
      .filter((c) => !had.includes(c) && !written.includes(c))
      .map(contextKey);
    if (before === undefined) entries.push(legKey(record.succeeding.callId));
    if (entries.length === 0) return;
    const entry: CallIndexRecord = { call: key };
    const ttl = this.lifetimes.answeredSeconds;
    // Written without a compare: the leg's Call-ID is one this node drew, and the MGW gives a context to one call
    // at a time (an entry a finished call left for it is this call's now).
    await Promise.all(entries.map((e) => this.index.put(e, entry, ttl)));
  }

  /**
   * The entries of the MGW contexts `ours` has and this node's copy of the record has not (its terminations just
   * seized), asked now: in the same turn as the record's write, so one script carries both. Those the record as
   * stored turns out to need besides are written after it (writeIndex's `written`: these).
   */
  private indexAhead(key: string, ours: CallRecord): { contexts: readonly string[]; written: Promise<void> } {
    const held = this.store.held(key)?.value;
    if (held === undefined) return noneAhead;
    const had = contextsOf(held);
    const contexts = contextsOf(ours).filter((c) => !had.includes(c));
    if (contexts.length === 0) return noneAhead;
    return { contexts, written: this.writeIndex(key, ours, held) };
  }

  private async deleteIndex(key: string, record: CallRecord): Promise<void> {
    const contexts = [...new Set(record.call.terminations.map((t) => contextKey(t.contextId)))];
    await Promise.all([
      // The leg's Call-ID was drawn for this call alone.
      this.index.delete(legKey(record.succeeding.callId)),
      // Only an entry that still points at this call: the MGW may have given the context to a later call. One
      // atomic step each (one round trip to a shared store holding the entry as this node wrote it).
      ...contexts.map((e) => this.index.update(e, (entry) => (entry?.call === key ? undefined : entry))),
    ]);
  }
}

const noneAhead: { contexts: readonly string[]; written: Promise<void> } = { contexts: [], written: Promise.resolve() };

/** The MGW contexts of a call's terminations, each once. */
function contextsOf(record: CallRecord | undefined): string[] {
  return [...new Set(record?.call.terminations.map((t) => t.contextId) ?? [])];
}

function withoutLease(record: CallRecord): CallRecord {
  const { leaseOwner: _owner, leaseUntil: _until, ...rest } = record;
  return rest;
}

export const refKey = (t: TerminationRef) => `${t.contextId}|${t.terminationId}`;
