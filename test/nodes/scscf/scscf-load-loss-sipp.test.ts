// Exactly-once dual release under load, and releases through loss. SIPp sets up the dialogs and counts, per
// call, the one BYE each UE must get (a second BYE would fail the call; a missing one times it out). Counts and
// outcomes are asserted; speed is the benchmark's business.
import { describe, expect, it } from "vitest";
import { loadRun } from "./scscf-load.ts";

const C = "24.229:5.4.5.1.2";

describe("S-CSCF under load and loss (SIPp)", () => {
  it(`${C}/1 ${C}/2 ${C}/closing 1,000 dialogs, one bulk release: 2,000 BYEs sent and answered, exactly one per UE per dialog, every record gone`, async () => {
    const r = await loadRun({ dialogs: 1000 });
    expect(r.callerSuccessful).toBe(1000);
    expect(r.calleeSuccessful).toBe(1000);
    expect(r.failed).toBe(0);
    expect(r.recordsLeft).toBe(0);
    expect(r.completed).toBe(1000);
    expect(r.releaseFailures).toBe(0);
  }, 180_000);

  it(`${C}/closing x-24.229:5.4.5.1.2/bye-failure 20 % UDP loss on both UEs' paths during the release: every release completes by retransmission (2xx to both BYEs, no Timer F), state empty`, async () => {
    // T1 = 100 ms: Timer E 100, 200, 400, 400 … ms; Timer F = 6.4 s.
    const r = await loadRun({
      dialogs: 50,
      loss: { rate: 0.2, seed: 20261201 },
      timers: { t1: 100, t2: 400, t4: 500 },
    });
    expect(r.dropped).toBeGreaterThan(50);
    expect(r.retransmissions).toBeGreaterThan(0);
    expect(r.callerSuccessful).toBe(50);
    expect(r.calleeSuccessful).toBe(50);
    expect(r.failed).toBe(0);
    expect(r.completed).toBe(50);
    // A BYE that ran out of Timer F would have ended its release through the failure extension instead.
    expect(r.releaseFailures).toBe(0);
    expect(r.recordsLeft).toBe(0);
  }, 180_000);
});
