import { describe, expect, it } from "vitest";
import { FifoQueue } from "../../src/collections/fifo-queue.ts";

describe("FifoQueue", () => {
  it("gives entries back in the order they came, across its compactions", () => {
    const q = new FifoQueue<number>();
    const out: number[] = [];
    // Pushes and shifts interleaved past the compaction threshold (1,024 read entries), several times over.
    for (let i = 0; i < 10_000; i++) {
      q.push(i);
      if (i % 3 !== 0) out.push(q.shift() as number);
    }
    expect(q.length).toBe(10_000 - out.length);
    for (let x = q.shift(); x !== undefined; x = q.shift()) out.push(x);
    expect(out).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    expect(q.length).toBe(0);
  });

  it("peeks without taking, and is empty (undefined) when drained or cleared", () => {
    const q = new FifoQueue<string>();
    expect(q.peek()).toBeUndefined();
    expect(q.shift()).toBeUndefined();
    q.push("a");
    q.push("b");
    expect(q.peek()).toBe("a");
    expect(q.length).toBe(2);
    expect(q.shift()).toBe("a");
    expect(q.peek()).toBe("b");
    q.clear();
    expect(q.length).toBe(0);
    expect(q.peek()).toBeUndefined();
    q.push("c");
    expect(q.shift()).toBe("c");
  });
});
