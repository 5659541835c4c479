// Issue 20 item 3: the S-CSCF on a Sentinel-monitored Redis (a master, two replicas, three sentinels, quorum 2),
// store URL redis-sentinel://…/NAME?wait=1: every write is held by a replica before the node acts on it. SIPp UEs
// hold dialogs set up through the node; the master is killed with SIGKILL the moment the last is confirmed; the
// sentinels promote a replica, the node follows them, every confirmed dialog is on the new master, and one bulk
// release gives each UE its BYE (counted at SIPp). A write no replica holds is refused, not confirmed.
import { afterEach, describe, expect, it } from "vitest";
import { RedisStore, StoreRecordError } from "../../../src/store/redis-store.ts";
import { redisCli, type SentinelSetup, startSentinelSetup, storedKeys, until } from "../../support/redis-topology.ts";
import { loadRun } from "./scscf-load.ts";

const C = "24.229:5.4.5.1.2";
const DIALOGS = 200;

let setup: SentinelSetup | undefined;
afterEach(async () => {
  await setup?.stop();
  setup = undefined;
});

const dialogKeys = (port: number) => storedKeys(port, "dialog");

describe("S-CSCF on Redis with Sentinel: the master killed while UEs hold dialogs (SIPp)", () => {
  it(`${C}/1 ${C}/2 ${C}/closing ${DIALOGS} confirmed dialogs survive the master's SIGKILL and the failover: all on the new master, all released, one BYE per UE per dialog`, async () => {
    setup = await startSentinelSetup(2);
    const s = setup;
    const oldMaster = s.master.port;
    let promoted = 0;
    const r = await loadRun({
      dialogs: DIALOGS,
      store: `${s.url}?wait=1`,
      aroundRelease: async (node) => {
        await s.master.kill();
        await until(async () => (await s.masterPort()) !== oldMaster, "the sentinels promoting a replica");
        promoted = await s.masterPort();
        expect(s.replicas.map((p) => p.port)).toContain(promoted);
        // The other replica follows the new master (the node's writes wait for one replica).
        await until(
          async () => (await redisCli(promoted, "info", "replication")).includes("connected_slaves:1"),
          "the remaining replica following the new master",
        );
        expect(await dialogKeys(promoted)).toBe(DIALOGS);
        // The node has followed the sentinels to the new master.
        let listed = -1;
        await until(
          async () => {
            listed = await node.count();
            return listed === DIALOGS;
          },
          () => `the node listing every dialog again (last listed: ${listed === -1 ? "none" : listed})`,
        );
        return async () => {};
      },
    });
    expect(promoted).not.toBe(oldMaster);
    // One object, so a failure shows every figure of the run (retransmissions, failures, timings) at once.
    expect({ ...r, rounds: undefined }).toMatchObject({
      callerSuccessful: DIALOGS,
      calleeSuccessful: DIALOGS,
      failed: 0,
      completed: DIALOGS,
      releaseFailures: 0,
      recordsLeft: 0,
    });
    expect(await dialogKeys(promoted)).toBe(0);
  }, 240_000);

  it("with wait=1, a write or delete no replica acknowledges in time fails (the record is not confirmed); with the replica back, writes go on", async () => {
    setup = await startSentinelSetup(1);
    const [replica] = setup.replicas;
    const connection = RedisStore.connect(`${setup.url}?wait=1&waitTimeout=300`);
    try {
      const plain = new RedisStore<{ n: number }>(connection, "probe", "node-a");
      await plain.update("k", () => ({ n: 1 }));
      // The replica stops (SIGSTOP, its own PID): the master cannot have a write held by it.
      process.kill(replica.pid, "SIGSTOP");
      try {
        await expect(plain.update("k", () => ({ n: 2 }))).rejects.toThrow(StoreRecordError);
        await expect(plain.update("k", () => ({ n: 3 }))).rejects.toThrow(
          /cleardown:probe:\{k\}: written, but held by 0 of 1 replicas after 300 ms \(wait=1\)/,
        );
        // A delete too: a release's end must not come back with a failover.
        await plain.update("gone", () => ({ n: 0 })).catch(() => undefined);
        await expect(plain.delete("gone")).rejects.toThrow(/cleardown:probe:\{gone\}: written, but held by 0 of 1/);
        // And a put (a plain SET, answered "OK").
        await expect(plain.put("put", { n: 4 })).rejects.toThrow(
          /cleardown:probe:\{put\}: written, but held by 0 of 1/,
        );
      } finally {
        process.kill(replica.pid, "SIGCONT");
      }
      // The refused writes are on the master all the same (WAIT does not undo): the caller treated them as failed.
      await plain.update("k", (v) => v && { n: v.n + 10 });
      expect((await plain.get("k"))?.value).toEqual({ n: 13 });
    } finally {
      await connection.quit();
    }
  }, 120_000);
});
