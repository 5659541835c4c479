// InTurn: one key's jobs one at a time, in order, whatever each ends with; other keys' jobs beside them.
import { describe, expect, it } from "vitest";
import { InTurn } from "../../src/store/in-turn.ts";

const tick = () => new Promise((r) => setTimeout(r, 1));

describe("InTurn", () => {
  it("runs one key's jobs one at a time in the order queued, a failure no stop, other keys beside", async () => {
    const q = new InTurn();
    const log: string[] = [];
    const job =
      (name: string, fail = false) =>
      async () => {
        log.push(`${name} in`);
        await tick();
        log.push(`${name} out`);
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([
      q.run("a", job("a1", true)),
      q.run("a", job("a2")),
      q.run("b", job("b1")),
    ]);
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message))).toEqual([
      "a1",
      "a2",
      "b1",
    ]);
    expect(log.indexOf("a1 out")).toBeLessThan(log.indexOf("a2 in"));
    expect(log.indexOf("b1 in")).toBeLessThan(log.indexOf("a1 out"));
  });

  it("never runs a job at once: a job that queues another for its key before its first await does not run beside it", async () => {
    const q = new InTurn();
    const log: string[] = [];
    let inner: Promise<void> | undefined;
    const outer = q.run("k", async () => {
      log.push("outer in");
      inner = q.run("k", async () => {
        log.push("inner");
      });
      await tick();
      log.push("outer out");
    });
    expect(log).toEqual([]);
    await outer;
    await inner;
    expect(log).toEqual(["outer in", "outer out", "inner"]);
  });
});
