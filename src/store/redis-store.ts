// The shared store: records as JSON in Redis, written with an optimistic compare-and-set (Redis checks the record
// is still the one the node read), so two nodes updating one dialog never lose a write. Records are validated
// against their schema on read: a foreign or corrupted value is an error, not a crash later.
// Keys are `cleardown:KIND:{KEY}`: the braces are a Redis Cluster hash tag, so every kind of record for one
// Call-ID (dialog, release, call…) lies in one hash slot, on one master, where a script may touch them together.
import { randomBytes } from "node:crypto";
import type { ValidateFunction } from "ajv";
import type { Cluster } from "ioredis";
import { setNewest } from "../collections/bounded-map.ts";
import { InTurn } from "./in-turn.ts";
import { ownStrings } from "./own-strings.ts";
import { connectRedis, type RedisConnection } from "./redis-connection.ts";
import { type Check, type Outcome, type Step, turnBatchOf } from "./redis-turn-batch.ts";
import {
  type Store,
  type StoredRecord,
  StoreHealth,
  StoreRecordError,
  StoreUnavailable,
  type Ttl,
  ttlOf,
} from "./store.ts";
import { TrackedReads } from "./tracked-reads.ts";

export { StoreRecordError };

// A write happens only if the record is still exactly what the node read or wrote last; otherwise the record as it
// is now comes back (nil if there is none), and the node retries on that without another read. A plain string
// compare, no JSON decode. A record a node writes by compare-and-set opens with a stamp unique to that write
// (`{"stamp":"<this store's random id>.<its count of writes>",…`), so the check compares that opening, not the whole
// text: a record deleted and written again since, or written by any node, has another stamp. A record without one
// (an index entry written by put, or one written before stamps) is compared whole. The commands of one event-loop
// turn go to Redis together (redis-turn-batch.ts).

/**
 * A record as this node last read or wrote it: what a write checks of its text in Redis (checkOf), and its decoded
 * form. The text itself is not kept when it has a stamp: the stamp names that text, and a node holds thousands of
 * records (a dialog's text is some 700 bytes, a call's 1.5 KB) that the collector would copy and mark for nothing.
 */
interface Seen<T> {
  /** The record's key, a copy of its own (see remember). */
  key: string;
  check: Check;
  record: StoredRecord<T>;
}

/** A change asked of a record, what it made (or threw) when last run, and its caller's promise to settle. */
interface Asked<T> {
  change: (current: T | undefined) => T | undefined;
  ttl: Ttl<T> | undefined;
  value: T | undefined;
  error: unknown;
  resolve: (value: T | undefined) => void;
  reject: (err: unknown) => void;
}

/** The changes one compare-and-set writes. */
interface Writing<T> {
  asked: Asked<T>[];
}

/** What the changes make of a copy: the record to write (its text), or a delete, or nothing. */
interface Planned<T> {
  keep: boolean;
  record: StoredRecord<T> | undefined;
  json: string;
  step: Step | undefined;
}

const stampOpen = '{"stamp":"';

/**
 * What a write checks of a record whose text is `raw`: its stamp's opening, or else its whole text. The opening is
 * built from the decoded stamp, not cut from the text (a cut would keep the whole text alive), and used only if
 * the text does begin with it (a stamp written with escapes, say, is compared whole).
 */
function checkOf(raw: string, record: StoredRecord<unknown>): Check {
  if (typeof record.stamp === "string") {
    const text = `${stampOpen}${record.stamp}"`;
    if (raw.startsWith(text)) return { kind: "begins", text };
  }
  return { kind: "equals", text: raw };
}

/** Whether the text Redis holds is the one a check was taken of. */
function holds(check: Check, raw: string): boolean {
  return check.kind === "begins" ? raw.startsWith(check.text) : check.kind === "equals" && raw === check.text;
}

/** What a write checks where the node has no copy: that there is no record. */
const none: Check = { kind: "equals", text: "" };

/**
 * Records this node read or wrote last, so an update needs no read first (its compare-and-set checks the copy is
 * still current) and a read of an unchanged record no decoding. Bounded: the oldest go first. This and the store's
 * other maps go by key, not Redis key: a lookup builds no string (and hashes none built for it).
 */
const seenLimit = 8192;

export class RedisStore<T> implements Store<T> {
  private readonly prefix: string;
  /** A command that failed: counted, and rethrown as StoreUnavailable (a bad record stays what it is). */
  private readonly fail = (err: unknown): never => {
    throw this.failure(err);
  };

