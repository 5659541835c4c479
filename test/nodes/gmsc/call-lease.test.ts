// A lease per call (issue 20 item 4, TS 23.231 §7.3): two live GMSC nodes sharing a real redis-server never act on
// one call at once. A node takes the call's lease in the stored record before it handles an event, keeps it (each
// write renews it) while the call's events keep coming, and lets it go once the call has been idle for a tenth of
// the lease; the other waits until then, or until the lease of a node that died has lapsed.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallIndexRecord, CallRecord } from "../../../generated/types/index.ts";
import { CallRecords } from "../../../src/nodes/gmsc/call-records.ts";
import { CallTable } from "../../../src/nodes/gmsc/call-table.ts";
import type { RedisConnection } from "../../../src/store/redis-connection.ts";
import { RedisStore } from "../../../src/store/redis-store.ts";
import { call } from "../../rules/fixtures.ts";
import { type RedisPeer, startRedis } from "../../support/redis-server.ts";
import { waitFor } from "./gmsc-harness.ts";

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
    await letGo(a, key);
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
    await letGo(b, key);
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
    let inside: CallRecord | undefined;
    await conn.config("RESETSTAT");
    await a.table.run(key, async () => {
      inside = (await a.records.get(key))?.value;
    });
    expect(inside?.leaseOwner).toBe("GMSC-A");
    // The lease's compare-and-set checked the record once; the event's read was served from the node's copy.
    expect(await gets()).toBe(1);
    await conn.config("RESETSTAT");
    // Kept between the call's events: still its own copy.
    expect((await a.records.get(key))?.value.leaseOwner).toBe("GMSC-A");
    expect(await gets()).toBe(0);
    // Let go once idle: another node may write it now, so the store is asked.
    await letGo(a, key);
    await conn.config("RESETSTAT");
    expect((await a.records.get(key))?.value.leaseOwner).toBeUndefined();
    expect(await gets()).toBe(1);
  });

  it("23.231:7.3.4/2 a burst of a call's events takes the lease once: each event's write renews it, no write of its own", async () => {
    const key = "lease-burst@gmsc.example.net";
    const a = node("GMSC-A", 5000);
    await a.records.create(key, record(key));
    await conn.config("RESETSTAT");
    for (let i = 0; i < 5; i++)
      await a.table.run(key, async () => {
        const r = await a.records.get(key);
        if (r) await a.records.write(key, { ...r.value, routeTarget: `udp://127.0.0.1:${5070 + i}` });
      });
    // One compare-and-set for the lease, one per event's write (each checks and writes the record); no read.
    expect([await gets(), await sets()]).toEqual([1 + 5, 1 + 5]);
    const kept = await a.records.get(key);
    expect(kept?.value.leaseOwner).toBe("GMSC-A");
    expect(kept?.value.routeTarget).toBe("udp://127.0.0.1:5074");
    // Another node waits for the lease to be let go (the call idle for a tenth of it), then acts: before A's
    // lease, as last renewed, would have lapsed.
    const b = node("GMSC-B");
    let tookAt = 0;
    await b.table.run(key, async () => {
      tookAt = Date.now();
      expect((await b.records.get(key))?.value.leaseOwner).toBe("GMSC-B");
    });
    expect(tookAt).toBeLessThan(kept?.value.leaseUntil ?? 0);
    await letGo(b, key);
  });

  it("23.231:7.3.4/2 an event that outlasts the lease (an MGW slow to answer) keeps it: another node acts only after that event has ended", async () => {
    const key = "lease-long@gmsc.example.net";
    const [a, b] = [node("GMSC-A", 300), node("GMSC-B", 300)];
    await a.records.create(key, record(key));
    const order: string[] = [];
    let aEnded = 0;
    const long = a.table.run(key, async () => {
      order.push("A in");
      // Two and a half leases with no write of the event's own: only the renewal keeps the lease.
      await new Promise((r) => setTimeout(r, 750));
      order.push("A out");
      aEnded = Date.now();
    });
    await new Promise((r) => setTimeout(r, 50));
    let bAt = 0;
    await b.table.run(key, async () => {
      bAt = Date.now();
      order.push("B in");
    });
    await long;
    expect(order).toEqual(["A in", "A out", "B in"]);
    expect(bAt).toBeGreaterThanOrEqual(aEnded);
    await letGo(b, key);
  });
});

