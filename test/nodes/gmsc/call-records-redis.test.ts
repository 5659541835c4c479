// The GMSC's call records in a real redis-server: what a call's set-up costs in round trips. A record and the
// index entries it needs are asked in one turn, so one script carries them (issue 21 item 4: fewer round trips per
// call); the entries are still there for a node that did not set the call up.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallIndexRecord, CallRecord } from "../../../generated/types/index.ts";
import { CallRecords } from "../../../src/nodes/gmsc/call-records.ts";
import type { RedisConnection } from "../../../src/store/redis-connection.ts";
import { RedisStore } from "../../../src/store/redis-store.ts";
import { call } from "../../rules/fixtures.ts";
import { type RedisPeer, startRedis } from "../../support/redis-server.ts";

let peer: RedisPeer;
let redis: RedisConnection;
beforeAll(async () => {
  peer = await startRedis();
  redis = RedisStore.connect(peer.url);
}, 60_000);
afterAll(async () => {
  await redis?.quit();
  await peer?.stop();
});

const key = "rt-1@gmsc.example.net";
const succeedingCallId = "rt-leg-2@gmsc.example.net";

function record(): CallRecord {
  const c = call({ callId: key });
  return {
    call: c,
    preceding: { callId: key, inviteCSeq: 1, peer: "udp://127.0.0.1:5061" },
    succeeding: { callId: succeedingCallId, inviteCSeq: 1, peer: "udp://127.0.0.1:5070" },
    createdAt: 0,
  };
}

/** Scripts Redis ran since the last reset: each is one round trip of the node's. */
async function scripts(): Promise<number> {
  const stats = await redis.info("commandstats");
  const of = (cmd: string) => Number(new RegExp(`cmdstat_${cmd}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
  return of("evalsha") + of("eval");
}

const nodeRecords = (owner: string) =>
  new CallRecords(
    new RedisStore<CallRecord>(redis, "call", owner),
    new RedisStore<CallIndexRecord>(redis, "call-index", owner),
  );

describe("GMSC call records in Redis: round trips of a call's set-up", () => {
  it("a new call and its succeeding leg's index entry are one script; seized terminations and their context's entry another", async () => {
    const a = nodeRecords("gmsc-a");
    await redis.config("RESETSTAT");
    expect(await a.createNew(key, record())).toBe(true);
    expect(await scripts()).toBe(1);
    // The MGW's Add reply: the terminations join the call, and its context becomes findable from a Notify.
    const current = (await a.get(key))?.value as CallRecord;
    await redis.config("RESETSTAT");
    await a.write(key, {
      ...current,
      call: {
        ...current.call,
        terminations: [
          { id: "ip/1/1/7", contextId: "42", side: "originating", seized: true },
          { id: "ip/1/1/8", contextId: "42", side: "destination", seized: true },
        ],
      },
    });
    expect(await scripts()).toBe(1);
    // Another node, which holds no copy of anything, finds the call from either leg's wire.
    const b = nodeRecords("gmsc-b");
    expect(await b.keyOfSucceedingLeg(succeedingCallId)).toBe(key);
    expect(await b.keyOfTermination("42", "ip/1/1/8")).toBe(key);
    expect(
      await redis.exists("cleardown:call-index:{context:42}", `cleardown:call-index:{leg:${succeedingCallId}}`),
    ).toBe(2);
  });

  it("23.231:7.3.4 a claim that brings the terminations just seized (a CANCEL during the Add) writes their context's entry in the claim's script", async () => {
    const key2 = "rt-2@gmsc.example.net";
    const a = nodeRecords("gmsc-a");
    const fresh: CallRecord = {
      ...record(),
      call: call({ callId: key2 }),
      preceding: { callId: key2, inviteCSeq: 1, peer: "udp://127.0.0.1:5061" },
      succeeding: { callId: "rt-leg-3@gmsc.example.net", inviteCSeq: 1, peer: "udp://127.0.0.1:5070" },
    };
    expect(await a.createNew(key2, fresh)).toBe(true);
    const current = (await a.get(key2))?.value as CallRecord;
    await redis.config("RESETSTAT");
    const won = await a.claim(key2, [{ contextId: "43", terminationId: "ip/1/1/9" }], {
      ...current,
      call: {
        ...current.call,
        terminations: [
          { id: "ip/1/1/9", contextId: "43", side: "originating", seized: true },
          { id: "ip/1/1/10", contextId: "43", side: "destination", seized: true },
        ],
      },
    });
    expect([...won]).toEqual(["43|ip/1/1/9"]);
    expect(await scripts()).toBe(1);
    expect(await nodeRecords("gmsc-b").keyOfTermination("43", "ip/1/1/10")).toBe(key2);
  });
});
