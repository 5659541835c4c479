import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { DialogRecord } from "../../generated/types/index.ts";
import { DialogRecords } from "../../src/nodes/scscf/dialog-records.ts";
import { confirmedDialog, earlyDialog } from "../../src/nodes/scscf/dialog-tracking.ts";
import { contacts, cseqOf, headerValue, recordRoutes } from "../../src/sip/messages/header-access.ts";
import { formatNameAddr } from "../../src/sip/messages/name-addr.ts";
import { parseMessage } from "../../src/sip/messages/parse-message.ts";
import { formatUri } from "../../src/sip/messages/uri.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import { RedisStore } from "../../src/store/redis-store.ts";
import type { Store } from "../../src/store/store.ts";
import { alternatingRounds, type LoadResult, loadRun } from "../nodes/scscf/scscf-load.ts";
import { startRedis } from "../support/redis-server.ts";
import { buildDeployed } from "../support/serve-process.ts";
import { raiseSocketBufferCaps } from "../support/socket-buffers.ts";
import type { BenchFigure } from "./rules.bench.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/**
 * Memory per dialog: `n` dialogs learnt from a parsed INVITE and 200 OK (each with its own strings) into a store;
 * `used` reads the memory that store uses (the heap for the memory store, used_memory for Redis).
 */
export async function memoryPerDialog(
  n: number,
  store: Store<DialogRecord> = new MemoryStore<DialogRecord>("bench"),
  used: () => Promise<number> = async () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  },
): Promise<number> {
  const invite = (i: number) =>
    [
      `INVITE sip:bob@192.0.2.4:5070 SIP/2.0`,
      `Via: SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bK-${i};rport`,
      `Max-Forwards: 69`,
      `Record-Route: <sip:scscf.home1.net:5060;lr>`,
      `Record-Route: <sip:pcscf1.home1.net:7531;lr>`,
      `From: <sip:alice@home1.net>;tag=${1e9 + i}`,
      `To: <sip:bob@home2.net>`,
      `Call-ID: ${i}-a84b4c76e66710@pc33.home1.net`,
      `CSeq: 101 INVITE`,
      `Contact: <sip:alice@198.51.100.7:5062>`,
      `Content-Length: 0`,
      ``,
      ``,
    ].join("\r\n");
  const ok = (i: number) =>
    [
      `SIP/2.0 200 OK`,
      `Via: SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bK-${i};rport`,
      `Record-Route: <sip:icscf.home2.net;lr>`,
      `Record-Route: <sip:scscf.home1.net:5060;lr>`,
      `Record-Route: <sip:pcscf1.home1.net:7531;lr>`,
      `From: <sip:alice@home1.net>;tag=${1e9 + i}`,
      `To: <sip:bob@home2.net>;tag=${2e9 + i}`,
      `Call-ID: ${i}-a84b4c76e66710@pc33.home1.net`,
      `CSeq: 101 INVITE`,
      `Contact: <sip:bob@192.0.2.4:5070>`,
      `Content-Length: 0`,
      ``,
      ``,
    ].join("\r\n");
  const isOwn = (v: string) => v.includes("scscf.home1.net");
  const dialogs = new DialogRecords(store);
  const learn = async (i: number) => {
    const inv = parseMessage(invite(i));
    const res = parseMessage(ok(i));
    if (!inv.ok || !res.ok) throw new Error("bench messages must parse");
    const m = inv.message;
    const c = contacts(m);
    const early = earlyDialog(
      {
        callId: headerValue(m, "Call-ID")!,
        from: headerValue(m, "From")!,
        to: headerValue(m, "To")!,
        contact: c !== "*" ? formatUri(c[0].uri) : "",
        cseq: cseqOf(m)!.seq,
        recordRoute: recordRoutes(m).map(formatNameAddr),
        servedUser: "calling",
      },
      isOwn,
    );
    await dialogs.createEarly(early);
    const r = res.message;
    const rc = contacts(r);
    await dialogs.updateDialog(early.callId, (d) =>
      confirmedDialog(
        d,
        {
          to: headerValue(r, "To")!,
          contact: rc !== "*" ? formatUri(rc[0].uri) : "",
          recordRoute: recordRoutes(r).map(formatNameAddr),
        },
        isOwn,
      ),
    );
  };
  for (let i = 0; i < 1000; i++) await learn(i); // warm up, then measure from a settled heap
  const before = await used();
  const batch = 256;
  for (let i = 1000; i < 1000 + n; i += batch)
    await Promise.all(Array.from({ length: Math.min(batch, 1000 + n - i) }, (_, k) => learn(i + k)));
  const after = await used();
  if ((await dialogs.size()) !== n + 1000) throw new Error("dialogs lost");
  return (after - before) / n;
}

