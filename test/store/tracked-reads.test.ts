// Reads of a tracked kind (the S-CSCF's registrations) served from the node's copies while Redis tells it of every
// change (CLIENT TRACKING, broadcast mode, invalidations on a connection of their own), against a real redis-server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DialogState } from "../../generated/types/index.ts";
import { validator } from "../../src/rules/schema-registry.ts";
import type { RedisConnection } from "../../src/store/redis-connection.ts";
import { RedisStore } from "../../src/store/redis-store.ts";
import { TrackedReads } from "../../src/store/tracked-reads.ts";
import { dialog } from "../rules/fixtures.ts";
import { type RedisPeer, startRedis } from "../support/redis-server.ts";
import { until } from "../support/redis-topology.ts";

let peer: RedisPeer;
/** This node's connection, another node's, and one for the test's own looks at Redis. */
let mine: RedisConnection;
let theirs: RedisConnection;
let admin: RedisConnection;

beforeAll(async () => {
  peer = await startRedis();
  [mine, theirs, admin] = [0, 1, 2].map(() => RedisStore.connect(peer.url));
});
afterAll(async () => {
  for (const c of [mine, theirs, admin]) await c?.quit();
  await peer?.stop();
});

/** Scripts Redis ran since the last reset: every read or write not served from a copy is one. */
const scripts = async () => {
  const stats = await admin.info("commandstats");
  const of = (cmd: string) => Number(new RegExp(`cmdstat_${cmd}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
  return of("evalsha") + of("eval");
};

const store = (connection: RedisConnection, kind: string, owner: string) =>
  new RedisStore<DialogState>(connection, kind, owner, validator("facts", "DialogState"), undefined, true);

const tracking = (kind: string) =>
  until(async () => TrackedReads.of(mine, `cleardown:${kind}:`)?.active === true, "tracking on", 5000);

describe("tracked reads", () => {
  it("serves a record read again from the node's copy, and one known absent too: no script", async () => {
    const a = store(mine, "reg-a", "node-a");
    await tracking("reg-a");
    await a.update("alice", () => dialog({ cseqCallingToCalled: 1 }));
    await admin.config("RESETSTAT");
    expect((await a.get("alice"))?.value.cseqCallingToCalled).toBe(1);
    expect(await a.get("nobody")).toBeUndefined();
    expect(await scripts()).toBe(2);
    expect((await a.get("alice"))?.value.cseqCallingToCalled).toBe(1);
    expect(await a.get("nobody")).toBeUndefined();
    expect(await scripts()).toBe(2);
    // A write of its own that leaves the record as it is (a registrar's sweep finding nothing expired): the
    // script checks it, and the copy stays.
    await a.update("alice", (d) => d);
    expect(await scripts()).toBe(3);
    expect((await a.get("alice"))?.value.cseqCallingToCalled).toBe(1);
    expect(await scripts()).toBe(3);
  });

  it("reads another node's change once Redis has told of it, and its own write at once", async () => {
    const a = store(mine, "reg-b", "node-a");
    const b = store(theirs, "reg-b", "node-b");
    await tracking("reg-b");
    await a.get("bob");
    await b.update("bob", () => dialog({ cseqCallingToCalled: 7 }));
    await until(async () => (await a.get("bob"))?.value.cseqCallingToCalled === 7, "the other node's write", 2000);
    await b.update("bob", (d) => d && { ...d, cseqCallingToCalled: 8 });
    await until(async () => (await a.get("bob"))?.value.cseqCallingToCalled === 8, "its second write", 2000);
    // Its own write: read back at once, before Redis's invalidation could arrive.
    await a.update("bob", (d) => d && { ...d, cseqCallingToCalled: 9 });
    expect((await a.get("bob"))?.value.cseqCallingToCalled).toBe(9);
    await a.delete("bob");
    expect(await a.get("bob")).toBeUndefined();
    // Another node's delete.
    await b.put("bob", dialog({ cseqCallingToCalled: 10 }));
    await until(async () => (await a.get("bob"))?.value.cseqCallingToCalled === 10, "the other node's put", 2000);
    await b.delete("bob");
    await until(async () => (await a.get("bob")) === undefined, "the other node's delete", 2000);
  });

  it("drops its copies when its invalidation connection is lost, and keeps copies again once it is back", async () => {
    const a = store(mine, "reg-c", "node-a");
    const b = store(theirs, "reg-c", "node-b");
    await tracking("reg-c");
    const tracked = TrackedReads.of(mine, "cleardown:reg-c:");
    await b.update("carol", () => dialog({ cseqCallingToCalled: 1 }));
    await a.get("carol");
    const setUps = tracked?.setUps ?? 0;
    // The subscriber's connection killed: changes made until it is back would not be heard.
    await admin.call("CLIENT", "KILL", "TYPE", "pubsub");
    await until(async () => (tracked?.setUps ?? 0) > setUps && tracked?.active === true, "tracking again", 5000);
    await admin.config("RESETSTAT");
    expect((await a.get("carol"))?.value.cseqCallingToCalled).toBe(1);
    expect(await scripts()).toBe(1);
    await a.get("carol");
    expect(await scripts()).toBe(1);
    // Changes are heard on the new connection.
    await b.update("carol", (d) => d && { ...d, cseqCallingToCalled: 3 });
    await until(async () => (await a.get("carol"))?.value.cseqCallingToCalled === 3, "the next change", 2000);
  });

  it("drops every copy when the database is flushed", async () => {
    const a = store(mine, "reg-d", "node-a");
    await tracking("reg-d");
    await a.update("dave", () => dialog());
    expect(await a.get("dave")).toBeDefined();
    await admin.flushdb();
    await until(async () => (await a.get("dave")) === undefined, "the flush heard", 2000);
  });
});
