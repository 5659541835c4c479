// Issue 17 item 1: arrows point one way. The generator (src/generate) imports nothing of src/rules; src/rules runs
// the generated runtime and the generator's compile (hot reload); generated/ imports nothing of src/. Type-only
// imports count too: a loop of types is still a loop a reader has to untangle.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../src/rules/schema-registry.ts";

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

const importPattern = /^\s*(?:import|export)\b[^;]*?\bfrom\s+"(\.[^"]+)"|^\s*import\s+"(\.[^"]+)"/gm;

function importGraph(): Map<string, string[]> {
  const files = [...tsFiles(join(projectRoot, "src")), ...tsFiles(join(projectRoot, "generated"))];
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const targets = [...text.matchAll(importPattern)]
      .map((m) => resolve(dirname(file), m[1] ?? m[2]))
      .filter((t) => t.endsWith(".ts"))
      .map((t) => relative(projectRoot, t));
    graph.set(relative(projectRoot, file), targets);
  }
  return graph;
}

/** Strongly connected components of more than one node (Tarjan): the import loops. */
function loops(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

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
