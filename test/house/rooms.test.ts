// Issue 16 item 6: the house shows the design (../shared/DESIGN.md, README "How it is built"). Each room imports
// only the rooms its contract names; no file of src/ is in an import loop. Type-only imports count too.
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { importGraph, loops } from "../support/import-graph.ts";

/** The room of a file: its folder under src/, with src/sip's layers apart. */
function room(file: string): string | undefined {
  const m = /^src\/(sip\/[a-z]+|[a-z0-9-]+)\//.exec(file);
  return m?.[1];
}

/** The rooms of src/: its folders (src/sip counts as one here; its layers are rooms of their own below). */
const rooms = readdirSync("src", { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
const everyRoomBut = (own: string) => rooms.filter((r) => r !== own);

// What a room may not import (the rest is allowed): the arrows that would break the design.
const forbidden: Record<string, string[]> = {
  spec: ["rules", "generate", "nodes", "sip", "h248", "store", "trace", "audit", "admin", "cli", "demo", "studio"],
  rules: ["nodes", "sip", "h248", "store", "trace", "admin", "cli", "demo", "studio"],
  generate: ["rules", "nodes", "sip", "h248", "store", "trace", "audit", "admin", "cli", "demo", "studio"],
  grammar: ["rules", "generate", "nodes", "sip", "h248", "store", "trace", "audit", "cli", "demo"],
  "sip/messages": ["rules", "nodes", "store", "trace", "audit", "cli", "demo", "sip/transport", "sip/transactions"],
  "sip/transport": ["rules", "nodes", "store", "trace", "audit", "cli", "demo", "sip/transactions", "sip/proxy"],
  "sip/transactions": ["rules", "nodes", "store", "trace", "audit", "cli", "demo", "sip/proxy"],
  h248: ["rules", "nodes", "sip", "store", "trace", "audit", "cli", "demo"],
  config: ["nodes", "sip", "h248", "store", "trace", "audit", "admin", "cli", "demo", "studio"],
  store: ["rules", "nodes", "sip", "h248", "trace", "audit", "cli", "demo"],
  trace: ["rules", "nodes", "store", "audit", "admin", "cli", "demo"],
  nodes: ["audit", "cli", "demo", "studio"],
  audit: ["nodes", "sip", "h248", "store", "admin", "cli", "demo", "studio"],
  demo: ["cli", "studio"],
  studio: ["cli"],
  // Address and socket facts every transport shares, and the data structures the rooms share: each stands on
  // nothing of the house.
  net: everyRoomBut("net"),
  collections: everyRoomBut("collections"),
};

const banned = (from: string, to: string) =>
  (forbidden[from] ?? []).some((r) => to === r || (r === "sip" && to.startsWith("sip/")));

describe("the rooms of src/ (DESIGN.md's layout)", () => {
  const graph = importGraph();

  it("no room imports one its contract forbids", () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      const from = room(file);
      if (!from) continue;
      for (const t of targets) {
        const to = room(t);
        if (to && to !== from && banned(from, to)) wrong.push(`${file} → ${t}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("no file of src/ is in an import loop", () => {
    expect(loops(graph).filter((scc) => scc.some((f) => f.startsWith("src/")))).toEqual([]);
  });
});
