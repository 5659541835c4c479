// The benchmark's load harness checks what it claims: calls through a GMSC in its own process with SIPp and the
// megaco MG talking to it directly each leave two Adds and two Subtracts at the MG and nothing behind; the MG-side
// check names a context whose terminations were not both subtracted. No timing is asserted (that is the bench's).
import { afterAll, describe, expect, it } from "vitest";
import type { MgLine } from "../../peers/megaco/mg.ts";
import { contextsOf, type GmscLoad, mgProblems, processCpuSeconds, startGmscLoad } from "./gmsc-load.ts";

let load: GmscLoad | undefined;
afterAll(async () => {
  await load?.close();
});

const command = (command: string, contextId: number, terminationId: string): MgLine => ({
  event: "command",
  command,
  contextId,
  terminationIds: [terminationId],
});

describe("GMSC load harness (bench)", () => {
  it("the MG-side check: each context two terminations added and the same two subtracted, one context per call", () => {
    const lines = [
      command("Add", 1, "rtp/1"),
      command("Add", 1, "rtp/2"),
      command("Subtract", 1, "rtp/1"),
      command("Subtract", 1, "rtp/2"),
      command("Add", 2, "rtp/3"),
      command("Add", 2, "rtp/4"),
      command("Subtract", 2, "rtp/3"),
    ];
    expect(mgProblems(contextsOf(lines.slice(0, 4)), 1)).toEqual([]);
    expect(mgProblems(contextsOf(lines), 2)).toEqual(["context 2: Adds rtp/3,rtp/4 Subtracts rtp/3"]);
    expect(mgProblems(contextsOf(lines.slice(0, 4)), 2)).toEqual(["1 contexts at the MG for 2 calls"]);
  });

  it("a round of calls through a GMSC process: every call 2 Adds and 2 Subtracts, none failed, nothing left", async () => {
    load = await startGmscLoad();
    const r = await load.round(20, 20, 10);
    expect(r).toMatchObject({ calls: 20, adds: 40, subtracts: 40, contexts: 20, problems: [] });
    // The CPU figures are the node process's own (it is not this process).
    expect(load.node.pid).not.toBe(process.pid);
    expect(r.nodeCpuSeconds).toBeGreaterThan(0);
    expect(r.nodeCpuSeconds).toBeLessThanOrEqual(processCpuSeconds(load.node.pid));
  });
});
