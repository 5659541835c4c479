// State the nodes keep (dialogs, calls, registrar bindings) goes through one interface: memory by default,
// Redis to scale out. Values are the schema types; updates are atomic per key.

export interface StoredRecord<T> {
  /** In Redis, a record written by compare-and-set: the write's own mark, which the next write checks. */
  stamp?: string;
  value: T;
  /**
   * Node that wrote the record last by update; none for a plain write (put): such a record (an index entry under a
   * key this node drew) is no node's to act on, and in Redis the field would cost an index entry a larger block.
   */
  owner?: string;
  /** Incremented by every write; lets a shared store detect a lost update. */
  version: number;
}

export type Ttl<T> = number | ((value: T) => number | undefined);

export function ttlOf<T>(ttl: Ttl<T> | undefined, value: T): number | undefined {
  return typeof ttl === "function" ? ttl(value) : ttl;
}

export interface Store<T> {
  get(key: string): Promise<StoredRecord<T> | undefined>;
  /**
   * The record as this node last read or wrote it, without asking the store (undefined if it has no copy). Current
   * only while nobody else writes it (the caller knows: its lease says the record is its own); a shared store's
   * writes check their copy anyway.
   */
  held(key: string): StoredRecord<T> | undefined;
  /**
   * Atomic read-modify-write: `change` returns the new value, or undefined to delete the record. The record
   * expires after `ttlSeconds`, a number or a function of the value written (expiry follows its life). Returning
   * `current` itself writes nothing (its version and expiry stay).
   */
  update(key: string, change: (current: T | undefined) => T | undefined, ttlSeconds?: Ttl<T>): Promise<T | undefined>;
  /**
   * Writes the value whatever is stored, without a compare: for a record only one writer can mean (an index entry
   * under a key this node drew, or one the peer gave a single call). One plain write to a shared store; the version
   * follows this node's copy, as nothing is read, and the record has no owner.
   */
  put(key: string, value: T, ttlSeconds?: number): Promise<void>;
  delete(key: string): Promise<boolean>;
  keys(): Promise<string[]>;
  /**
   * One page of keys, for work bounded per step over a large store: start with cursor "0", go on with the cursor
   * returned, until it is "0" again. A key written meanwhile may be missed or seen twice (as Redis SCAN).
   */
  page(cursor: string, count: number): Promise<{ cursor: string; keys: string[] }>;
  size(): Promise<number>;
  close(): Promise<void>;
}

/**
 * The store cannot be reached (no connection, or no answer in time): what depends on it is refused at once with
 * 503 and a Retry-After (SIP and admin alike), not left to wait, and taken again once the store is back.
 */
export class StoreUnavailable extends Error {
  readonly status = 503;
  readonly retryAfterSeconds = 5;
}

/** A record the store holds but may not be acted on: not valid against its schema, or a write the replicas did not
 * acknowledge in time. Not the store being away: the record stays what it is. */
export class StoreRecordError extends Error {}

/** connection: Redis lost or refused the connection; command: an operation failed or was not answered. */
export type StoreErrorKind = "connection" | "command";

/** Whether the store is reachable now, and a count of its errors by kind, for readiness and metrics. */
export class StoreHealth {
  constructor(
    private readonly connected: () => boolean = () => true,
    private readonly onError: (kind: StoreErrorKind) => void = () => {},
  ) {}

  get available(): boolean {
    return this.connected();
  }

  failed(kind: StoreErrorKind): void {
    this.onError(kind);
  }
}