/** Commands Redis ran, counted inside the node's scripts (a turn's store commands go as one script). */
const commandCalls = async (cmd: string) => {
  const stats = await conn.info("commandstats");
  return Number(new RegExp(`cmdstat_${cmd}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
};
/**
 * GETs and GETRANGEs: a read, or the check of a compare-and-set (the record whole, or the stamp that opens it; a
 * plain put checks nothing).
 */
const gets = async () => (await commandCalls("get")) + (await commandCalls("getrange"));
/** SETs: a compare-and-set's write, or a plain put (an index entry). */
const sets = () => commandCalls("set");
/** Scripts Redis ran: each is one round trip of the node's. */
const scripts = async () => (await commandCalls("evalsha")) + (await commandCalls("eval"));

/** Waits until the node let the call's lease go (idle for a tenth of the lease), as the store holds it. */
async function letGo(n: { records: CallRecords }, key: string) {
  await waitFor(
    `the lease of ${key} let go`,
    async () => (await n.records.store.get(key))?.value.leaseOwner === undefined,
    2000,
  );
}

describe("GMSC: a call set up on a shared redis-server", () => {
  it("23.231:7.3.4/2 the event that creates a call reads nothing after taking the lease, and holds the lease from the record's first write", async () => {
    const key = "create-1@gmsc.example.net";
    const a = node("GMSC-A");
    const base = record(key);
    const set = { ...base, call: { ...base.call, terminations: [] } };
    await conn.config("RESETSTAT");
    await a.table.run(key, async () => {
      // Not stored: the lease's script just said so.
      expect(await a.table.get(key)).toBeUndefined();
      await a.table.create(key, set);
    });
    // The lease's check (it found no record) and the record's creation with the lease in it check the record; the
    // record and the succeeding leg's index entry (put plainly) are written; no read.
    expect([await gets(), await sets()]).toEqual([2, 2]);
    expect((await a.records.store.get(key))?.value.leaseOwner).toBe("GMSC-A");
    // The next event needs no lease write.
    await conn.config("RESETSTAT");
    await a.table.run(key, async () => {
      expect((await a.table.get(key))?.call.callId).toBe(key);
    });
    expect([await gets(), await sets()]).toEqual([0, 0]);
  });
});

describe("GMSC: an initial INVITE's call on a shared redis-server", () => {
  it("23.231:7.3.4/2 the event that creates its call does not ask first: the call's first write takes the lease, one script in all", async () => {
    const key = "create-2@gmsc.example.net";
    const a = node("GMSC-A");
    const base = record(key);
    const set = { ...base, call: { ...base.call, terminations: [] } };
    await conn.config("RESETSTAT");
    const created = await a.table.run(
      key,
      async () => {
        expect(await a.table.get(key)).toBeUndefined();
        return a.table.createNew(key, set);
      },
      true,
    );
    expect(created).toBe(true);
    // The succeeding leg's index entry (a plain SET) and the record with the lease in it (a compare-and-set, its
    // one check); no check before, no read.
    expect([await gets(), await sets()]).toEqual([1, 2]);
    // Asked in one turn, the two go to Redis as one script: one round trip.
    expect(await scripts()).toBe(1);
    expect((await a.records.store.get(key))?.value.leaseOwner).toBe("GMSC-A");
    expect((await node("GMSC-B").table.find(set.succeeding.callId))?.key).toBe(key);
  });

  it("23.231:7.3.4/2 a Call-ID another node's call holds: nothing written to that call, no index entry left, the creating event told so", async () => {
    const key = "create-3@gmsc.example.net";
    const [a, b] = [node("GMSC-A"), node("GMSC-B")];
    await b.table.run(key, () => b.table.createNew(key, record(key)), true);
    const before = await conn.get(`cleardown:call:{${key}}`);
    const other = { ...record(key), succeeding: { ...record(key).succeeding, callId: `leg-A-${key}` } };
    const created = await a.table.run(key, () => a.table.createNew(key, other), true);
    expect(created).toBe(false);
    expect(await conn.get(`cleardown:call:{${key}}`)).toBe(before);
    expect(await conn.exists(`cleardown:call-index:{leg:leg-A-${key}}`)).toBe(0);
    expect((await a.records.store.get(key))?.value.leaseOwner).toBe("GMSC-B");
  });
});

describe("GMSC: a node that stops", () => {
  it("23.231:7.3.4/2 lets the leases of its calls go as it stops: another node acts on them at once, not after a lapse", async () => {
    const key = "stop-1@gmsc.example.net";
    const a = node("GMSC-A", 5000);
    await a.records.create(key, record(key));
    await a.table.run(key, async () => {});
    expect((await a.records.store.get(key))?.value.leaseOwner).toBe("GMSC-A");
    await a.table.close();
    expect((await a.records.store.get(key))?.value.leaseOwner).toBeUndefined();
  });
});

describe("GMSC: the shared store's index of a call", () => {
  it("23.231:7.3.3/1 a call's MGW context, seized after the call was set up, leads another node to the call (the lookup its Notify handling makes)", async () => {
    const key = "index-1@gmsc.example.net";
    const a = node("GMSC-A");
    // Set up as the GMSC does: stored before the MGW seized anything, its terminations written with the Add's reply.
    const base = record(key);
    const set = {
      ...base,
      call: { ...base.call, terminations: base.call.terminations.map((t) => ({ ...t, contextId: "9001" })) },
    };
    await a.table.run(key, () => a.table.create(key, { ...set, call: { ...set.call, terminations: [] } }));
    expect(await node("GMSC-B").table.keyOfTermination("9001", "ip/1/1/2")).toBeUndefined();
    await a.table.run(key, async () => {
      const r = await a.records.get(key);
      if (r) await a.table.write(key, { ...r.value, call: { ...r.value.call, terminations: set.call.terminations } });
    });
    // Node B never saw the call: it finds it through the store's index, by context and termination.
    const b = node("GMSC-B");
    expect(await b.table.keyOfTermination("9001", "ip/1/1/2")).toBe(key);
    expect(await b.table.keyOfTermination("9001", "ip/1/1/9")).toBeUndefined();
    expect((await b.table.find(set.succeeding.callId))?.key).toBe(key);
    // The call over: its entries go with it.
    await a.table.run(key, async () => {
      const r = await a.records.get(key);
      if (r)
        await a.table.write(key, {
          ...r.value,
          call: {
            ...r.value.call,
            preceding: { ...r.value.call.preceding, state: "terminated" },
            succeeding: { ...r.value.call.succeeding, state: "terminated" },
            terminations: r.value.call.terminations.map((t) => ({ ...t, seized: false })),
          },
        });
    });
    expect(await a.records.store.get(key)).toBeUndefined();
    expect(await conn.exists("cleardown:call-index:{context:9001}", `cleardown:call-index:{leg:leg-2-${key}}`)).toBe(0);
  });
});

/** The call as an MGW's Add reply leaves it: two terminations seized in one context. */
const withSeized = (r: CallRecord, contextId: string, ids: [string, string]): CallRecord => ({
  ...r,
  call: {
    ...r.call,
    terminations: [
      { id: ids[0], contextId, side: "originating", seized: true },
      { id: ids[1], contextId, side: "destination", seized: true },
    ],
  },
});

describe("GMSC: round trips of a call's set-up on a shared redis-server (issue 21 item 4)", () => {
  // A record and the index entries it needs are asked in one turn, so one script carries them; the entries are
  // still there for a node that did not set the call up.
  it("a new call and its succeeding leg's index entry are one script; seized terminations and their context's entry another", async () => {
    const key = "trips-1@gmsc.example.net";
    const a = node("GMSC-A");
    await conn.config("RESETSTAT");
    expect(await a.records.createNew(key, record(key))).toBe(true);
    expect(await scripts()).toBe(1);
    // The MGW's Add reply: the terminations join the call, and its context becomes findable from a Notify.
    const current = (await a.records.get(key))?.value as CallRecord;
    await conn.config("RESETSTAT");
    await a.records.write(key, withSeized(current, "42", ["ip/1/1/7", "ip/1/1/8"]));
    expect(await scripts()).toBe(1);
    // Another node, which holds no copy of anything, finds the call from either leg's wire.
    const b = node("GMSC-B");
    expect(await b.records.keyOfSucceedingLeg(`leg-2-${key}`)).toBe(key);
    expect(await b.records.keyOfTermination("42", "ip/1/1/8")).toBe(key);
    expect(await conn.exists("cleardown:call-index:{context:42}", `cleardown:call-index:{leg:leg-2-${key}}`)).toBe(2);
  });

  it("23.231:7.3.4 a claim that brings the terminations just seized (a CANCEL during the Add) writes their context's entry in the claim's script", async () => {
    const key = "trips-2@gmsc.example.net";
    const a = node("GMSC-A");
    expect(await a.records.createNew(key, record(key))).toBe(true);
    const current = (await a.records.get(key))?.value as CallRecord;
    await conn.config("RESETSTAT");
    const won = await a.records.claim(
      key,
      [{ contextId: "43", terminationId: "ip/1/1/9" }],
      withSeized(current, "43", ["ip/1/1/9", "ip/1/1/10"]),
    );
    expect([...won]).toEqual(["43|ip/1/1/9"]);
    expect(await scripts()).toBe(1);
    expect(await node("GMSC-B").records.keyOfTermination("43", "ip/1/1/10")).toBe(key);
  });
});
