// The embedded default store: a Map per kind, with expiry.
import { ownStrings } from "./own-strings.ts";
import { type Store, type StoredRecord, type Ttl, ttlOf } from "./store.ts";

export class MemoryStore<T> implements Store<T> {
  private readonly records = new Map<string, StoredRecord<T> & { expires?: number }>();

  constructor(
    private readonly owner: string,
    private readonly now: () => number = Date.now,
  ) {}

  private live(key: string) {
    const r = this.records.get(key);
    if (r?.expires !== undefined && r.expires <= this.now()) {
      this.records.delete(key);
      return undefined;
    }
    return r;
  }

  async get(key: string): Promise<StoredRecord<T> | undefined> {
    // The stored record itself: values are never changed in place (an update stores a new one).
    return this.live(key);
  }

  held(key: string): StoredRecord<T> | undefined {
    return this.live(key);
  }

  async update(key: string, change: (current: T | undefined) => T | undefined, ttl?: Ttl<T>): Promise<T | undefined> {
    const current = this.live(key);
    const next = change(current?.value);
    if (next === current?.value) return next;
    if (next === undefined) {
      this.records.delete(key);
      return undefined;
    }
    this.set(key, current, next, ttlOf(ttl, next), this.owner);
    return next;
  }

  async put(key: string, value: T, ttlSeconds?: number): Promise<void> {
    this.set(key, this.live(key), value, ttlSeconds, undefined);
  }

  private set(key: string, current: StoredRecord<T> | undefined, value: T, ttlSeconds?: number, owner?: string): void {
    // A new key may be a slice of a parsed message: keep a copy of its own, not the message.
    this.records.set(current ? key : ownStrings(key), {
      value,
      owner,
      version: (current?.version ?? 0) + 1,
      expires: ttlSeconds === undefined ? undefined : this.now() + ttlSeconds * 1000,
    });
  }

  async delete(key: string): Promise<boolean> {
    return this.records.delete(key);
  }

  async keys(): Promise<string[]> {
    return [...this.records.keys()].filter((k) => this.live(k) !== undefined);
  }

  async page(cursor: string, count: number): Promise<{ cursor: string; keys: string[] }> {
    const all = await this.keys();
    const from = Number(cursor) || 0;
    const next = from + count;
    return { cursor: next >= all.length ? "0" : String(next), keys: all.slice(from, next) };
  }

  async size(): Promise<number> {
    return (await this.keys()).length;
  }

  async close(): Promise<void> {}
}
