// Calls set up and cleared per second through the GMSC node with its real peers in the loop: SIPp as the preceding
// node (INVITE with SDP + ISUP IAM, ACK, BYE with REL) and as the succeeding node (180, 200, 200 OK (BYE) with RLC),
// the Erlang/OTP megaco MG answering each call's Add (two terminations) and two Subtracts — once with the call records
// in the memory store, once in a redis-server, in the same run. Then memory per call record in each store, from a
// record a real call left (heap growth for the memory store, used_memory growth for Redis). All on loopback, on
// whatever this machine shares with the bench. Figures, not assertions.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { CallIndexRecord, CallRecord } from "../../generated/types/index.ts";
import { CallRecords } from "../../src/nodes/gmsc/call-records.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import { RedisStore } from "../../src/store/redis-store.ts";
import type { Store } from "../../src/store/store.ts";
import { type GmscHarness, startGmscHarness } from "../nodes/gmsc/gmsc-harness.ts";
import { startRedis } from "../support/redis-server.ts";
import type { BenchFigure } from "./rules.bench.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const scenarios = { preceding: "gmsc-preceding-bye.xml", succeeding: "gmsc-succeeding-answer.xml" };

/** calls/s of one run of `calls` calls, after a warm-up (JIT, the MG's first contexts). */
async function callsPerSecond(h: GmscHarness, calls: number, rate: number, limit: number): Promise<number> {
  const warm = await h.call({ ...scenarios, fill: { HOLD_MS: 0 }, calls: 20, rate: 50, limit: 10 });
  await warm.done();
  const started = performance.now();
  const run = await h.call({ ...scenarios, fill: { HOLD_MS: 0 }, calls, rate, limit, timeoutMs: 120_000 });
  await run.done();
  return calls / ((performance.now() - started) / 1000);
}

/** The CallRecord of a real answered call through `h`, as the store keeps it. */
async function answeredRecord(h: GmscHarness): Promise<CallRecord> {
  const c = await h.call({ preceding: "gmsc-preceding-wait-bye.xml", succeeding: "gmsc-succeeding-answer.xml" });
  const record = await h.waitFor("an answered call", async () => {
    const r = await h.admin("GET", `/v1/calls/${c.callId}`);
    return r.status === 200 && r.body.call.succeeding.state === "confirmed" && r.body;
  });
  await h.admin("POST", `/v1/calls/${c.callId}/release`);
  await c.done();
  const { callId: _key, store: _store, ...value } = record;
  return value as CallRecord;
}

/** The template as call `i`: its own Call-IDs and tags (each record holds strings of its own, as parsed ones do). */
function nth(template: CallRecord, i: number): CallRecord {
  const r = structuredClone(template);
  const key = `${i}-${template.preceding.callId}`;
  r.call.callId = key;
  r.preceding.callId = key;
  if (r.preceding.dialog) r.preceding.dialog = { ...r.preceding.dialog, callId: key, remoteTag: `${i}MscA` };
  const leg = `${i}-${template.succeeding.callId}`;
  r.succeeding.callId = leg;
  if (r.succeeding.dialog) r.succeeding.dialog = { ...r.succeeding.dialog, callId: leg, remoteTag: `${i}MscB` };
  r.call.terminations = r.call.terminations.map((t) => ({ ...t, contextId: String(i) }));
  return r;
}

/** Bytes per answered call (record and index entries) over `n` calls written as a node writes them. */
async function memoryPerCall(
  template: CallRecord,
  n: number,
  calls: Store<CallRecord>,
  index: Store<CallIndexRecord>,
  used: () => Promise<number>,
): Promise<number> {
  const records = new CallRecords(calls, index);
  const store = async (i: number) => {
    const r = nth(template, i);
    const setUp = { ...r, call: { ...r.call, succeeding: { ...r.call.succeeding, state: "calling" as const } } };
    await records.create(r.call.callId, setUp);
    await records.write(r.call.callId, r);
  };
  for (let i = 0; i < 500; i++) await store(i); // warm up, then measure from a settled state
  const before = await used();
  const batch = 256;
  for (let i = 500; i < 500 + n; i += batch)
    await Promise.all(Array.from({ length: Math.min(batch, 500 + n - i) }, (_, k) => store(i + k)));
  const after = await used();
  if ((await records.size()) !== n + 500) throw new Error("call records lost");
  return (after - before) / n;
}

