// The GMSC with its call records in a real redis-server (store redis://…): the CallRecord of a call is written,
// read back validated against store.schema.json, and deleted when the call is released.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisPeer, startRedis } from "../../support/redis-server.ts";
import { established, expectBothReleased, noCallsLeft } from "./call-checks.ts";
import { type GmscHarness, startGmscHarness } from "./gmsc-harness.ts";
import { messages } from "./wire.ts";

let redis: RedisPeer;
let h: GmscHarness;
beforeAll(async () => {
  redis = await startRedis();
  h = await startGmscHarness({ store: redis.url });
}, 120_000);
afterAll(async () => {
  await h?.close();
  await redis?.stop();
});

describe("GMSC call records in Redis", () => {
  it("23.231:7.3.1/b.2 keeps the answered call's record in Redis, clears the call on the preceding node's BYE, and deletes the record", async () => {
    expect((await h.admin("GET", "/v1/health")).body.store).toBe(redis.url);
    const c = await established(h, "gmsc-preceding-bye.xml");
    const held = await h.admin("GET", `/v1/calls/${c.callId}`);
    expect(held.status).toBe(200);
    expect(held.body.call).toMatchObject({ callId: c.callId, clearing: false, preceding: { state: "confirmed" } });
    expect(held.body.call.terminations.map((t: { seized: boolean }) => t.seized)).toEqual([true, true]);
    await c.done();
    await expectBothReleased(h, c);
    expect(messages(c.toSucceeding(), /^BYE /)).toHaveLength(1);
    await noCallsLeft(h);
    expect((await h.admin("GET", `/v1/calls/${c.callId}`)).status).toBe(404);
  });
});
