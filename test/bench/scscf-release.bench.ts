// S-CSCF figures: end-to-end releases per second (SIPp establishes N dialogs through the node, one bulk release
// ends them, timed until the last of the 2N BYEs is answered and every record is gone), the exactly-once count
// from the SIPp side, and memory per tracked dialog (heap growth over 100,000 dialogs learnt from real messages).
// Figures for bench-results.json, never assertions.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { DialogRecord } from "../../generated/types/index.ts";
import { DialogRecords } from "../../src/nodes/scscf/dialog-records.ts";
import { confirmedDialog, earlyDialog } from "../../src/nodes/scscf/dialog-tracking.ts";
import { contacts, cseqOf, headerValue, recordRoutes } from "../../src/sip/header-access.ts";
import { formatNameAddr } from "../../src/sip/name-addr.ts";
import { parseMessage } from "../../src/sip/parse-message.ts";
import { formatUri } from "../../src/sip/uri.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import { RedisStore } from "../../src/store/redis-store.ts";
import type { Store } from "../../src/store/store.ts";
import { type LoadResult, loadRun } from "../nodes/scscf/scscf-load.ts";
import { startRedis } from "../support/redis-server.ts";
import { raiseSocketBufferCaps } from "../support/socket-buffers.ts";
import type { BenchFigure } from "./rules.bench.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Profiles this process (CLEARDOWN_BENCH_PROFILE=path): the returned function stops and writes the profile. */
async function startProfile(): Promise<(file: string) => Promise<void>> {
  const { Session } = await import("node:inspector/promises");
  const { writeFileSync } = await import("node:fs");
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  return async (file) => {
    const { profile } = await session.post("Profiler.stop");
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

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

export async function benchScscfRelease(): Promise<BenchFigure[]> {
  const rmemMax = raiseSocketBufferCaps();
  const profile = process.env.CLEARDOWN_BENCH_PROFILE;
  const aroundRelease = profile
    ? async () => {
        const stop = await startProfile();
        return (label: string) => stop(`${profile}.${label}.cpuprofile`);
      }
    : undefined;
  await loadRun({ dialogs: 200 }); // warm-up: JIT, sockets
  const r = await loadRun({ dialogs: 1000, aroundRelease });
  const big = await loadRun({ dialogs: 10_000 });
  const perDialog = await memoryPerDialog(100_000);
  const redis = await startRedis();
  let onRedis: LoadResult;
  let perDialogRedis: number;
  try {
    onRedis = await loadRun({ dialogs: 1000, store: `${redis.url}/1` });
    const client = RedisStore.connect(`${redis.url}/2`);
    const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await client.info("memory"))?.[1]);
    perDialogRedis = await memoryPerDialog(20_000, new RedisStore<DialogRecord>(client, "dialog", "bench"), usedMemory);
    await client.quit();
  } finally {
    await redis.stop();
  }
  return [
    { name: "scscf: kernel socket receive buffer cap during the runs (net.core.rmem_max)", value: rmemMax, unit: "B" },
    {
      name: "scscf: dialogs released per second (SIPp 1,000 dialogs, one bulk release, until the last of 2,000 BYEs is answered)",
      value: Math.round(r.dialogs / r.seconds),
      unit: "dialogs/s",
    },
    { name: "scscf: bulk release of 1,000 dialogs, time", value: Math.round(r.seconds * 1000), unit: "ms" },
    {
      name: "scscf: 1,000-dialog run, SIPp calls with exactly one BYE each side",
      value: Math.min(r.callerSuccessful, r.calleeSuccessful),
      unit: "calls",
    },
    { name: "scscf: 1,000-dialog run, SIPp calls failed (missing or duplicate BYE)", value: r.failed, unit: "calls" },
    { name: "scscf: 1,000-dialog run, dialog records left after the release", value: r.recordsLeft, unit: "records" },
    {
      name: "scscf: memory per tracked dialog (heap growth over 100,000, memory store)",
      value: Math.round(perDialog),
      unit: "B",
    },
    {
      name: "scscf: 10,000 dialogs, bulk release until the last of 20,000 BYEs is answered",
      value: Math.round(big.seconds * 1000),
      unit: "ms",
    },
    {
      name: "scscf: 10,000-dialog run, dialogs released per second",
      value: Math.round(big.dialogs / big.seconds),
      unit: "dialogs/s",
    },
    {
      name: "scscf: 10,000-dialog run, peak RSS of the node's process",
      value: Math.round(big.peakRssMiB),
      unit: "MiB",
    },
    { name: "scscf: 10,000-dialog run, peak heap", value: Math.round(big.peakHeapMiB), unit: "MiB" },
    {
      name: "scscf: 10,000-dialog run, SIPp calls with exactly one BYE each side",
      value: Math.min(big.callerSuccessful, big.calleeSuccessful),
      unit: "calls",
    },
    {
      name: "scscf: 10,000-dialog run, SIPp calls failed (missing or duplicate BYE)",
      value: big.failed,
      unit: "calls",
    },
    { name: "scscf: 10,000-dialog run, dialog records left", value: big.recordsLeft, unit: "records" },
    {
      name: "scscf: dialogs released per second, Redis store (1,000 dialogs, same run)",
      value: Math.round(onRedis.dialogs / onRedis.seconds),
      unit: "dialogs/s",
    },
    {
      name: "scscf: memory per dialog record in Redis (used_memory growth over 20,000)",
      value: Math.round(perDialogRedis),
      unit: "B",
    },
  ];
}
