// The benchmark's load harness checks what it claims: calls through a GMSC in its own process with SIPp and the
// megaco MG talking to it directly each leave two Adds and two Subtracts at the MG and nothing behind; the MG-side
// check names a context whose terminations were not both subtracted. No timing is asserted (that is the bench's).
import { afterAll, describe, expect, it } from "vitest";
import { metricSum } from "../../support/metrics-text.ts";
import { processCpuSeconds } from "../../support/process-cpu.ts";
import { type GmscLoad, mgProblems, startGmscLoad } from "./gmsc-load.ts";

let load: GmscLoad | undefined;
afterAll(async () => {
  await load?.close();
});

const context = (adds: string[], subtracts: string[]) => ({ adds, subtracts });

describe("GMSC load harness (bench)", () => {
  it("the MG-side check: each context two terminations added and the same two subtracted, one context per call", () => {
    const one = new Map([[1, context(["rtp/1", "rtp/2"], ["rtp/2", "rtp/1"])]]);
    const two = new Map([...one, [2, context(["rtp/3", "rtp/4"], ["rtp/3"])]]);
    expect(mgProblems(one, 1)).toEqual([]);
    expect(mgProblems(two, 2)).toEqual(["context 2: Adds rtp/3,rtp/4 Subtracts rtp/3"]);
    expect(mgProblems(one, 2)).toEqual(["1 contexts at the MG for 2 calls"]);
    expect(mgProblems(new Map([[1, context(["rtp/1", "rtp/2"], ["rtp/1", "rtp/3"])]]), 1)).toEqual([
      "context 1: Adds rtp/1,rtp/2 Subtracts rtp/1,rtp/3",
    ]);
  });

  it("a round of calls through a GMSC process: every call 2 Adds and 2 Subtracts, none failed, nothing left", async () => {
    load = await startGmscLoad();
    const r = await load.round(20, 20, 10);
    expect(r).toMatchObject({ calls: 20, adds: 40, modifies: 20, subtracts: 40, contexts: 20, problems: [] });
    // The MG's tally holds what it decoded: each call's context with the two terminations it added, both subtracted.
    const tally = await load.mg.tally(true);
    expect(tally).toMatchObject({ adds: 40, modifies: 20, subtracts: 40 });
    expect(tally.contexts?.size).toBe(20);
    for (const c of tally.contexts?.values() ?? []) {
      expect(c.adds).toHaveLength(2);
      expect([...c.subtracts].sort()).toEqual([...c.adds].sort());
    }
    // The CPU figures are the node process's own (it is not this process).
    expect(load.node.pid).not.toBe(process.pid);
    expect(r.nodeCpuSeconds).toBeGreaterThan(0);
    expect(r.nodeCpuSeconds).toBeLessThanOrEqual(processCpuSeconds(load.node.pid));
    expect(r.callSeconds).toBeGreaterThan(0);
    // sampled once a second by SIPp: a one-second round may show none at once
    expect(r.peakAtOnce).toBeGreaterThanOrEqual(0);
    expect(r.peakAtOnce).toBeLessThanOrEqual(10);
    expect(Object.keys(r.udpDrops).sort()).toEqual(["mg", "nodeMgc", "nodeSip", "sipps"]);
    // Every process kind's CPU is part of the machine's (within the tick-sampled counters' granularity).
    const { machine, nodeMainThread, ...kinds } = r.cpu;
    expect(nodeMainThread).toBeLessThanOrEqual(kinds.node + 0.02);
    // The collector's pauses, from the node's /metrics (a round this short may have none): within its main thread's.
    expect(r.gcPauseSeconds).toBeGreaterThanOrEqual(0);
    expect(r.gcPauseSeconds).toBeLessThanOrEqual(nodeMainThread + 0.02);
    // …read from the node's totals, which its start alone makes more than none.
    const exposition = (await load.node.admin("GET", "/metrics")).text;
    expect(metricSum(exposition, 'cleardown_gc_pauses_total{kind="minor"}')).toBeGreaterThan(0);
    expect(metricSum(exposition, "cleardown_gc_pause_seconds_total")).toBeGreaterThan(0);
    expect(kinds.mg).toBeGreaterThan(0);
    expect(kinds.sipp).toBeGreaterThan(0);
    expect(Object.values(kinds).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(machine + 0.1);
  });
});