  private failure(err: unknown): unknown {
    if (err instanceof StoreRecordError || err instanceof StoreUnavailable) return err;
    this.health.failed("command");
    return new StoreUnavailable(`the store did not answer (${this.prefix}…): ${(err as Error).message}`);
  }

  constructor(
    private readonly redis: RedisConnection,
    kind: string,
    private readonly owner: string,
    private readonly validate?: ValidateFunction,
    private readonly health: StoreHealth = new StoreHealth(),
    /**
     * Reads served from this node's copies while Redis tells it of every change to the kind's records (see
     * tracked-reads.ts): for records read far more often than they are written.
     */
    tracked = false,
  ) {
    this.prefix = `cleardown:${kind}:`;
    this.tracked = tracked ? TrackedReads.of(redis, this.prefix) : undefined;
  }

  private readonly tracked: TrackedReads | undefined;

  /**
   * This store's writes are stamped `<id>.<n>`: a random id per store (48 bits: two nodes, or one node's runs, do
   * not meet) and its count of writes, so no two writes anywhere share a stamp.
   */
  private readonly stampId = `${randomBytes(6).toString("base64url")}.`;
  private stamps = 0;

  /** The connection's batch of this turn's commands. */
  private get batch() {
    return turnBatchOf(this.redis);
  }

  static connect(url: string): RedisConnection {
    return connectRedis(url, {
      lazyConnect: false,
      maxRetriesPerRequest: 3,
      enableAutoPipelining: true,
    });
  }

  /** The Redis key of a record: its key as a hash tag (one slot for every kind of record of one call). */
  private redisKey(key: string): string {
    return `${this.prefix}{${key}}`;
  }

