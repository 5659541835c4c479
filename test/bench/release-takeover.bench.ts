// Issue 20 item 6: the release-takeover time (x-24.229:5.4.5.1.2/release-takeover). SIPp holds N dialogs through
// S-CSCF A on a redis-server shared with B; a bulk release starts on A, A is SIGKILLed with half of the releases
// waiting for the called UE's answer, and B takes them over: the time from A's death until the last of them is
// released (its last BYE answered at B). It is bounded below by the lease (a lapsed lease is what B waits for) plus
// at most a sweep of the dialogs. Figures for bench-results.json, never assertions.
import { takeoverRun } from "../nodes/scscf/release-takeover-run.ts";
import { startRedis } from "../support/redis-server.ts";
import { raiseSocketBufferCaps } from "../support/socket-buffers.ts";
import type { BenchFigure } from "./rules.bench.ts";

const DIALOGS = 400;
const LEASE_MS = 2000;

export async function benchReleaseTakeover(): Promise<BenchFigure[]> {
  raiseSocketBufferCaps();
  const redis = await startRedis();
  try {
    const r = await takeoverRun(redis.url, DIALOGS, LEASE_MS);
    const f = (name: string, value: number, unit: string): BenchFigure => ({
      name: `release takeover: ${name}`,
      value,
      unit,
    });
    return [
      f(
        `time from the owner's death to the last BYE answered by B (lease ${LEASE_MS} ms)`,
        Number(r.takeoverSeconds.toFixed(3)),
        "s",
      ),
      f(`releases taken over (of ${r.dialogs} dialogs)`, r.takenOverByB, "releases"),
      f("time beyond the lease", Number((r.takeoverSeconds - LEASE_MS / 1000).toFixed(3)), "s"),
      f(
        "SIPp calls (both UEs) left without their BYE",
        2 * r.dialogs - r.callerSuccessful - r.calleeSuccessful,
        "calls",
      ),
      f("duplicate BYEs (481 at the calling UE, unanswered at the called UE)", r.duplicates, "BYEs"),
    ];
  } finally {
    await redis.stop();
  }
}
