// Reads of records that are read far more often than written (a served user's registrations: read by every
// release of its sessions, written by its REGISTERs) served from this node's copy while Redis tells the node of
// every change to them: server-assisted client-side caching (CLIENT TRACKING in broadcast mode for the kinds' key
// prefixes, the invalidations sent to a connection of their own, RESP2's way). Whenever the node cannot be sure
// it hears of every change (either connection lost or not yet set up, tracking refused, a Cluster), it keeps no
// copy and every read goes to Redis, as without tracking.
//
// A change another node makes reaches this node's copies when Redis's invalidation arrives, a loopback round trip
// after the write at most: a read in that window gets the value from before the write, as it would had it been
// sent a moment earlier.
import type { Redis } from "ioredis";
import { setNewest } from "../collections/bounded-map.ts";
import type { RedisConnection } from "./redis-connection.ts";

const channel = "__redis__:invalidate";

/** Copies kept per connection at most; the oldest go first. */
const copiesLimit = 65_536;

/** What a read found: the decoded record, or null for none stored. */
export type Found<R> = R | null;

/** Where a read stood when it was sent: its answer may be kept only if nothing happened since. */
export interface ReadMark {
  epoch: number;
  heard: number;
}

export class TrackedReads {
  /** Bumped whenever tracking goes on or off: a read sent under another epoch is not kept. */
  private epoch = 0;
  private on = false;
  /** Invalidation messages heard: a read answered after one is not kept (its key may be the one changed). */
  private heard = 0;
  private readonly copies = new Map<string, unknown>();
  private readonly prefixes = new Set<string>();
  private readonly subscriber: Redis;
  /** The subscriber connection's client id in Redis, once it listens for invalidations. */
  private listening: number | undefined;
  private closed = false;
  private turnedOn = 0;

  private constructor(private readonly redis: Redis) {
    // A connection of its own: subscribed, it can carry nothing else. Its subscription is made again by us on each
    // (re)connection, after its new client id is known. RESP2: Redis sends a RESP3 client its invalidations as
    // "invalidate" pushes, which the client library drops; a RESP2 subscriber gets them as Pub/Sub messages.
    this.subscriber = redis.duplicate({
      autoResubscribe: false,
      enableOfflineQueue: true,
      lazyConnect: false,
      protocol: 2,
    });
    this.subscriber.on("messageBuffer", (from: Buffer, keys: unknown) => {
      if (from.toString() !== channel) return;
      this.heard++;
      // null: the whole database went (FLUSHDB, FLUSHALL).
      if (!Array.isArray(keys)) this.copies.clear();
      else for (const k of keys) this.copies.delete(String(k));
    });
    this.subscriber.on("ready", () => void this.listen());
    this.subscriber.on("close", () => {
      this.listening = undefined;
      this.off();
    });
    this.subscriber.on("error", () => {}); // counted by the data connection's health; reconnects by itself
    redis.on("ready", () => void this.track());
    redis.on("close", () => this.off());
    redis.on("end", () => this.close());
  }

  /** The tracked reads of a connection (undefined on a Cluster: a script's keys and the tracking would span masters). */
  static of(redis: RedisConnection, prefix: string): TrackedReads | undefined {
    if (redis.isCluster) return undefined;
    let tracked = byConnection.get(redis);
    if (tracked === undefined) {
      tracked = new TrackedReads(redis as Redis);
      byConnection.set(redis, tracked);
    }
    if (!tracked.prefixes.has(prefix)) {
      tracked.prefixes.add(prefix);
      void tracked.track();
    }
    return tracked;
  }

  /** Whether copies may be kept now: tracking on, redirected to a subscriber that listens. */
  get active(): boolean {
    return this.on;
  }

  /** How many times tracking was set up (on each connection of either side). */
  get setUps(): number {
    return this.turnedOn;
  }

  /** The copy of a key's record, null for one known not to be there, undefined for none (read it from Redis). */
  copy<R>(key: string): Found<R> | undefined {
    if (!this.on) return undefined;
    return this.copies.get(key) as Found<R> | undefined;
  }

  /** Taken when a read is sent. */
  mark(): ReadMark {
    return { epoch: this.on ? this.epoch : -1, heard: this.heard };
  }

  /** Keeps what a read found, unless tracking went off or any change was heard of since it was sent. */
  keep<R>(key: string, found: Found<R>, mark: ReadMark): void {
    if (!this.on || mark.epoch !== this.epoch || mark.heard !== this.heard) return;
    setNewest(this.copies, key, found, copiesLimit);
  }

  /**
   * This node is about to write the key: no read answered from now on is kept (it may come from before the write),
   * while the copy serves until the write is done (a read then is a read from before it).
   */
  writing(): void {
    this.heard++;
  }

  /**
   * This node's write of the key changed it (or may have: it failed): the copy goes, and no read answered meanwhile
   * is kept, so the node reads its own write even before Redis's invalidation arrives.
   */
  forget(key: string): void {
    this.copies.delete(key);
    this.heard++;
  }

  private off(): void {
    if (this.on) this.copies.clear();
    this.on = false;
    this.epoch++;
  }

  /** The subscriber (re)connected: its new id, then its subscription, then tracking redirected to it. */
  private async listen(): Promise<void> {
    try {
      const id = Number(await this.subscriber.client("ID"));
      await this.subscriber.subscribe(channel);
      this.listening = id;
      await this.track();
    } catch {
      // Not listening: reads go to Redis until the subscriber's next connection.
    }
  }

  /** Tracking on for every prefix, redirected to the subscriber: from its answer on, copies may be kept. */
  private async track(): Promise<void> {
    this.off();
    const to = this.listening;
    if (this.closed || to === undefined || this.redis.status !== "ready" || this.prefixes.size === 0) return;
    const epoch = this.epoch;
    try {
      // Off first: the options (the redirection, the prefixes) are set anew, whatever the connection had.
      await this.redis.call("CLIENT", "TRACKING", "OFF");
      const prefixes = [...this.prefixes].flatMap((p) => ["PREFIX", p]);
      await this.redis.call("CLIENT", "TRACKING", "ON", "REDIRECT", String(to), "BCAST", ...prefixes);
    } catch {
      return; // refused (the subscriber's id is not on this server: a failover half done): tried again on ready
    }
    // Nothing went off meanwhile, and the subscriber is the one tracking redirects to.
    if (epoch === this.epoch && this.listening === to) {
      this.epoch++;
      this.on = true;
      this.turnedOn++;
    }
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.off();
    byConnection.delete(this.redis);
    this.subscriber.disconnect();
  }
}

const byConnection = new WeakMap<RedisConnection, TrackedReads>();
