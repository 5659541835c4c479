// The bulk release's bookkeeping: a dialog whose release did not start (gone meanwhile, or already under way)
// leaves no wait queued behind it; one that started is waited for until it ends; no more than the window run at
// once; a release that fails fails the bulk release without leaving a wait behind.
import { describe, expect, it } from "vitest";
import type { DialogRecords } from "../../../src/nodes/scscf/dialog-records.ts";
import { ReleaseWaiters } from "../../../src/nodes/scscf/release-waiters.ts";
import type { ScscfReleases } from "../../../src/nodes/scscf/releases.ts";
import { bulkRelease } from "../../../src/nodes/scscf/scscf-admin.ts";

/** A stand-in for ScscfReleases: each started release ends after `ms`; the peak of those under way is kept. */
function fakeReleases(ms: number) {
  const waiters = new ReleaseWaiters();
  const ended: string[] = [];
  const state = { running: 0, peak: 0 };
  const releases = {
    whenEnded: (callId: string, boundMs: number, onEnd: () => void) => waiters.wait(callId, boundMs, onEnd),
    giveUp: (w: Parameters<ReleaseWaiters["cancel"]>[0]) => waiters.cancel(w),
    async release(callId: string) {
      if (callId === "gone") return { status: "not-found", callId };
      if (callId === "under-way") return { status: "nothing-to-do", callId, state: "releasing" };
      if (callId === "broken") throw new Error("store unreachable");
      if (callId === "slow") {
        await new Promise((r) => setTimeout(r, 20));
        return { status: "nothing-to-do", callId, state: "releasing" };
      }
      state.running++;
      state.peak = Math.max(state.peak, state.running);
      setTimeout(() => {
        state.running--;
        ended.push(callId);
        waiters.end(callId);
      }, ms);
      return { status: "started", callId };
    },
  } as unknown as ScscfReleases;
  return { waiters, ended, state, releases };
}

const dialogsOf = (keys: string[]) => ({ keys: async () => keys }) as unknown as DialogRecords;

/** A bulk release of every one of `keys`, `window` at once, each waited for `boundMs` at most. */
const releaseAll = (keys: string[], releases: ScscfReleases, window: number, boundMs = 40_000) =>
  bulkRelease(dialogsOf(keys), releases, undefined, "administrative", window, undefined, boundMs);

describe("bulkRelease", () => {
  it("counts started and not-started releases, waits for the started ones, and leaves no wait behind", async () => {
    const f = fakeReleases(5);
    const result = await releaseAll(["a", "gone", "b", "under-way"], f.releases, 2);
    expect(result).toEqual({ matched: 4, started: 2, notStarted: 2 });
    expect(f.ended.sort()).toEqual(["a", "b"]);
    expect(f.waiters.size).toBe(0);
  });

  it("keeps at most the window under way, and answers once the last has ended", async () => {
    const f = fakeReleases(3);
    const keys = Array.from({ length: 20 }, (_, i) => `call-${i}`);
    const result = await releaseAll(keys, f.releases, 4);
    expect(result).toEqual({ matched: 20, started: 20, notStarted: 0 });
    expect(f.state.peak).toBe(4);
    expect(f.ended).toHaveLength(20);
    expect(f.waiters.size).toBe(0);
  });

  it("a pick that passes over a dialog frees its place at once; nothing to release answers at once", async () => {
    const f = fakeReleases(2);
    const records = new Map([
      ["a", { dialog: { servedUser: "calling" } }],
      ["b", { dialog: { servedUser: "called" } }],
    ]);
    const dialogs = { keys: async () => [...records.keys()], get: async (k: string) => records.get(k) };
    const pick = (r: { dialog: { servedUser: string } }) => r.dialog.servedUser === "called";
    const result = await bulkRelease(dialogs as unknown as DialogRecords, f.releases, pick as never, "x", 1);
    expect(result).toEqual({ matched: 1, started: 1, notStarted: 0 });
    expect(f.ended).toEqual(["b"]);
    expect(await releaseAll([], f.releases, 8)).toEqual({
      matched: 0,
      started: 0,
      notStarted: 0,
    });
  });

  it("a release that throws fails the bulk release and leaves no wait behind", async () => {
    const f = fakeReleases(2);
    await expect(releaseAll(["a", "broken", "b"], f.releases, 1)).rejects.toThrow("store unreachable");
    await new Promise((r) => setTimeout(r, 20));
    expect(f.ended.sort()).toEqual(["a", "b"]);
    expect(f.waiters.size).toBe(0);
  });

  it("a wait that runs out before its release() answers frees its place once, not twice", async () => {
    const f = fakeReleases(10);
    // The wait on "slow" runs out at 15 ms (its place goes to "a", which runs until 25 ms); "slow" answers
    // not-started at 20 ms, and must not free a place a second time (that would start "b" beside "a").
    const result = await releaseAll(["slow", "a", "b", "c"], f.releases, 1, 15);
    expect(result).toEqual({ matched: 4, started: 3, notStarted: 1 });
    expect(f.state.peak).toBe(1);
    expect(f.ended).toEqual(["a", "b", "c"]);
    expect(f.waiters.size).toBe(0);
  });
});
