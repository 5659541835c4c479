// The profile summary charges each sample to the innermost frame whose source names a layer: a builtin or a
// node: internal goes to the cleardown code that called it, V8's pseudo-frames to GC / (program) / idle.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import {
  type CpuProfile,
  cpuByLayer,
  type HeapProfile,
  heapByLayer,
  layerOf,
  summaryTable,
} from "./profile-summary.ts";

const frame = (functionName: string, url: string) => ({ functionName, url });
const src = (path: string) => `file:///work/cleardown/${path}`;

const cpu: CpuProfile = {
  startTime: 0,
  endTime: 7000,
  nodes: [
    { id: 1, callFrame: frame("(root)", ""), children: [2, 3, 4, 5, 7] },
    { id: 2, callFrame: frame("(garbage collector)", "") },
    { id: 3, callFrame: frame("(idle)", "") },
    { id: 4, callFrame: frame("parseMessage", src("src/sip/parse-message.ts")), children: [6] },
    { id: 5, callFrame: frame("subtract", src("src/h248/mgc.ts")), children: [8] },
    { id: 6, callFrame: frame("exec", "") },
    { id: 7, callFrame: frame("processTicksAndRejections", "node:internal/process/task_queues") },
    { id: 8, callFrame: frame("send", "node:dgram") },
  ],
  // Each sample lasts until the next: 1000 µs each, the last as long as the one before.
  samples: [2, 3, 4, 6, 8, 7, 6],
  timeDeltas: [0, 1000, 1000, 1000, 1000, 1000, 1000],
};

describe("profile summary (bench)", () => {
  it("layers by source path: SIP transactions apart from SIP parsing, MGC transactions apart from the codec", () => {
    expect(layerOf(frame("f", src("src/sip/transactions/invite-server-transaction.ts")))).toBe(
      "SIP transactions (src/sip/*transaction*)",
    );
    expect(layerOf(frame("f", src("src/sip/messages/serialize-message.ts")))).toBe("SIP parse and serialise (src/sip)");
    expect(layerOf(frame("f", src("src/sip/transport/udp-endpoint.ts")))).toBe(
      "SIP/H.248 UDP transport and I/O thread",
    );
    expect(layerOf(frame("f", src("src/sip/proxy/proxy-core.ts")))).toBe("SIP dialogs, proxy core, checks (src/sip)");
    expect(layerOf(frame("f", src("src/h248/encode-message.ts")))).toBe("H.248 codec (src/h248)");
    expect(layerOf(frame("f", src("src/h248/transactions.ts")))).toBe(
      "H.248 MGC transactions (src/h248/mgc, transactions)",
    );
    expect(layerOf(frame("f", src("generated/runtime/gmsc.ts")))).toBe(
      "decisions and materialise (src/rules, generated/, json-rules-engine, ajv)",
    );
    expect(layerOf(frame("f", src("node_modules/prom-client/lib/counter.js")))).toBe(
      "metrics (src/metrics, prom-client)",
    );
    expect(layerOf(frame("f", src("src/trace/call-trace.ts")))).toBe("traces (call trace, traced transport, ladders)");
    expect(layerOf(frame("JSON.parse", ""))).toBeUndefined();
  });

  it("a frame of the deployed bundle is charged to the source file its source map names", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "cleardown-profile-")), "dist");
    mkdirSync(dir);
    // One mapping (AAAA): the bundle's line 1, column 0 comes from the first source's line 1, column 0.
    const map = { version: 3, sources: ["../src/sip/transactions/transaction-layer.ts"], names: [], mappings: "AAAA" };
    writeFileSync(join(dir, "cleardown.js"), "function receive() {}\n");
    writeFileSync(join(dir, "cleardown.js.map"), JSON.stringify(map));
    const bundled = {
      ...frame("receive", pathToFileURL(join(dir, "cleardown.js")).href),
      lineNumber: 0,
      columnNumber: 9,
    };
    expect(layerOf(bundled)).toBe("SIP transactions (src/sip/*transaction*)");
    expect(layerOf({ ...bundled, url: pathToFileURL(join(dir, "other.js")).href })).toBe(
      "other code (node_modules, src)",
    );
  });

  it("a CPU profile: builtins and node: internals charged to their caller, the rest to the runtime", () => {
    const by = cpuByLayer(cpu);
    expect(Object.fromEntries(by)).toEqual({
      GC: 1000,
      idle: 1000,
      "SIP parse and serialise (src/sip)": 3000,
      "H.248 MGC transactions (src/h248/mgc, transactions)": 1000,
      "Node.js runtime (event loop, timers, internals)": 1000,
    });
    const table = summaryTable(cpu);
    expect(table).toContain("| SIP parse and serialise (src/sip) | 3 | 42.9 % | 50.0 % |");
    expect(table).toContain("| idle | 1 | 14.3 % |  |");
  });

  it("an allocation profile: bytes per layer, a builtin's allocation charged to its caller", () => {
    const heap: HeapProfile = {
      head: {
        callFrame: frame("(root)", ""),
        selfSize: 0,
        children: [
          {
            callFrame: frame("encode", src("src/h248/encode-message.ts")),
            selfSize: 1024,
            children: [{ callFrame: frame("join", ""), selfSize: 2048, children: [] }],
          },
          { callFrame: frame("set", src("src/store/memory-store.ts")), selfSize: 512, children: [] },
        ],
      },
    };
    expect(Object.fromEntries(heapByLayer(heap))).toEqual({
      "H.248 codec (src/h248)": 3072,
      "store (src/store, ioredis)": 512,
    });
  });
});