/** The node as deployed (README, "Deploying the nodes"): the bundle, with the service unit's Node.js options. */
const deployed = { node: "dist" as const, nodeArgs: ["--max-semi-space-size=32"] };

const median = (xs: number[]) => {
  const a = [...xs].sort((x, y) => x - y);
  return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
};

/** Rounds after the first two (a node runs warm): their rates, and the calls counted at SIPp across all. */
function summary(r: LoadResult) {
  const warm = r.rounds.slice(2);
  const rates = warm.map((x) => x.dialogs / x.seconds);
  return {
    median: median(rates),
    min: Math.min(...rates),
    max: Math.max(...rates),
    medianMs: median(warm.map((x) => x.seconds * 1000)),
    exactlyOnce: r.rounds.reduce((n, x) => n + Math.min(x.callerSuccessful, x.calleeSuccessful), 0),
    failed: r.rounds.reduce((n, x) => n + x.failed, 0),
    left: r.rounds.reduce((n, x) => n + x.recordsLeft, 0),
    retransmissions: r.rounds.reduce((n, x) => n + x.retransmissions, 0),
    peakRssMiB: Math.max(...r.rounds.map((x) => x.peakRssMiB)),
  };
}

/** Warm rounds of each store in the alternating comparison (after 2 to warm up). */
const alternatingWarmRounds = 12;
/**
 * The same comparison with bulk releases of 3,000 dialogs: a round of 1,000 lasts some 150 ms, where one collection
 * or a moment of the shared machine's weighs much; and a larger release has more of them under way at once.
 */
const largeDialogs = 3000;
const largeLabel = largeDialogs.toLocaleString("en");
const largeWarmRounds = 6;

