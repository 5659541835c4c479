// A lease per call (issue 20 item 4, TS 23.231 §7.3): two live GMSC nodes sharing a real redis-server never act on
// one call at once. A node takes the call's lease in the stored record before it handles an event and lets it go
// with the event's last write; the other waits until then, or until the lease of a node that died has lapsed.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallIndexRecord, CallRecord } from "../../../generated/types/index.ts";
import { CallRecords } from "../../../src/nodes/gmsc/call-records.ts";
import { CallTable } from "../../../src/nodes/gmsc/call-table.ts";
import type { RedisConnection } from "../../../src/store/redis-connection.ts";
import { RedisStore } from "../../../src/store/redis-store.ts";
import { call } from "../../rules/fixtures.ts";
import { type RedisPeer, startRedis } from "../../support/redis-server.ts";

let redis: RedisPeer;
let conn: RedisConnection;
beforeAll(async () => {
  redis = await startRedis();
  conn = RedisStore.connect(redis.url);
}, 60_000);
afterAll(async () => {
  conn?.disconnect();
  await redis?.stop();
});

function record(callId: string): CallRecord {
  const c = call({ callId });
  return {
    call: c,
    preceding: { callId, inviteCSeq: 1, peer: "udp://127.0.0.1:5061" },
    succeeding: { callId: `leg-2-${callId}`, inviteCSeq: 1, peer: "udp://127.0.0.1:5070" },
    createdAt: 0,
  };
}

/** One GMSC node's view of the shared store, with a lease of `ms`. */
function node(owner: string, ms = 1000) {
  const records = new CallRecords(
    new RedisStore<CallRecord>(conn, "call", owner),
    new RedisStore<CallIndexRecord>(conn, "call-index", owner),
    undefined,
    { owner, ms },
  );
  return { records, table: new CallTable(records) };
}

describe("GMSC: a lease per call on a shared redis-server", () => {
  it("23.231:7.3.4/2 the same event at two live nodes at once: one acts, the other only after it let the call go", async () => {
    const key = "lease-1@gmsc.example.net";
    const [a, b] = [node("GMSC-A"), node("GMSC-B")];
    await a.records.create(key, record(key));
    const steps: string[] = [];
    const job = (name: string) => async () => {
      const stored = await a.records.get(key);
      steps.push(`${name} in (lease ${stored?.value.leaseOwner})`);
      await new Promise((r) => setTimeout(r, 50));
      steps.push(`${name} out`);
    };
    await Promise.all([a.table.run(key, job("A")), b.table.run(key, job("B"))]);
    // Never interleaved: each node held the lease while it acted, and let it go after.
    expect(steps).toHaveLength(4);
    expect(steps[1]).toBe(`${steps[0].split(" ")[0]} out`);
    expect(steps[3]).toBe(`${steps[2].split(" ")[0]} out`);
    expect(steps[0]).toMatch(/^(A in \(lease GMSC-A\)|B in \(lease GMSC-B\))$/);
    expect(steps[2]).toMatch(/^(A in \(lease GMSC-A\)|B in \(lease GMSC-B\))$/);
    expect((await a.records.get(key))?.value.leaseOwner).toBeUndefined();
  });

  it("23.231:7.3.4/2 a lease whose node died is taken once it has lapsed, not before", async () => {
    const key = "lease-2@gmsc.example.net";
    const b = node("GMSC-B");
    await b.records.create(key, record(key));
    // A node that died holding the call: its lease in the record, never renewed.
    const until = Date.now() + 300;
    await b.records.store.update(key, (c) => c && { ...c, leaseOwner: "GMSC-A", leaseUntil: until });
    let tookAt = 0;
    await b.table.run(key, async () => {
      tookAt = Date.now();
      expect((await b.records.get(key))?.value.leaseOwner).toBe("GMSC-B");
    });
    expect(tookAt).toBeGreaterThanOrEqual(until);
    expect((await b.records.get(key))?.value.leaseOwner).toBeUndefined();
  });

  it("without a shared store there is no lease: the record is left as it is", async () => {
    const key = "lease-3@gmsc.example.net";
    const records = new CallRecords(
      new RedisStore<CallRecord>(conn, "call", "GMSC-M"),
      new RedisStore<CallIndexRecord>(conn, "call-index", "GMSC-M"),
    );
    await records.create(key, record(key));
    const before = (await records.get(key))?.version;
    await new CallTable(records).run(key, async () => {});
    expect((await records.get(key))?.version).toBe(before);
  });

  it("reads a call it holds the lease of from its own copy, and from the store once it let the call go", async () => {
    const key = "lease-own@gmsc.example.net";
    const a = node("GMSC-A");
    await a.records.create(key, record(key));
    // The script's own GET is counted as a GET: reads by the node are those beyond one per script.
    const reads = async () => {
      const stats = await conn.info("commandstats");
      const of = (cmd: string) => Number(new RegExp(`cmdstat_${cmd}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
      return of("get") - of("evalsha");
    };
    let inside: CallRecord | undefined;
    await conn.config("RESETSTAT");
    await a.table.run(key, async () => {
      inside = (await a.records.get(key))?.value;
    });
    expect(inside?.leaseOwner).toBe("GMSC-A");
    expect(await reads()).toBe(0);
    // Let go: another node may write it now, so the store is asked.
    await conn.config("RESETSTAT");
    expect((await a.records.get(key))?.value.leaseOwner).toBeUndefined();
    expect(await reads()).toBe(1);
  });
});
