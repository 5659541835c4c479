// The shared store: records as JSON in Redis, written with an optimistic compare-and-set (a Lua script
// checks the version read), so two nodes updating one dialog never lose a write. Records are validated
// against their schema on read: a foreign or corrupted value is an error, not a crash later.
import type { ValidateFunction } from "ajv";
import { Redis } from "ioredis";
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
    private readonly redis: Redis,
    kind: string,
    private readonly owner: string,
    private readonly validate?: ValidateFunction,
    private readonly health: StoreHealth = new StoreHealth(),
  ) {
    this.prefix = `cleardown:${kind}:`;
    redis.defineCommand("cleardownCas", { numberOfKeys: 1, lua: compareAndSet });
  }

  static connect(url: string): Redis {
    return new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3, enableAutoPipelining: true });
  }

  /**
   * A node's connection: it fails fast while Redis is away (no offline queue, so a command without a connection
   * is refused at once; one unanswered for a second fails), and reconnects by itself (every 0.05–1 s). Waits
   * up to `readyMs` for the first connection; a node may start while Redis is down, not ready.
   */
  static async connectFailFast(url: string, readyMs = 3000): Promise<Redis> {
    const redis = new Redis(url, {
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
        `${this.prefix}${key}: stored value ${first?.instancePath || "/"} ${first?.message ?? "is invalid"}`,
      );
    }
    return record;
  }

  get(key: string): Promise<StoredRecord<T> | undefined> {
    return this.redis.get(this.prefix + key).then((raw) => this.decode(key, raw), this.fail);
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
      const cas = (this.redis as unknown as { cleardownCas: (...a: unknown[]) => Promise<number> }).cleardownCas;
      const ok = await cas.call(
        this.redis,
        this.prefix + key,
        String(current?.version ?? 0),
        json,
        String(Math.round((next === undefined ? 0 : (ttlOf(ttl, next) ?? 0)) * 1000)),
      );
      if (ok === 1) return next;
    }
    throw new StoreRecordError(`${this.prefix}${key}: gave up after 50 conflicting writes`);
  }

  delete(key: string): Promise<boolean> {
    return this.redis.del(this.prefix + key).then((n) => n === 1, this.fail);
  }

  keys(): Promise<string[]> {
    return this.scanKeys().catch(this.fail);
  }

  private async scanKeys(): Promise<string[]> {
    const out: string[] = [];
    let cursor = "0";
    do {
      const [next, batch] = await this.redis.scan(cursor, "MATCH", `${this.prefix}*`, "COUNT", 1000);
      cursor = next;
      for (const k of batch) out.push(k.slice(this.prefix.length));
    } while (cursor !== "0");
    return out;
  }

  page(cursor: string, count: number): Promise<{ cursor: string; keys: string[] }> {
    return this.redis
      .scan(cursor, "MATCH", `${this.prefix}*`, "COUNT", count)
      .then(([next, batch]) => ({ cursor: next, keys: batch.map((k) => k.slice(this.prefix.length)) }), this.fail);
  }

  async size(): Promise<number> {
    return (await this.keys()).length;
  }

  async close(): Promise<void> {
    // The connection may be shared by several stores; its owner quits it.
  }
}
