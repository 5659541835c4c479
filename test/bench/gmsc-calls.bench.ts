// Calls set up and cleared per second through the GMSC node with its real peers in the loop: SIPp as the preceding
// node (INVITE with SDP + ISUP IAM, ACK, BYE with REL) and as the succeeding node (180, 200, 200 OK (BYE) with RLC),
// the Erlang/OTP megaco MG answering each call's Add (two terminations) and two Subtracts. All on loopback, through
// the test harness's UDP taps, on whatever this machine shares with the bench. A figure, not an assertion.
import { startGmscHarness } from "../nodes/gmsc/gmsc-harness.ts";
import type { BenchFigure } from "./rules.bench.ts";

export async function benchGmscCalls(calls = 1500, rate = 600, limit = 100): Promise<BenchFigure[]> {
  const h = await startGmscHarness({
    t1: 500,
    logLevel: "warn",
    // Annex D.1 defaults-like timers: a loaded MG is slow, not gone.
    mgcTimers: { initialRetransmitMs: 500, maxRetransmitMs: 4000, maxAttempts: 5 },
  });
  try {
    // Warm-up: JIT, the MG's first contexts.
    const warm = await h.call({
      preceding: "gmsc-preceding-bye.xml",
      succeeding: "gmsc-succeeding-answer.xml",
      fill: { HOLD_MS: 0 },
      calls: 20,
      rate: 50,
      limit: 10,
    });
    await warm.done();
    const started = performance.now();
    const run = await h.call({
      preceding: "gmsc-preceding-bye.xml",
      succeeding: "gmsc-succeeding-answer.xml",
      fill: { HOLD_MS: 0 },
      calls,
      rate,
      limit,
      timeoutMs: 120_000,
    });
    await run.done();
    const seconds = (performance.now() - started) / 1000;
    const subtracts = run.mgCommands().filter((l) => l.command === "Subtract").length;
    return [
      {
        name: `gmsc: calls set up and cleared per second (${calls} calls, ≤${limit} at once, SIPp + megaco MG)`,
        value: Math.round((calls / seconds) * 10) / 10,
        unit: "calls/s",
      },
      {
        name: "gmsc: Subtracts the MG decoded per call in that run",
        value: Math.round((subtracts / calls) * 100) / 100,
        unit: "Subtracts/call",
      },
    ];
  } finally {
    await h.close();
  }
}
