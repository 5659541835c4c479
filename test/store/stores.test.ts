// The store interface against both implementations: the in-memory default and a real redis-server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DialogState } from "../../generated/types/index.ts";
import { validator } from "../../src/rules/schema-registry.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import type { RedisConnection } from "../../src/store/redis-connection.ts";
import { RedisStore, StoreRecordError } from "../../src/store/redis-store.ts";
import type { Store } from "../../src/store/store.ts";
import { dialog } from "../rules/fixtures.ts";
import { type RedisPeer, startRedis } from "../support/redis-server.ts";

let redisPeer: RedisPeer;
let redis: RedisConnection;

beforeAll(async () => {
  redisPeer = await startRedis();
  redis = RedisStore.connect(redisPeer.url);
});
afterAll(async () => {
  await redis?.quit();
  await redisPeer?.stop();
});

const kinds: Array<[string, () => Store<DialogState>]> = [
  ["memory", () => new MemoryStore<DialogState>("node-a")],
  [
    "redis",
    () =>
      new RedisStore<DialogState>(
        redis,
        `dialog-${Math.random().toString(36).slice(2)}`,
        "node-a",
        validator("facts", "DialogState"),
      ),
  ],
];

for (const [name, make] of kinds) {
  describe(`${name} store`, () => {
    it("keeps a dialog with its owner and a version that every write moves", async () => {
      const store = make();
      await store.update("call-1", () => dialog());
      await store.update("call-1", (d) => d && { ...d, cseqCallingToCalled: d.cseqCallingToCalled + 1 });
      const record = await store.get("call-1");
      expect(record).toMatchObject({ owner: "node-a", version: 2, value: { cseqCallingToCalled: 314160 } });
      expect(await store.keys()).toEqual(["call-1"]);
      await store.update("call-1", () => undefined);
      expect(await store.get("call-1")).toBeUndefined();
      expect(await store.size()).toBe(0);
    });

    it("writes nothing when a change leaves the record as it is: its version stays", async () => {
      const store = make();
      await store.update("call-4", () => dialog());
      await store.update("call-4", (d) => d);
      expect((await store.get("call-4"))?.version).toBe(1);
      expect(await store.update("call-5", (d) => d)).toBeUndefined();
      expect(await store.get("call-5")).toBeUndefined();
    });

    it("loses no update when many writers change one record at once", async () => {
      const store = make();
      await store.update("call-2", () => dialog({ cseqCallingToCalled: 0 }));
      await Promise.all(
        Array.from({ length: 40 }, () =>
          store.update("call-2", (d) => d && { ...d, cseqCallingToCalled: d.cseqCallingToCalled + 1 }),
        ),
      );
      expect((await store.get("call-2"))?.value.cseqCallingToCalled).toBe(40);
    });

    it("pages through every key once, by cursor (the takeover sweep's walk)", async () => {
      const store = make();
      const keys = Array.from({ length: 25 }, (_, i) => `page-${i}`);
      for (const k of keys) await store.update(k, () => dialog());
      const seen: string[] = [];
      let cursor = "0";
      for (let round = 0; round < 1000; round++) {
        const page = await store.page(cursor, 7);
        seen.push(...page.keys);
        cursor = page.cursor;
        if (cursor === "0") break;
      }
      expect([...new Set(seen)].sort()).toEqual([...keys].sort());
      for (const k of keys) await store.update(k, () => undefined);
    });

    it("puts a record whatever is stored, with its time to live, and moves its version; a put record has no owner", async () => {
      const store = make();
      await store.update("call-6", () => dialog({ cseqCallingToCalled: 1 }));
      await store.put("call-6", dialog({ cseqCallingToCalled: 9 }), 0.05);
      const put = await store.get("call-6");
      expect(put).toMatchObject({ version: 2, value: { cseqCallingToCalled: 9 } });
      expect(put?.owner).toBeUndefined();
      await new Promise((r) => setTimeout(r, 120));
      expect(await store.get("call-6")).toBeUndefined();
    });

    it("expires a record with its time to live", async () => {
      const store = make();
      await store.update("call-3", () => dialog(), 0.05);
      expect(await store.get("call-3")).toBeDefined();
      await new Promise((r) => setTimeout(r, 120));
      expect(await store.get("call-3")).toBeUndefined();
    });
  });
}

