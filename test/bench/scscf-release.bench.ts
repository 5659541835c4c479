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
import { loadRun } from "../nodes/scscf/scscf-load.ts";
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

/** Heap growth per dialog: `n` dialogs learnt from a parsed INVITE and 200 OK, each with its own strings. */
export async function memoryPerDialog(n: number): Promise<number> {
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
  const dialogs = new DialogRecords(new MemoryStore<DialogRecord>("bench"));
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
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 1000; i < 1000 + n; i++) await learn(i);
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  if ((await dialogs.size()) !== n + 1000) throw new Error("dialogs lost");
  return (after - before) / n;
}

export async function benchScscfRelease(): Promise<BenchFigure[]> {
  const profile = process.env.CLEARDOWN_BENCH_PROFILE;
  const aroundRelease = profile
    ? async () => {
        const stop = await startProfile();
        return (label: string) => stop(`${profile}.${label}.cpuprofile`);
      }
    : undefined;
  await loadRun({ dialogs: 200 }); // warm-up: JIT, sockets
  const r = await loadRun({ dialogs: 1000, aroundRelease });
  const perDialog = await memoryPerDialog(100_000);
  return [
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
  ];
}
