// Issue 20 item 3: the S-CSCF on a Redis Cluster (three masters, a replica each, made by redis-cli --cluster
// create). SIPp UEs set up dialogs through node A; their records spread over the hash slots of every master; node B,
// which learnt none of them, lists them across the masters and releases them all: one BYE per UE per dialog,
// counted at SIPp. Records of one call share a slot (the key is a hash tag of the Call-ID).
import type { Cluster } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisStore } from "../../../src/store/redis-store.ts";
import { type ClusterSetup, redisCli, startCluster, storedKeys } from "../../support/redis-topology.ts";
import { loadRun } from "./scscf-load.ts";

const C = "24.229:5.4.5.1.2";
const DIALOGS = 200;

let cluster: ClusterSetup;
beforeAll(async () => {
  cluster = await startCluster();
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
});

const dialogKeys = (port: number) => storedKeys(port, "dialog");

describe("S-CSCF on a six-node Redis Cluster (SIPp UEs)", () => {
  it("a call's records of every kind lie in one hash slot, on one master", async () => {
    const connection = RedisStore.connect(cluster.url) as Cluster;
    try {
      const dialogs = new RedisStore<{ n: number }>(connection, "dialog", "node-a");
      const releases = new RedisStore<{ n: number }>(connection, "release", "node-a");
      await dialogs.update("abc@host", () => ({ n: 1 }));
      await releases.update("abc@host", () => ({ n: 2 }));
      const slot = Number(await redisCli(cluster.nodes[0].port, "cluster", "keyslot", "cleardown:dialog:{abc@host}"));
      expect(Number(await redisCli(cluster.nodes[0].port, "cluster", "keyslot", "cleardown:release:{abc@host}"))).toBe(
        slot,
      );
      expect(await dialogs.keys()).toEqual(["abc@host"]);
      expect((await releases.get("abc@host"))?.value).toEqual({ n: 2 });
      await dialogs.delete("abc@host");
      await releases.delete("abc@host");
    } finally {
      await connection.quit();
    }
  });

  it(`${C}/1 ${C}/2 ${C}/closing ${DIALOGS} dialogs set up through node A spread over the masters; node B releases them all: one BYE per UE per dialog`, async () => {
    const masters = await cluster.masterPorts();
    expect(masters).toHaveLength(3);
    let perMaster: number[] = [];
    const r = await loadRun({
      dialogs: DIALOGS,
      store: cluster.url,
      releaseThrough: "other-node",
      aroundRelease: async () => {
        perMaster = await Promise.all(masters.map(dialogKeys));
        return async () => {};
      },
    });
    // Every master holds some of them (not all on one), and together all.
    expect(perMaster.filter((n) => n > 0).length).toBeGreaterThan(1);
    expect(perMaster.reduce((a, b) => a + b, 0)).toBe(DIALOGS);
    // B (releaseThrough: other-node) started every release (loadRun checks it) and SIPp counts one BYE per UE.
    // One object, so a failure shows every figure of the run (retransmissions, failures, timings) at once.
    expect({ ...r, rounds: undefined }).toMatchObject({
      callerSuccessful: DIALOGS,
      calleeSuccessful: DIALOGS,
      failed: 0,
      completed: DIALOGS,
      releaseFailures: 0,
      recordsLeft: 0,
    });
    for (const port of masters) expect(await dialogKeys(port)).toBe(0);
  }, 240_000);
});
