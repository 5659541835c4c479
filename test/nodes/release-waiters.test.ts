// The waits a bulk release paces itself on: each ends with its release or at its bound, with one timer per
// bound value rather than one per wait, and nothing is left behind either way.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ReleaseWaiters } from "../../src/nodes/scscf/release-waiters.ts";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/** A wait's state as the waiter sees it: whether its callback has run, and how often. */
const waiting = (w: ReleaseWaiters, callId: string, boundMs: number) => {
  const s = { done: false, runs: 0, handle: undefined as unknown as ReturnType<ReleaseWaiters["wait"]> };
  s.handle = w.wait(callId, boundMs, () => {
    s.done = true;
    s.runs++;
  });
  return s;
};

describe("ReleaseWaiters", () => {
  it("a wait goes on when its release ends, and is forgotten", async () => {
    const w = new ReleaseWaiters(() => Date.now());
    const a = waiting(w, "call-a", 40_000);
    const b = waiting(w, "call-b", 40_000);
    w.end("call-a");
    await vi.advanceTimersByTimeAsync(0);
    expect([a.done, b.done, w.size]).toEqual([true, false, 1]);
    expect(vi.getTimerCount()).toBe(1);
  });

  it("waits run out at their bound, in order, with one timer for them all", async () => {
    const w = new ReleaseWaiters(() => Date.now());
    const a = waiting(w, "call-a", 1000);
    await vi.advanceTimersByTimeAsync(300);
    const b = waiting(w, "call-b", 1000);
    const c = waiting(w, "call-c", 1000);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(699);
    expect([a.done, b.done, c.done]).toEqual([false, false, false]);
    await vi.advanceTimersByTimeAsync(1);
    expect([a.done, b.done, c.done]).toEqual([true, false, false]);
    await vi.advanceTimersByTimeAsync(300);
    expect([b.done, c.done, w.size, vi.getTimerCount()]).toEqual([true, true, 0, 0]);
    // A release that ends after its wait ran out finds no one waiting.
    w.end("call-b");
  });

  it("two waits on one call both go on; different bounds keep their own timers", async () => {
    const w = new ReleaseWaiters(() => Date.now());
    const short = waiting(w, "call-a", 100);
    const long = waiting(w, "call-a", 5000);
    expect(vi.getTimerCount()).toBe(2);
    await vi.advanceTimersByTimeAsync(100);
    expect([short.done, long.done]).toEqual([true, false]);
    w.end("call-a");
    await vi.advanceTimersByTimeAsync(0);
    expect([long.done, w.size, vi.getTimerCount()]).toEqual([true, 0, 0]);
  });

  it("a wait given up leaves nothing queued (no timer, no entry) and other waits on the call go on as before", async () => {
    const w = new ReleaseWaiters(() => Date.now());
    const g = waiting(w, "call-a", 40_000);
    const other = waiting(w, "call-a", 40_000);
    w.cancel(g.handle);
    expect([w.size, vi.getTimerCount()]).toEqual([1, 1]);
    w.end("call-a");
    await vi.advanceTimersByTimeAsync(0);
    expect([other.done, g.done, w.size, vi.getTimerCount()]).toEqual([true, false, 0, 0]);
    const alone = waiting(w, "call-b", 1000);
    expect(w.cancel(alone.handle)).toBe(true);
    expect(w.cancel(alone.handle)).toBe(false); // twice: nothing more to take out
    expect([w.size, vi.getTimerCount()]).toEqual([0, 0]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(alone.done).toBe(false);
    // One that ran out at its bound can no longer be given up: its callback has run.
    const ranOut = waiting(w, "call-c", 100);
    await vi.advanceTimersByTimeAsync(100);
    expect([ranOut.runs, w.cancel(ranOut.handle)]).toEqual([1, false]);
  });
});