export async function benchScscfRelease(): Promise<BenchFigure[]> {
  const rmemMax = raiseSocketBufferCaps();
  buildDeployed();
  const one = summary(await loadRun({ dialogs: 1000, rounds: 14, ...deployed }));
  const big = summary(await loadRun({ dialogs: 10_000, rounds: 3, ...deployed }));
  const perDialog = await memoryPerDialog(100_000);
  const redis = await startRedis();
  let alternating: { memory: LoadResult[]; redis: LoadResult[] };
  let large: { memory: LoadResult[]; redis: LoadResult[] };
  let perDialogRedis: number;
  try {
    // A node on each store, started once, their rounds alternating (memory, Redis, memory, …): the share compares
    // the same stretch of time (the machine's pace wanders), over more warm rounds than a node started per run.
    const [memory = [], redisRounds = []] = await alternatingRounds(
      { dialogs: 1000, ...deployed },
      [undefined, `${redis.url}/1`],
      2 + alternatingWarmRounds,
    );
    alternating = { memory, redis: redisRounds };
    const [largeMemory = [], largeRedis = []] = await alternatingRounds(
      { dialogs: largeDialogs, ...deployed },
      [undefined, `${redis.url}/2`],
      2 + largeWarmRounds,
    );
    large = { memory: largeMemory, redis: largeRedis };
    const client = RedisStore.connect(`${redis.url}/9`);
    const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await client.info("memory"))?.[1]);
    perDialogRedis = await memoryPerDialog(20_000, new RedisStore<DialogRecord>(client, "dialog", "bench"), usedMemory);
    await client.quit();
  } finally {
    await redis.stop();
  }
  const warmRounds = (runs: LoadResult[]) => runs.slice(2);
  const rateOf = (runs: LoadResult[]) => median(warmRounds(runs).map((x) => x.dialogs / x.seconds));
  /** A round's seconds of something, in µs per release: the median over the warm rounds. */
  const perRelease = (runs: LoadResult[], of: (x: LoadResult) => number) =>
    median(warmRounds(runs).map((x) => (of(x) * 1e6) / x.dialogs));
  const cpuPerRelease = (runs: LoadResult[]) => perRelease(runs, (x) => x.nodeCpuSeconds);
  const mainThreadPerRelease = (runs: LoadResult[]) => perRelease(runs, (x) => x.mainThreadSeconds ?? 0);
  const gcPausePerRelease = (runs: LoadResult[]) => perRelease(runs, (x) => x.gcPauseSeconds);
  const failedOf = (runs: LoadResult[]) => runs.reduce((n, x) => n + x.failed + x.recordsLeft, 0);
  const f = (name: string, value: number, unit: string, decimals = 0): BenchFigure => ({
    name: `scscf: ${name}`,
    value: Math.round(value * 10 ** decimals) / 10 ** decimals,
    unit,
  });
  return [
    f("kernel socket receive buffer cap during the runs (net.core.rmem_max)", rmemMax, "B"),
    f(
      "dialogs released per second, median of 12 warm rounds (SIPp sets up 1,000 dialogs, one bulk release, until the last of 2,000 BYEs is answered; dist bundle)",
      one.median,
      "dialogs/s",
    ),
    f("  the same, slowest warm round", one.min, "dialogs/s"),
    f("  the same, fastest warm round", one.max, "dialogs/s"),
    f("bulk release of 1,000 dialogs, median time", one.medianMs, "ms"),
    f("1,000-dialog rounds: SIPp calls with exactly one BYE each side (of 14,000)", one.exactlyOnce, "calls"),
    f("1,000-dialog rounds: SIPp calls failed (missing or duplicate BYE)", one.failed, "calls"),
    f("1,000-dialog rounds: dialog records left after the releases", one.left, "records"),
    f("1,000-dialog rounds: BYE retransmissions", one.retransmissions, "retransmissions"),
    f("memory per tracked dialog (heap growth over 100,000, memory store)", perDialog, "B"),
    f(
      "10,000 dialogs: bulk release until the last of 20,000 BYEs is answered (median of warm rounds)",
      big.medianMs,
      "ms",
    ),
    f("10,000 dialogs: dialogs released per second", big.median, "dialogs/s"),
    f("10,000 dialogs: peak RSS of the node's process", big.peakRssMiB, "MiB"),
    f("10,000 dialogs: SIPp calls with exactly one BYE each side (of 30,000)", big.exactlyOnce, "calls"),
    f("10,000 dialogs: SIPp calls failed (missing or duplicate BYE)", big.failed, "calls"),
    f("10,000 dialogs: dialog records left", big.left, "records"),
    f(
      `dialogs released per second, Redis store (1,000 dialogs; a node on each store, their rounds alternating, median of ${alternatingWarmRounds} warm rounds)`,
      rateOf(alternating.redis),
      "dialogs/s",
    ),
    f("  the same, memory store, its rounds alternating with Redis's", rateOf(alternating.memory), "dialogs/s"),
    // One decimal: 79.6 is short of 80, and must not print as 80.
    f(
      "Redis rate as a share of the memory store's (alternating rounds; target ≥ 80)",
      (100 * rateOf(alternating.redis)) / rateOf(alternating.memory),
      "%",
      1,
    ),
    f("node CPU per release, memory store (alternating rounds, median)", cpuPerRelease(alternating.memory), "µs"),
    f("node CPU per release, Redis store (alternating rounds, median)", cpuPerRelease(alternating.redis), "µs"),
    f(
      "  of which the node's main thread, memory store (/proc/PID/task/PID/schedstat, median)",
      mainThreadPerRelease(alternating.memory),
      "µs",
    ),
    f("  of which the node's main thread, Redis store", mainThreadPerRelease(alternating.redis), "µs"),
    f(
      "  of which paused by the collector, memory store (the node's cleardown_gc_pause_seconds_total, median)",
      gcPausePerRelease(alternating.memory),
      "µs",
    ),
    f("  of which paused by the collector, Redis store", gcPausePerRelease(alternating.redis), "µs"),
    f(
      "alternating rounds: SIPp calls failed plus dialog records left, both stores",
      failedOf([...alternating.memory, ...alternating.redis]),
      "calls and records",
    ),
    f(
      `dialogs released per second, Redis store (${largeLabel} dialogs a round; the nodes' rounds alternating, median of ${largeWarmRounds} warm rounds)`,
      rateOf(large.redis),
      "dialogs/s",
    ),
    f(`  the same, memory store (${largeLabel} dialogs a round)`, rateOf(large.memory), "dialogs/s"),
    f(
      `Redis rate as a share of the memory store's (${largeLabel} dialogs a round, alternating)`,
      (100 * rateOf(large.redis)) / rateOf(large.memory),
      "%",
      1,
    ),
    f(
      `  node's main thread per release, memory store (${largeLabel} dialogs a round)`,
      mainThreadPerRelease(large.memory),
      "µs",
    ),
    f(
      `  node's main thread per release, Redis store (${largeLabel} dialogs a round)`,
      mainThreadPerRelease(large.redis),
      "µs",
    ),
    f(
      `${largeLabel}-dialog alternating rounds: SIPp calls failed plus dialog records left, both stores`,
      failedOf([...large.memory, ...large.redis]),
      "calls and records",
    ),
    f("memory per dialog record in Redis (used_memory growth over 20,000)", perDialogRedis, "B"),
  ];
}