const heapUsed = async () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

export async function benchGmscCalls(calls = 1500, rate = 600, limit = 100): Promise<BenchFigure[]> {
  const options = {
    t1: 500,
    logLevel: "warn" as const,
    // Annex D.1 defaults-like timers: a loaded MG is slow, not gone.
    mgcTimers: { initialRetransmitMs: 500, maxRetransmitMs: 4000, maxAttempts: 5 },
  };
  const redis = await startRedis();
  try {
    // Two rounds, memory then Redis each time, the better run of each reported: the machine is shared, and the
    // first run of a process also pays for warming up.
    let memoryRate = 0;
    let redisRate = 0;
    let subtractsPerCall = 0;
    let template: CallRecord | undefined;
    for (let round = 0; round < 2; round++) {
      const onMemory = await startGmscHarness(options);
      try {
        const mark = onMemory.mg.lines().length;
        memoryRate = Math.max(memoryRate, await callsPerSecond(onMemory, calls, rate, limit));
        // The SIP side does not wait for the MG's replies: let the last Subtracts arrive before counting.
        const subtracts = () =>
          onMemory.mg
            .lines()
            .slice(mark)
            .filter((l) => l.command === "Subtract").length;
        await onMemory.waitFor("the last Subtracts", () => subtracts() >= 2 * (calls + 20), 10_000).catch(() => 0);
        subtractsPerCall = subtracts() / (calls + 20);
        template ??= await answeredRecord(onMemory);
      } finally {
        await onMemory.close();
      }
      const onRedis = await startGmscHarness({ ...options, store: `${redis.url}/1` });
      try {
        redisRate = Math.max(redisRate, await callsPerSecond(onRedis, calls, rate, limit));
      } finally {
        await onRedis.close();
      }
    }
    if (template === undefined) throw new Error("no call record to measure");
    const perCallMemory = await memoryPerCall(
      template,
      50_000,
      new MemoryStore<CallRecord>("bench"),
      new MemoryStore<CallIndexRecord>("bench"),
      heapUsed,
    );
    const client = RedisStore.connect(`${redis.url}/2`);
    let perCallRedis: number;
    try {
      const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await client.info("memory"))?.[1]);
      perCallRedis = await memoryPerCall(
        template,
        20_000,
        new RedisStore<CallRecord>(client, "call", "bench"),
        new RedisStore<CallIndexRecord>(client, "call-index", "bench"),
        usedMemory,
      );
    } finally {
      await client.quit();
    }
    const round1 = (v: number) => Math.round(v * 10) / 10;
    return [
      {
        name: `gmsc: calls set up and cleared per second, memory store (${calls} calls, ≤${limit} at once, SIPp + megaco MG, better of 2)`,
        value: round1(memoryRate),
        unit: "calls/s",
      },
      {
        name: `gmsc: calls set up and cleared per second, Redis store (same run, same ${calls} calls, better of 2)`,
        value: round1(redisRate),
        unit: "calls/s",
      },
      {
        name: "gmsc: Subtracts the MG decoded per call in the last memory-store run",
        value: Math.round(subtractsPerCall * 100) / 100,
        unit: "Subtracts/call",
      },
      {
        name: "gmsc: memory per answered call record with its index entries, memory store (heap growth over 50,000)",
        value: Math.round(perCallMemory),
        unit: "B",
      },
      {
        name: "gmsc: memory per answered call record with its index entries, Redis (used_memory growth over 20,000)",
        value: Math.round(perCallRedis),
        unit: "B",
      },
    ];
  } finally {
    await redis.stop();
  }
}
