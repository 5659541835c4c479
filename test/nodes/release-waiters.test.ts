// The waits a bulk release paces itself on: each ends with its release or at its bound, with one timer per
// bound value rather than one per wait, and nothing is left behind either way.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ReleaseWaiters } from "../../src/nodes/scscf/release-waiters.ts";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const settled = (p: Promise<void>) => {
  const s = { done: false };
  void p.then(() => {
    s.done = true;
  });
  return s;
};

describe("ReleaseWaiters", () => {
  it("a wait goes on when its release ends, and is forgotten", async () => {
    const w = new ReleaseWaiters(() => Date.now());
    const a = settled(w.wait("call-a", 40_000).ended);
    const b = settled(w.wait("call-b", 40_000).ended);
    w.end("call-a");
    await vi.advanceTimersByTimeAsync(0);
    expect([a.done, b.done, w.size]).toEqual([true, false, 1]);
    expect(vi.getTimerCount()).toBe(1);
  });

  it("waits run out at their bound, in order, with one timer for them all", async () => {
    const w = new ReleaseWaiters(() => Date.now());
    const a = settled(w.wait("call-a", 1000).ended);
    await vi.advanceTimersByTimeAsync(300);
    const b = settled(w.wait("call-b", 1000).ended);
    const c = settled(w.wait("call-c", 1000).ended);
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
    const short = settled(w.wait("call-a", 100).ended);
    const long = settled(w.wait("call-a", 5000).ended);
    expect(vi.getTimerCount()).toBe(2);
    await vi.advanceTimersByTimeAsync(100);
    expect([short.done, long.done]).toEqual([true, false]);
    w.end("call-a");
    await vi.advanceTimersByTimeAsync(0);
    expect([long.done, w.size, vi.getTimerCount()]).toEqual([true, 0, 0]);
  });

  it("a wait given up leaves nothing queued (no timer, no entry) and other waits on the call go on as before", async () => {
    const w = new ReleaseWaiters(() => Date.now());
    const given = w.wait("call-a", 40_000);
    const other = settled(w.wait("call-a", 40_000).ended);
    const g = settled(given.ended);
    given.cancel();
    expect([w.size, vi.getTimerCount()]).toEqual([1, 1]);
    w.end("call-a");
    await vi.advanceTimersByTimeAsync(0);
    expect([other.done, g.done, w.size, vi.getTimerCount()]).toEqual([true, false, 0, 0]);
    const alone = w.wait("call-b", 1000);
    alone.cancel();
    alone.cancel(); // twice: nothing more to take out
    expect([w.size, vi.getTimerCount()]).toEqual([0, 0]);
  });
});
