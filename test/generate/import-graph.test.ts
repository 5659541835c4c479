// Issue 17 item 1: arrows point one way. The generator (src/generate) imports nothing of src/rules; src/rules runs
// the generated runtime and the generator's compile (hot reload); generated/ imports nothing of src/. Type-only
// imports count too: a loop of types is still a loop a reader has to untangle.
import { describe, expect, it } from "vitest";
import { importGraph, loops } from "../support/import-graph.ts";

const area = (file: string) => ["src/rules/", "src/generate/", "generated/"].find((a) => file.startsWith(a));

describe("import graph of the rules, the generator and generated/", () => {
  const graph = importGraph();

  it("no file of src/rules, src/generate or generated/ is in an import loop", () => {
    expect(loops(graph).filter((scc) => scc.some((f) => area(f)))).toEqual([]);
  });

  it("between the three folders arrows point one way: rules → generate, rules → generated, generate → generated", () => {
    const edges = new Map<string, string[]>();
    for (const [from, targets] of graph) {
      const a = area(from);
      if (!a) continue;
      for (const t of targets) {
        const b = area(t);
        if (b && b !== a) edges.set(a, [...new Set([...(edges.get(a) ?? []), b])].sort());
      }
    }
    expect(loops(edges)).toEqual([]);
    expect(edges.get("generated/") ?? []).toEqual([]);
    expect(edges.get("src/generate/") ?? []).toEqual(["generated/"]);
  });
});
