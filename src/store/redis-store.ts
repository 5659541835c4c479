// The shared store: records as JSON in Redis, written with an optimistic compare-and-set (a Lua script
// checks the version read), so two nodes updating one dialog never lose a write. Records are validated
// against their schema on read: a foreign or corrupted value is an error, not a crash later.
// Keys are `cleardown:KIND:{KEY}`: the braces are a Redis Cluster hash tag, so every kind of record for one
// Call-ID (dialog, release, call…) lies in one hash slot, on one master, where a script may touch them together.
import type { ValidateFunction } from "ajv";
import type { ChainableCommander, Cluster } from "ioredis";
import { connectRedis, type RedisConnection, writeAcksOf } from "./redis-connection.ts";
import { type Store, type StoredRecord, StoreHealth, StoreUnavailable, type Ttl, ttlOf } from "./store.ts";

const compareAndSet = `
local cur = redis.call('GET', KEYS[1])
local v = 0
if cur then v = cjson.decode(cur)['version'] end
if v ~= tonumber(ARGV[1]) then return 0 end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
elseif tonumber(ARGV[3]) > 0 then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[2])
end
return 1`;

export class StoreRecordError extends Error {}

export class RedisStore<T> implements Store<T> {
  private readonly prefix: string;
  /** A command that failed: counted, and rethrown as StoreUnavailable (a bad record stays what it is). */
  private readonly fail = (err: unknown): never => {
    if (err instanceof StoreRecordError || err instanceof StoreUnavailable) throw err;
    this.health.failed("command");
    throw new StoreUnavailable(`the store did not answer (${this.prefix}…): ${(err as Error).message}`);
  };

  constructor(
    private readonly redis: RedisConnection,
    kind: string,
    private readonly owner: string,
    private readonly validate?: ValidateFunction,
    private readonly health: StoreHealth = new StoreHealth(),
  ) {
    this.prefix = `cleardown:${kind}:`;
    redis.defineCommand("cleardownCas", { numberOfKeys: 1, lua: compareAndSet });
  }

  static connect(url: string): RedisConnection {
    return connectRedis(url, { lazyConnect: false, maxRetriesPerRequest: 3, enableAutoPipelining: true });
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

  private decode(key: string, raw: string | null): StoredRecord<T> | undefined {
    if (raw === null) return undefined;
    const record = JSON.parse(raw) as StoredRecord<T>;
    if (this.validate && !this.validate(record.value)) {
      const first = this.validate.errors?.[0];
      throw new StoreRecordError(
        `${this.redisKey(key)}: stored value ${first?.instancePath || "/"} ${first?.message ?? "is invalid"}`,
      );
    }
    return record;
  }

  get(key: string): Promise<StoredRecord<T> | undefined> {
    return this.redis.get(this.redisKey(key)).then((raw) => this.decode(key, raw), this.fail);
  }

  update(key: string, change: (current: T | undefined) => T | undefined, ttl?: Ttl<T>): Promise<T | undefined> {
    return this.casLoop(key, change, ttl).catch(this.fail);
  }

  private async casLoop(
    key: string,
    change: (current: T | undefined) => T | undefined,
    ttl?: Ttl<T>,
  ): Promise<T | undefined> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const current = await this.get(key);
      const next = change(current?.value);
      const json =
        next === undefined
          ? ""
          : JSON.stringify({ value: next, owner: this.owner, version: (current?.version ?? 0) + 1 });
      const args = [
        this.redisKey(key),
        String(current?.version ?? 0),
        json,
        String(Math.round((next === undefined ? 0 : (ttlOf(ttl, next) ?? 0)) * 1000)),
      ];
      if ((await this.compareAndSet(args)) === 1) return next;
    }
    throw new StoreRecordError(`${this.redisKey(key)}: gave up after 50 conflicting writes`);
  }

  /** The script, run as `acknowledged` says. */
  private compareAndSet(args: string[]): Promise<number> {
    type Cas = { cleardownCas: (...a: string[]) => Promise<number> };
    return this.acknowledged(args[0], (target) => (target as unknown as Cas).cleardownCas(...args));
  }

  delete(key: string): Promise<boolean> {
    return this.acknowledged(this.redisKey(key), (target) => target.del(this.redisKey(key))).then(
      (n) => n === 1,
      this.fail,
    );
  }

  /**
   * A write (answering 1 when it changed something). With acknowledgements asked for (`wait=N` in the URL), WAIT
   * follows it in one pipeline (on a cluster the pipeline goes to the key's master), and a change fewer replicas
   * hold in time is an error: the caller must not act on it as if it were safe.
   */
  private async acknowledged(
    key: string,
    write: (target: RedisConnection | ChainableCommander) => unknown,
  ): Promise<number> {
    const acks = writeAcksOf(this.redis);
    if (!acks) return (await write(this.redis)) as number;
    const pipeline = this.redis.pipeline();
    write(pipeline);
    pipeline.wait(acks.replicas, acks.timeoutMs);
    const [[writeError, changed], [waitError, held]] = (await pipeline.exec()) ?? [
      [new Error("pipeline discarded")],
      [],
    ];
    if (writeError) throw writeError;
    if (waitError) throw waitError;
    if (changed === 1 && (held as number) < acks.replicas)
      throw new StoreRecordError(
        `${key}: written, but held by ${held} of ${acks.replicas} replicas after ${acks.timeoutMs} ms (wait=${acks.replicas})`,
      );
    return changed as number;
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