  /**
   * A node's connection: it fails fast while Redis is away (no offline queue, so a command without a connection
   * is refused at once; one unanswered for a second fails), and reconnects by itself (every 0.05–1 s). Waits
   * up to `readyMs` for the first connection; a node may start while Redis is down, not ready.
   */
  static async connectFailFast(url: string, readyMs = 3000): Promise<RedisConnection> {
    const redis = connectRedis(url, {
      lazyConnect: false,
      enableOfflineQueue: false,
      commandTimeout: 1000,
      connectTimeout: 1000,
      maxRetriesPerRequest: 1,
      retryStrategy: (times) => Math.min(times * 50, 1000),
      enableAutoPipelining: true,
    });
    if (redis.status !== "ready") {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        timer = setTimeout(resolve, readyMs);
        redis.once("ready", resolve);
      });
      clearTimeout(timer);
    }
    return redis;
  }

  private readonly seen = new Map<string, Seen<T>>();

  private remember(key: string, raw: string, record: StoredRecord<T>): Seen<T> {
    // A key may be a slice of a parsed message: kept here, it gets a copy of its own, once (a record written
    // again keeps the copy it has).
    const own = this.seen.get(key)?.key ?? ownStrings(key);
    const seen = { key: own, check: checkOf(raw, record), record };
    setNewest(this.seen, own, seen, seenLimit);
    return seen;
  }

  /** The record as Redis holds it now (`raw`), decoded and validated unless it is the one this node has seen. */
  private decode(key: string, raw: string | null): Seen<T> | undefined {
    if (raw === null) {
      this.seen.delete(key);
      return undefined;
    }
    const known = this.seen.get(key);
    if (known !== undefined && holds(known.check, raw)) return known;
    const record = JSON.parse(raw) as StoredRecord<T>;
    if (this.validate && !this.validate(record.value)) {
      const first = this.validate.errors?.[0];
      throw new StoreRecordError(
        `${this.redisKey(key)}: stored value ${first?.instancePath || "/"} ${first?.message ?? "is invalid"}`,
      );
    }
    return this.remember(key, raw, record);
  }

  get(key: string): Promise<StoredRecord<T> | undefined> {
    const tracked = this.tracked;
    const copy = tracked?.copy<StoredRecord<T>>(this.redisKey(key));
    if (copy !== undefined) return Promise.resolve(copy ?? undefined);
    return this.reading.get(key) ?? this.read(key);
  }

  /**
   * Per key, a read asked and not yet sent: a read of the key asked meanwhile shares its answer, so reads of one
   * record asked together (a bulk release's sessions of one served user, say) are one entry. A write asked of
   * the key ends the sharing: a read asked after it is an entry of its own.
   */
  private readonly reading = new Map<string, Promise<StoredRecord<T> | undefined>>();

  private read(key: string): Promise<StoredRecord<T> | undefined> {
    const redisKey = this.redisKey(key);
    const tracked = this.tracked;
    const mark = tracked?.mark();
    // Sent may be told at once (the turn's batch full), before `read` is set: then the read is shared with none.
    let read: Promise<StoredRecord<T> | undefined> | undefined;
    let sent = false;
    read = this.batch
      .run(redisKey, { kind: "read" }, { kind: "keep" }, () => {
        sent = true;
        if (read !== undefined && this.reading.get(key) === read) this.reading.delete(key);
      })
      .then((o) => {
        const record = this.decode(key, o.held ? null : o.current)?.record;
        if (mark !== undefined) tracked?.keep(redisKey, record ?? null, mark);
        return record;
      }, this.fail);
    if (!sent) this.reading.set(key, read);
    return read;
  }

  held(key: string): StoredRecord<T> | undefined {
    return this.seen.get(key)?.record;
  }

  update(key: string, change: (current: T | undefined) => T | undefined, ttl?: Ttl<T>): Promise<T | undefined> {
    this.tracked?.writing();
    this.reading.delete(key);
    return new Promise((resolve, reject) => {
      const asked: Asked<T> = { change, ttl, value: undefined, error: undefined, resolve, reject };
      const writing = this.joinable.get(key);
      if (writing !== undefined) {
        writing.asked.push(asked);
        return;
      }
      const group: Writing<T> = { asked: [asked] };
      this.joinable.set(key, group);
      // Each caller's promise is settled by the write itself (one promise each, no chain after it).
      void this.writes.run(key, () => this.write(key, group));
    });
  }

  /** Writes a group of changes and settles each caller: with what its change made, or its own error, or the store's. */
  private async write(key: string, writing: Writing<T>): Promise<void> {
    const redisKey = this.redisKey(key);
    try {
      await this.casLoop(key, redisKey, writing);
    } catch (err) {
      const failure = this.writeFailure(redisKey, err);
      for (const a of writing.asked) a.reject(failure);
      return;
    }
    for (const a of writing.asked) {
      if (a.error !== undefined) a.reject(a.error);
      else a.resolve(a.value);
    }
  }

  /**
   * This node's own writes to one record run in turn, each on the copy the one before left: raced through Redis
   * they would conflict (the second script finds the first's write, fetches and decodes the record, and runs
   * again), a round trip and a decode each for nothing.
   */
  private readonly writes = new InTurn();

  /**
   * Per key, the write not yet sent: a change asked for before its script goes out joins it (both BYEs of a
   * release answered in one turn, say), and one compare-and-set writes what the changes make in the order asked.
   * Another node sees the record before them or after them all, as if they were one step.
   */
  private readonly joinable = new Map<string, Writing<T>>();

  /** Runs the changes asked, in order, each on what the one before made; a change that throws is left out. */
  private plan(current: Seen<T> | undefined, asked: Asked<T>[]): Planned<T> {
    let value = current?.record.value;
    let ttl: Ttl<T> | undefined;
    let ran = false;
    for (const a of asked) {
      try {
        a.value = a.change(value);
        a.error = undefined;
        value = a.value;
        ttl = a.ttl;
        ran = true;
      } catch (err) {
        a.error = err ?? new Error("a change failed");
      }
    }
    // Nothing to write (nothing there and nothing wanted, or the record left as it is): the script only checks
    // that the copy is current.
    const keep = value === current?.record.value;
    const record: StoredRecord<T> | undefined =
      value === undefined || keep
        ? undefined
        : {
            stamp: this.stampId + (++this.stamps).toString(36),
            value,
            owner: this.owner,
            version: (current?.record.version ?? 0) + 1,
          };
    const json = record === undefined ? "" : JSON.stringify(record);
    const ttlMs = Math.round((record === undefined ? 0 : (ttlOf(ttl, record.value) ?? 0)) * 1000);
    return {
      keep,
      record,
      json,
      // Every change threw: nothing to write or check.
      step: !ran
        ? undefined
        : {
            check: current?.check ?? none,
            write: keep
              ? { kind: "keep" }
              : record === undefined
                ? { kind: "delete" }
                : { kind: "set", text: json, ttlMs },
          },
    };
  }

  /**
   * One round trip when this node has the record (it wrote or read it last): the changes are computed on that copy
   * when the turn's script goes out, and written if Redis still holds exactly it; if not, Redis answers with the
   * record as it is and the changes are computed again on that. Without a copy, the record is taken to be new
   * (index entries, a call set up): the script checks that too.
   */
  private async casLoop(key: string, redisKey: string, writing: Writing<T>): Promise<void> {
    let planned: Planned<T> | undefined;
    let outcome: Outcome = await this.batch.runPrepared(redisKey, () => {
      // Going out: a change asked for from now on is a write of its own, after this one.
      if (this.joinable.get(key) === writing) this.joinable.delete(key);
      planned = this.plan(this.seen.get(key), writing.asked);
      return planned.step;
    });
    for (let attempt = 1; ; attempt++) {
      if (outcome.held) {
        if (planned?.record !== undefined) this.remember(key, planned.json, planned.record);
        else if (planned !== undefined && !planned.keep) this.seen.delete(key);
        // Changed: a copy of the record as it was goes (one left as it was stays: a registrar's sweep, say).
        if (planned !== undefined && !planned.keep) this.tracked?.forget(redisKey);
        return;
      }
      if (attempt >= 50) throw new StoreRecordError(`${redisKey}: gave up after 50 conflicting writes`);
      const current = this.decode(key, outcome.current);
      planned = this.plan(current, writing.asked);
      // As just read, and left as it is (or every change threw): done.
      if (planned.keep || planned.step === undefined) return;
      outcome = await this.batch.run(redisKey, planned.step.check, planned.step.write);
    }
  }

  put(key: string, value: T, ttlSeconds?: number): Promise<void> {
    const redisKey = this.redisKey(key);
    this.plainWrite(key);
    return this.writes
      .run(key, async () => {
        const record: StoredRecord<T> = { value, version: (this.seen.get(key)?.record.version ?? 0) + 1 };
        const json = JSON.stringify(record);
        const ttlMs = Math.round((ttlSeconds ?? 0) * 1000);
        await this.batch.run(redisKey, { kind: "none" }, { kind: "set", text: json, ttlMs });
        this.tracked?.forget(redisKey);
        this.remember(key, json, record);
      })
      .catch((err) => this.writeFailed(redisKey, err));
  }

  delete(key: string): Promise<boolean> {
    const redisKey = this.redisKey(key);
    this.plainWrite(key);
    return this.writes
      .run(key, () => {
        this.seen.delete(key);
        return this.batch.run(redisKey, { kind: "none" }, { kind: "delete" });
      })
      .then(
        (o) => {
          this.tracked?.forget(redisKey);
          return o.held && o.changed;
        },
        (err) => this.writeFailed(redisKey, err),
      );
  }

  /** A write failed, written or not: a copy of the record cannot be trusted. What its callers get. */
  private writeFailure(redisKey: string, err: unknown): unknown {
    this.tracked?.forget(redisKey);
    return this.failure(err);
  }

  private writeFailed(redisKey: string, err: unknown): never {
    throw this.writeFailure(redisKey, err);
  }

  /** A put or delete is asked: a change asked after it comes after it, and no read answered meanwhile is kept. */
  private plainWrite(key: string): void {
    this.joinable.delete(key);
    this.reading.delete(key);
    this.tracked?.writing();
  }

  keys(): Promise<string[]> {
    return this.scanKeys().catch(this.fail);
  }

  /** Every key of this kind: on a cluster, from each master (a SCAN walks one server). */
  private async scanKeys(): Promise<string[]> {
    const servers = this.redis.isCluster ? (this.redis as Cluster).nodes("master") : [this.redis];
    const out: string[] = [];
    for (const server of servers) {
      let cursor = "0";
      do {
        const [next, batch] = await server.scan(cursor, "MATCH", `${this.prefix}{*`, "COUNT", 1000);
        cursor = next;
        for (const k of batch) out.push(k.slice(this.prefix.length + 1, -1));
      } while (cursor !== "0");
    }
    return out;
  }

  page(cursor: string, count: number): Promise<{ cursor: string; keys: string[] }> {
    // A cluster's keys are spread over its masters (one SCAN walks one server): paged from the full listing there.
    if (this.redis.isCluster)
      return this.scanKeys().then((all) => {
        const from = Number(cursor) || 0;
        const next = from + count;
        return { cursor: next >= all.length ? "0" : String(next), keys: all.slice(from, next) };
      }, this.fail);
    return this.redis
      .scan(cursor, "MATCH", `${this.prefix}{*`, "COUNT", count)
      .then(
        ([next, batch]) => ({ cursor: next, keys: batch.map((k) => k.slice(this.prefix.length + 1, -1)) }),
        this.fail,
      );
  }

  async size(): Promise<number> {
    return (await this.keys()).length;
  }

  async close(): Promise<void> {
    // The connection may be shared by several stores; its owner quits it.
  }
}
