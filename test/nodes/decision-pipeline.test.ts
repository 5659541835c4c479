// The shared decision pipeline: facts validated at the boundary (the place named), plans carried out in order by
// the function for their kind, synchronously until a function returns a promise.
import { describe, expect, it } from "vitest";
import type { Plan } from "../../generated/types/index.ts";
import { executePlans, FactsError, type PlanExecutors, validateFacts } from "../../src/nodes/decision-pipeline.ts";

const log = (message: string): Plan =>
  ({ kind: "log", rule: "r", trace: ["x"], level: "info", message }) as unknown as Plan;

function recorder(async: Set<string>) {
  const seen: string[] = [];
  const run = (p: Plan) => {
    const m = (p as { message?: string }).message ?? p.kind;
    if (async.has(m)) return Promise.resolve().then(() => void seen.push(m));
    seen.push(m);
  };
  const executors = new Proxy({}, { get: () => run }) as PlanExecutors<null>;
  return { seen, executors };
}

describe("decision pipeline", () => {
  it("rejects facts that do not match the schema, naming the JSON pointer", () => {
    expect(() => validateFacts("gmsc", { event: { type: "no-such-event" } } as never, "call c1")).toThrow(FactsError);
    expect(() => validateFacts("gmsc", { event: { type: "no-such-event" } } as never, "call c1")).toThrow(
      /facts for call c1: at \/[a-z]*/,
    );
  });

  it("runs plans in order, synchronously when every function is", () => {
    const { seen, executors } = recorder(new Set());
    const r = executePlans([log("a"), log("b"), log("c")], executors, null);
    expect(r).toBeUndefined();
    expect(seen).toEqual(["a", "b", "c"]);
  });

  it("waits for a function's promise before the next plan", async () => {
    const { seen, executors } = recorder(new Set(["b"]));
    const r = executePlans([log("a"), log("b"), log("c")], executors, null);
    expect(r).toBeInstanceOf(Promise);
    expect(seen).toEqual(["a"]);
    await r;
    expect(seen).toEqual(["a", "b", "c"]);
  });
});
