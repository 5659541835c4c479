// Issue 20 item 3: a Redis with an append-only file (appendfsync always) killed with SIGKILL and restarted on the
// same directory loses no confirmed dialog. SIPp UEs hold the dialogs through the S-CSCF; Redis dies and comes
// back; every dialog is still in Redis and listed by the node, and one bulk release gives each UE its BYE
// (counted at SIPp).
import { afterAll, describe, expect, it } from "vitest";
import { type RedisProcess, redisCli, startServer, storedKeys } from "../../support/redis-topology.ts";
import { loadRun } from "./scscf-load.ts";

const C = "24.229:5.4.5.1.2";
const DIALOGS = 200;

let redis: RedisProcess | undefined;
afterAll(async () => {
  await redis?.kill();
});

const dialogKeys = (port: number) => storedKeys(port, "dialog");

describe("S-CSCF on an AOF Redis killed with SIGKILL and restarted (SIPp UEs)", () => {
  it(`${C}/1 ${C}/2 ${C}/closing ${DIALOGS} confirmed dialogs survive kill -9 and restart of redis-server (appendonly yes, appendfsync always): all listed, all released, one BYE per UE per dialog`, async () => {
    redis = await startServer({ aof: "always" });
    const { port, dir } = redis;
    expect(await redisCli(port, "config", "get", "appendfsync")).toContain("always");
    const r = await loadRun({
      dialogs: DIALOGS,
      store: `redis://127.0.0.1:${port}`,
      aroundRelease: async (releaser) => {
        expect(await dialogKeys(port)).toBe(DIALOGS);
        const killed = redis;
        await killed?.kill();
        // Same port and directory: the node's connection comes back by itself, onto what the file held.
        redis = await startServer({ port, dir, aof: "always" });
        expect(redis.pid).not.toBe(killed?.pid);
        expect(await dialogKeys(port)).toBe(DIALOGS);
        // The node reconnects by itself (issue 20 item 2: it refuses work while it has no store); the operator's
        // release comes once the node counts the dialogs again.
        expect(await countWhenBack(releaser)).toBe(DIALOGS);
        return async () => {};
      },
    });
    // The bulk release (sent after the restart) started all of them (loadRun checks it), and SIPp counts, per
    // call, exactly one BYE received and answered by each UE.
    // One object, so a failure shows every figure of the run (retransmissions, failures, timings) at once.
    expect({ ...r, rounds: undefined }).toMatchObject({
      callerSuccessful: DIALOGS,
      calleeSuccessful: DIALOGS,
      failed: 0,
      completed: DIALOGS,
      releaseFailures: 0,
      recordsLeft: 0,
    });
    expect(await dialogKeys(port)).toBe(0);
  }, 240_000);
});

/** The node's count of dialogs once its store connection is back (bounded: 10 s). */
async function countWhenBack(node: { count(): Promise<number> }): Promise<number> {
  const until = Date.now() + 10_000;
  for (;;) {
    try {
      return await node.count();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