describe("redis store validation", () => {
  it("rejects a stored record that is not a dialog, naming the key and the fault", async () => {
    const store = new RedisStore<DialogState>(redis, "corrupt", "node-a", validator("facts", "DialogState"));
    await redis.set("cleardown:corrupt:{x}", JSON.stringify({ value: { callId: "x" }, owner: "other", version: 1 }));
    await expect(store.get("x")).rejects.toThrow(StoreRecordError);
    await expect(store.get("x")).rejects.toThrow(
      /cleardown:corrupt:\{x\}: stored value \/ must have required property/,
    );
  });
});

describe("redis store round trips", () => {
  // Commands Redis ran: the script's own GET is counted as a GET (a read first would make it two).
  const counts = async () => {
    const stats = await redis.info("commandstats");
    const of = (cmd: string) => Number(new RegExp(`cmdstat_${cmd}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
    // A stamped record's check reads its opening (GETRANGE), the whole record only when that differs (GET).
    return { get: of("get"), getrange: of("getrange"), evalsha: of("evalsha") + of("eval") };
  };
  const make = (kind: string, owner = "node-a") =>
    new RedisStore<DialogState>(redis, kind, owner, validator("facts", "DialogState"));

  it("updates a record this node wrote or read last in one script, without reading it first", async () => {
    const a = make("trips");
    await a.update("c", () => dialog({ cseqCallingToCalled: 1 }));
    await redis.config("RESETSTAT");
    await a.update("c", (d) => d && { ...d, cseqCallingToCalled: d.cseqCallingToCalled + 1 });
    expect(await counts()).toEqual({ get: 0, getrange: 1, evalsha: 1 });
    // Another node's store reads it once, then writes it without a read.
    const b = make("trips", "node-b");
    await b.get("c");
    await redis.config("RESETSTAT");
    await b.update("c", (d) => d && { ...d, cseqCallingToCalled: d.cseqCallingToCalled + 1 });
    expect(await counts()).toEqual({ get: 0, getrange: 1, evalsha: 1 });
    expect((await a.get("c"))?.value.cseqCallingToCalled).toBe(3);
  });

  it("writes a new record in one script, and a record it leaves as it is with only the script's check", async () => {
    const a = make("new");
    await redis.config("RESETSTAT");
    await a.update("c", () => dialog());
    expect(await counts()).toEqual({ get: 1, getrange: 0, evalsha: 1 });
    const b = make("new", "node-b");
    await b.update("c", () => dialog({ cseqCallingToCalled: 7 }));
    // a's copy is stale: the script answers with b's record, which a leaves as it is.
    await redis.config("RESETSTAT");
    expect((await a.update("c", (d) => d))?.cseqCallingToCalled).toBe(7);
    expect(await counts()).toEqual({ get: 1, getrange: 1, evalsha: 1 });
    expect((await a.get("c"))?.owner).toBe("node-b");
  });

  it("knows a record it holds by its stamp alone: read back unchanged, it is the record held, not decoded again", async () => {
    const a = make("known");
    await a.update("c", () => dialog({ cseqCallingToCalled: 1 }));
    const held = a.held("c");
    expect(held?.value.cseqCallingToCalled).toBe(1);
    // Read from Redis (the store keeps no text of it, only its stamp): the same object, not a new decode.
    expect(await a.get("c")).toBe(held);
    // A stamp written with an escape decodes to the same stamp but does not open the text as the check would
    // send it: that record is checked whole (a GET, no GETRANGE), and the write still goes through in one script.
    const text = (await redis.get("cleardown:known:{c}")) ?? "";
    const stamp = String(JSON.parse(text).stamp);
    const escaped = text.replace(`"stamp":"${stamp}"`, `"stamp":"${stamp.replace(".", "\\u002e")}"`);
    expect(escaped).not.toBe(text);
    await redis.set("cleardown:known:{c}", escaped);
    const reread = await a.get("c");
    expect(reread).not.toBe(held);
    expect(reread?.stamp).toBe(stamp);
    await redis.config("RESETSTAT");
    expect((await a.update("c", (d) => d && { ...d, cseqCallingToCalled: 2 }))?.cseqCallingToCalled).toBe(2);
    expect(await counts()).toEqual({ get: 1, getrange: 0, evalsha: 1 });
  });

  it("checks a write's stamp, not the record: the same record written again by another node is a change", async () => {
    const a = make("stamped");
    const b = make("stamped", "node-b");
    await a.update("c", () => dialog({ cseqCallingToCalled: 1 }));
    const first = (await redis.get("cleardown:stamped:{c}")) ?? "";
    // Each write opens the record with a stamp of its own, the same store's next write too.
    await a.update("c", (d) => d && { ...d });
    const second = (await redis.get("cleardown:stamped:{c}")) ?? "";
    const stampOf = (text: string) => /^\{"stamp":"([\w-]{8}\.[0-9a-z]+)",/.exec(text)?.[1];
    expect([stampOf(first), stampOf(second)].every((s) => s !== undefined)).toBe(true);
    expect(stampOf(first)).not.toBe(stampOf(second));
    expect(JSON.parse(second)).toMatchObject({ value: dialog({ cseqCallingToCalled: 1 }), owner: "node-a" });
    // Deleted and written again by b with the same value and version as a's copy: only the stamp differs, and a's
    // check finds it (its change runs again on b's record, a second script).
    await b.get("c");
    await b.delete("c");
    await b.update("c", () => dialog({ cseqCallingToCalled: 1 }));
    await b.update("c", (d) => d && { ...d });
    expect(JSON.parse((await redis.get("cleardown:stamped:{c}")) ?? "")).toMatchObject({ version: 2 });
    await redis.config("RESETSTAT");
    let runs = 0;
    await a.update("c", (d) => {
      runs++;
      return d && { ...d, cseqCallingToCalled: 5 };
    });
    expect(runs).toBe(2);
    expect(await counts()).toEqual({ get: 1, getrange: 2, evalsha: 2 });
    expect((await b.get("c"))?.value.cseqCallingToCalled).toBe(5);
    // A record without a stamp (written before stamps, or by hand) is compared whole, and a change to it is found.
    const plain = JSON.stringify({ value: dialog({ cseqCallingToCalled: 20 }), owner: "node-b", version: 1 });
    await redis.set("cleardown:stamped:{old}", plain);
    await a.get("old");
    await redis.set("cleardown:stamped:{old}", plain.replace('"cseqCallingToCalled":20', '"cseqCallingToCalled":21'));
    await redis.config("RESETSTAT");
    expect(
      (await a.update("old", (d) => d && { ...d, cseqCallingToCalled: d.cseqCallingToCalled + 1 }))
        ?.cseqCallingToCalled,
    ).toBe(22);
    // The whole text compared (a GET): found changed, then compared whole again as found.
    expect(await counts()).toEqual({ get: 2, getrange: 0, evalsha: 2 });
  });

  it("puts a record with a SET and no read, and an update after it needs no read either", async () => {
    const a = make("put");
    await redis.config("RESETSTAT");
    await a.put("c", dialog({ cseqCallingToCalled: 4 }), 60);
    const stats = await redis.info("commandstats");
    expect(/cmdstat_set:calls=(\d+)/.exec(stats)?.[1]).toBe("1");
    expect(await counts()).toEqual({ get: 0, getrange: 0, evalsha: 1 });
    expect(await redis.pttl("cleardown:put:{c}")).toBeGreaterThan(59_000);
    // Nobody's record: no owner in its text (an index entry's block in Redis is 64 B instead of 80 B with one).
    expect(JSON.parse((await redis.get("cleardown:put:{c}")) ?? "")).toEqual({
      value: dialog({ cseqCallingToCalled: 4 }),
      version: 1,
    });
    await redis.config("RESETSTAT");
    await a.update("c", (d) => (d?.cseqCallingToCalled === 4 ? undefined : d));
    expect(await counts()).toEqual({ get: 1, getrange: 0, evalsha: 1 });
    expect(await redis.exists("cleardown:put:{c}")).toBe(0);
  });

  it("writes the changes one turn asks of a record with one compare-and-set, each on the one before's result", async () => {
    const a = make("turns");
    await a.update("c", () => dialog({ cseqCallingToCalled: 0 }));
    await redis.config("RESETSTAT");
    // Ten changes at once, as both BYEs of a release answered in one turn: one script writes what the ten make,
    // in the order asked, and each caller gets what its own change made.
    const made = await Promise.all(
      Array.from({ length: 10 }, () =>
        a.update("c", (d) => d && { ...d, cseqCallingToCalled: d.cseqCallingToCalled + 1 }),
      ),
    );
    expect(made.map((d) => d?.cseqCallingToCalled)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(await counts()).toEqual({ get: 0, getrange: 1, evalsha: 1 });
    expect(await a.get("c")).toMatchObject({ version: 2, value: { cseqCallingToCalled: 10 } });
    // A delete waits for the writes before it, and a write after it sees nothing there.
    const [, deleted, after] = await Promise.all([
      a.update("c", (d) => d && { ...d, cseqCallingToCalled: 99 }),
      a.delete("c"),
      a.update("c", (d) => d),
    ]);
    expect([deleted, after]).toEqual([true, undefined]);
    // A put too: the change asked after it runs on what it put.
    const [, , last] = await Promise.all([
      a.update("c", () => dialog({ cseqCallingToCalled: 1 })),
      a.put("c", dialog({ cseqCallingToCalled: 40 })),
      a.update("c", (d) => d && { ...d, cseqCallingToCalled: d.cseqCallingToCalled + 1 }),
    ]);
    expect(last?.cseqCallingToCalled).toBe(41);
    expect((await make("turns", "node-b").get("c"))?.value.cseqCallingToCalled).toBe(41);
  });

  it("joins the changes asked after a write of the record went out into one write after it", async () => {
    const a = make("behind");
    await a.update("c", () => dialog({ cseqCallingToCalled: 0 }));
    await redis.config("RESETSTAT");
    const bump = (d: DialogState | undefined) => d && { ...d, cseqCallingToCalled: d.cseqCallingToCalled + 1 };
    const first = a.update("c", bump);
    // Two turns on: the first write's script has gone out (at the end of the turn it was asked in).
    await new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
    const more = await Promise.all([a.update("c", bump), a.update("c", bump), a.update("c", bump)]);
    expect((await first)?.cseqCallingToCalled).toBe(1);
    expect(more.map((d) => d?.cseqCallingToCalled)).toEqual([2, 3, 4]);
    expect(await counts()).toEqual({ get: 0, getrange: 2, evalsha: 2 });
  });

  it("fails a change that throws alone: the changes joined with it are written", async () => {
    const a = make("throws");
    await a.update("c", () => dialog({ cseqCallingToCalled: 0 }));
    const wrong = new Error("facts not valid");
    const [one, two, three] = await Promise.allSettled([
      a.update("c", (d) => d && { ...d, cseqCallingToCalled: d.cseqCallingToCalled + 1 }),
      a.update("c", () => {
        throw wrong;
      }),
      a.update("c", (d) => d && { ...d, cseqCallingToCalled: d.cseqCallingToCalled + 10 }),
    ]);
    expect(one).toMatchObject({ status: "fulfilled", value: { cseqCallingToCalled: 1 } });
    // Its own error, not the store's: the store answered.
    expect(two).toEqual({ status: "rejected", reason: wrong });
    expect(three).toMatchObject({ status: "fulfilled", value: { cseqCallingToCalled: 11 } });
    expect((await make("throws", "node-b").get("c"))?.value.cseqCallingToCalled).toBe(11);
    // Alone, it writes nothing and sends nothing.
    await redis.config("RESETSTAT");
    await expect(
      a.update("c", () => {
        throw wrong;
      }),
    ).rejects.toBe(wrong);
    expect(await counts()).toEqual({ get: 0, getrange: 0, evalsha: 0 });
  });

  it("runs joined changes again on a record another node changed meanwhile: none is lost", async () => {
    const a = make("joined-stale");
    const b = make("joined-stale", "node-b");
    await a.update("c", () => dialog({ cseqCallingToCalled: 10 }));
    await b.update("c", (d) => d && { ...d, state: "early", cseqCallingToCalled: d.cseqCallingToCalled + 100 });
    await redis.config("RESETSTAT");
    const made = await Promise.all(
      [1, 2, 3].map(() => a.update("c", (d) => d && { ...d, cseqCallingToCalled: d.cseqCallingToCalled + 1 })),
    );
    expect(made.map((d) => d?.cseqCallingToCalled)).toEqual([111, 112, 113]);
    // The failed compare-and-set brought the record back: one more script, no read of its own.
    expect(await counts()).toEqual({ get: 1, getrange: 2, evalsha: 2 });
    expect((await b.get("c"))?.value).toMatchObject({ state: "early", cseqCallingToCalled: 113 });
  });

  it("sends the commands of one turn as one script, each with its own outcome", async () => {
    const a = make("turn-a");
    const b = make("turn-b", "node-b");
    await Promise.all(Array.from({ length: 6 }, (_, i) => a.update(`c${i}`, () => dialog({ cseqCallingToCalled: i }))));
    await b.update("x", () => dialog({ cseqCallingToCalled: 70 }));
    // Another connection (another node) changes c5 behind a's copy.
    const other = RedisStore.connect(redisPeer.url);
    try {
      await new RedisStore<DialogState>(other, "turn-a", "node-c").update("c5", (d) => d && { ...d, state: "early" });
    } finally {
      await other.quit();
    }
    await redis.config("RESETSTAT");
    const [updated, read, deleted, putDone, stale] = await Promise.all([
      Promise.all(
        [1, 2, 3].map((i) => a.update(`c${i}`, (d) => d && { ...d, cseqCallingToCalled: d.cseqCallingToCalled + 10 })),
      ),
      b.get("x"),
      a.delete("c4"),
      a.put("p", dialog({ cseqCallingToCalled: 5 }), 60),
      a.update("c5", (d) => d && { ...d, cseqCallingToCalled: 55 }),
    ]);
    // One script for the turn, and one more for c5 alone: its check failed, and it ran again on the record as found.
    expect(await counts()).toEqual({ get: 2, getrange: 5, evalsha: 2 });
    expect(updated.map((d) => d?.cseqCallingToCalled)).toEqual([11, 12, 13]);
    expect(read?.value.cseqCallingToCalled).toBe(70);
    expect(deleted).toBe(true);
    expect(putDone).toBeUndefined();
    expect(stale).toMatchObject({ state: "early", cseqCallingToCalled: 55 });
    expect(await redis.exists("cleardown:turn-a:{c4}")).toBe(0);
    expect(await redis.pttl("cleardown:turn-a:{p}")).toBeGreaterThan(59_000);
    expect((await a.get("c2"))?.value.cseqCallingToCalled).toBe(12);
  });

  it("reads a record once for the reads of it asked together; a write asked of it ends the sharing", async () => {
    const a = make("shared-reads");
    await make("shared-reads", "node-b").update("c", () => dialog({ cseqCallingToCalled: 1 }));
    await redis.config("RESETSTAT");
    const reads = await Promise.all([...Array.from({ length: 50 }, () => a.get("c")), a.get("missing")]);
    // One script: one GET of c for its fifty reads, one of the missing key.
    expect(await counts()).toEqual({ get: 2, getrange: 0, evalsha: 1 });
    expect(reads.slice(0, 50).every((r) => r?.value.cseqCallingToCalled === 1)).toBe(true);
    expect(reads[50]).toBeUndefined();
    await redis.config("RESETSTAT");
    const [, written] = await Promise.all([
      a.get("c"),
      a.update("c", (d) => d && { ...d, cseqCallingToCalled: 2 }),
      a.get("c"),
    ]);
    // The read asked after the write is an entry of its own: two GETs, and the write's check of its copy.
    expect(await counts()).toEqual({ get: 2, getrange: 1, evalsha: 1 });
    expect(written?.cseqCallingToCalled).toBe(2);
    // Once the reads sent before it are answered, a read is a new one.
    await redis.config("RESETSTAT");
    expect((await a.get("c"))?.value.cseqCallingToCalled).toBe(2);
    expect(await counts()).toEqual({ get: 1, getrange: 0, evalsha: 1 });
    // More reads in a turn than a script takes: the batch goes out as it fills (a read sent at once, as it is
    // asked, is shared with none), and each is answered.
    await redis.config("RESETSTAT");
    const many = await Promise.all(Array.from({ length: 130 }, (_, i) => a.get(i % 2 ? `k${i}` : "c")));
    expect(many.filter((r) => r?.value.cseqCallingToCalled === 2)).toHaveLength(65);
    expect(await counts()).toEqual({ get: 65 + 2, getrange: 0, evalsha: 2 });
  });

  it("sends the commands of a phase's several callbacks as one script (as a turn's datagrams, each its own callback)", async () => {
    const a = make("callbacks");
    await a.update("c", () => dialog({ cseqCallingToCalled: 1 }));
    await redis.config("RESETSTAT");
    // Node runs each callback of a phase (here two immediates queued together), then its ticks and promise jobs,
    // then the next: a batch sent at the end of each callback would be two scripts.
    const reads = await new Promise<unknown[]>((resolve) => {
      const out: Promise<unknown>[] = [];
      setImmediate(() => out.push(a.get("c")));
      setImmediate(() => {
        out.push(a.get("missing"));
        void Promise.all(out).then(resolve);
      });
    });
    expect(await counts()).toEqual({ get: 2, getrange: 0, evalsha: 1 });
    expect(reads.map((r) => (r as { value?: DialogState } | undefined)?.value?.cseqCallingToCalled)).toEqual([
      1,
      undefined,
    ]);
  });

  it("writes texts beyond ASCII byte for byte, and compares them so: a held copy with them updates in one script", async () => {
    const a = make("utf8");
    // Two-, three- and four-byte UTF-8 (a display name may be anything): the script's lengths count bytes, not
    // UTF-16 units, or Redis would read the next argument into this one.
    const name = '"Zoë Ångström 日本 🎉" <sip:zoe@example.net>';
    await a.update("c", () => dialog({ fromOfInvite: name }));
    const stored = await redis.getBuffer("cleardown:utf8:{c}");
    const inJson = JSON.stringify(name).slice(1, -1);
    expect(stored?.includes(Buffer.from(inJson, "utf8"))).toBe(true);
    await redis.config("RESETSTAT");
    await a.update("c", (d) => d && { ...d, cseqCallingToCalled: 9 });
    // The copy compared equal (one script, no second run on a record found changed).
    expect(await counts()).toEqual({ get: 0, getrange: 1, evalsha: 1 });
    expect((await make("utf8", "node-b").get("c"))?.value).toMatchObject({
      fromOfInvite: name,
      cseqCallingToCalled: 9,
    });
  });

  it("sends the script's text again when the server no longer has it (restarted, or its scripts flushed)", async () => {
    const a = make("noscript");
    await a.update("c", () => dialog({ cseqCallingToCalled: 1 }));
    await redis.script("FLUSH");
    await redis.config("RESETSTAT");
    await a.update("c", (d) => d && { ...d, cseqCallingToCalled: 2 });
    const stats = await redis.info("commandstats");
    const calls = (cmd: string) => Number(new RegExp(`cmdstat_${cmd}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
    const rejected = (cmd: string) =>
      Number(new RegExp(`cmdstat_${cmd}:.*rejected_calls=(\\d+)`).exec(stats)?.[1] ?? 0);
    // EVALSHA answered NOSCRIPT, then EVAL carried the text; the write happened once.
    expect([rejected("evalsha") + calls("evalsha"), calls("eval")]).toEqual([1, 1]);
    expect((await make("noscript", "node-b").get("c"))?.value.cseqCallingToCalled).toBe(2);
    // And the next script names it again.
    await redis.config("RESETSTAT");
    await a.update("c", (d) => d && { ...d, cseqCallingToCalled: 3 });
    expect(await counts()).toEqual({ get: 0, getrange: 1, evalsha: 1 });
    expect(/cmdstat_eval:/.test(await redis.info("commandstats"))).toBe(false);
  });

  it("fails a command on a key of another type alone: the turn's other commands go on", async () => {
    const a = make("typed");
    await redis.hset("cleardown:typed:{h}", "f", "v");
    const [bad, good] = await Promise.allSettled([a.get("h"), a.update("ok", () => dialog())]);
    expect(bad.status).toBe("rejected");
    expect(String((bad as PromiseRejectedResult).reason)).toMatch(/cleardown:typed:\{h\}: WRONGTYPE/);
    expect(good).toMatchObject({ status: "fulfilled", value: { callId: dialog().callId } });
    // A record this node wrote (its check reads the stamp), made a hash behind it: that write fails alone too.
    await a.update("s", () => dialog());
    await redis.del("cleardown:typed:{s}");
    await redis.hset("cleardown:typed:{s}", "f", "v");
    const [stamped, other] = await Promise.allSettled([
      a.update("s", (d) => d && { ...d, cseqCallingToCalled: 2 }),
      a.update("ok", (d) => d && { ...d, cseqCallingToCalled: 3 }),
    ]);
    expect(String((stamped as PromiseRejectedResult).reason)).toMatch(/cleardown:typed:\{s\}: WRONGTYPE/);
    expect(other).toMatchObject({ status: "fulfilled", value: { cseqCallingToCalled: 3 } });
  });

  it("writes nothing over a change another node made since this node's copy: it changes what is there", async () => {
    const a = make("stale");
    const b = make("stale", "node-b");
    await a.update("c", () => dialog({ cseqCallingToCalled: 10 }));
    await b.update("c", (d) => d && { ...d, cseqCallingToCalled: d.cseqCallingToCalled + 5 });
    await a.update("c", (d) => d && { ...d, cseqCallingToCalled: d.cseqCallingToCalled + 1 });
    expect((await b.get("c"))?.value.cseqCallingToCalled).toBe(16);
  });

  it("sees a record deleted and written again as changed, even with the same owner and version", async () => {
    const a = make("aba");
    const again = make("aba");
    await a.update("c", () => dialog({ cseqCallingToCalled: 10 }));
    await again.delete("c");
    await again.update("c", () => dialog({ cseqCallingToCalled: 50 }));
    expect(await again.get("c")).toMatchObject({ owner: "node-a", version: 1 });
    await a.update("c", (d) => d && { ...d, cseqCallingToCalled: d.cseqCallingToCalled + 1 });
    expect((await again.get("c"))?.value.cseqCallingToCalled).toBe(51);
    // Gone since: the change sees nothing there.
    await again.delete("c");
    let seen: DialogState | undefined | null = null;
    await a.update("c", (d) => {
      seen = d;
      return d;
    });
    expect(seen).toBeUndefined();
    expect(await a.get("c")).toBeUndefined();
  });
});
