// Where a node's time (a .cpuprofile) or its allocations (a .heapprofile) go, per layer of cleardown: each sample
// is charged to the innermost frame of the stack whose source file names a layer (a builtin such as JSON.parse or
// a node: internal is charged to the cleardown code that called it). A frame in a bundle (dist/cleardown.js, as the
// benches run the node) is read through the bundle's source map, back to the source file it came from. Usage:
//   tsx test/bench/profile-summary.ts FILE.cpuprofile|FILE.heapprofile …   → one Markdown table each
import { existsSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { fileURLToPath } from "node:url";

interface CallFrame {
  functionName: string;
  url: string;
  /** 0-based, as V8 gives them */
  lineNumber?: number;
  columnNumber?: number;
}
interface CpuNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: CpuNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}
interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  children: HeapNode[];
}
export interface HeapProfile {
  head: HeapNode;
}

/** The layers, in the order the table lists them. */
export const layers = [
  "SIP parse and serialise (src/sip)",
  "SIP transactions (src/sip/*transaction*)",
  "SIP dialogs, proxy core, checks (src/sip)",
  "SIP/H.248 UDP transport and I/O thread",
  "H.248 codec (src/h248)",
  "H.248 MGC transactions (src/h248/mgc, transactions)",
  "decisions and materialise (src/rules, generated/, json-rules-engine, ajv)",
  "store (src/store, ioredis)",
  "traces (call trace, traced transport, ladders)",
  "metrics (src/metrics, prom-client)",
  "logging (pino)",
  "node shell and GMSC pipeline (src/nodes)",
  "admin API (src/admin)",
  "other code (node_modules, src)",
  "Node.js runtime (event loop, timers, internals)",
  "GC",
  "(program): V8 and native, not attributed",
  "idle",
] as const;
export type Layer = (typeof layers)[number];

// src/sip's rooms: transactions/, transport/, dialogs/ and proxy/, messages/ (the codec and its checks)
const sipTransactions = /\/src\/sip\/transactions\//;
const sipCore = /\/src\/sip\/(dialogs|proxy)\/|\/src\/sip\/messages\/(request-checks|message-checks)\.ts/;
const transport = /\/src\/sip\/transport\/|\/src\/h248\/udp-transport\.ts|\/src\/nodes\/.*udp.*\.ts/;

/** A bundle's source map (file beside it, .map), read once; undefined when there is none. */
const sourceMaps = new Map<string, SourceMap | undefined>();
function sourceMapOf(url: string): SourceMap | undefined {
  if (!sourceMaps.has(url)) {
    const file = url.startsWith("file:") ? fileURLToPath(url) : url;
    const map = `${file}.map`;
    sourceMaps.set(url, existsSync(map) ? new SourceMap(JSON.parse(readFileSync(map, "utf8"))) : undefined);
  }
  return sourceMaps.get(url);
}

/** The frame as its source has it: a bundle's frame mapped back to its source file; others as they are. */
export function sourceFrame(frame: CallFrame): CallFrame {
  if (!/\/dist\/[^/]+\.js$/.test(frame.url) || frame.lineNumber === undefined) return frame;
  const entry = sourceMapOf(frame.url)?.findEntry(frame.lineNumber, frame.columnNumber ?? 0);
  const source = entry && "originalSource" in entry ? entry.originalSource : undefined;
  return source ? { ...frame, url: source } : frame;
}

/** The layer a frame's source names, or undefined for a builtin or runtime frame (charged to its caller). */
export function layerOf(bundled: CallFrame): Layer | undefined {
  const frame = sourceFrame(bundled);
  const { url, functionName } = frame;
  if (url === "") {
    if (functionName === "(garbage collector)") return "GC";
    if (functionName === "(idle)") return "idle";
    if (functionName === "(program)") return "(program): V8 and native, not attributed";
    return undefined;
  }
  if (url.startsWith("node:")) return undefined;
  if (/\/node_modules\/prom-client\/|\/src\/metrics\//.test(url)) return "metrics (src/metrics, prom-client)";
  if (/\/node_modules\/(ioredis|@ioredis|redis-errors|cluster-key-slot|denque)\/|\/src\/store\//.test(url))
    return "store (src/store, ioredis)";
  if (/\/node_modules\/(pino|pino-std-serializers|sonic-boom|thread-stream|fast-redact)\//.test(url))
    return "logging (pino)";
  if (/\/node_modules\/(json-rules-engine|ajv|ajv-formats|fast-deep-equal|hash-it|jsonpath-plus)\//.test(url))
    return "decisions and materialise (src/rules, generated/, json-rules-engine, ajv)";
  if (url.includes("/node_modules/")) return "other code (node_modules, src)";
  if (/\/src\/audit\/(call-trace|ladder)|\/src\/trace\/|\/src\/nodes\/traced-transport\.ts/.test(url))
    return "traces (call trace, traced transport, ladders)";
  if (transport.test(url)) return "SIP/H.248 UDP transport and I/O thread";
  if (sipTransactions.test(url)) return "SIP transactions (src/sip/*transaction*)";
  if (sipCore.test(url)) return "SIP dialogs, proxy core, checks (src/sip)";
  if (url.includes("/src/sip/")) return "SIP parse and serialise (src/sip)";
  if (/\/src\/h248\/(mgc|transactions)\.ts/.test(url)) return "H.248 MGC transactions (src/h248/mgc, transactions)";
  if (url.includes("/src/h248/")) return "H.248 codec (src/h248)";
  if (/\/src\/rules\/|\/generated\//.test(url))
    return "decisions and materialise (src/rules, generated/, json-rules-engine, ajv)";
  if (url.includes("/src/nodes/")) return "node shell and GMSC pipeline (src/nodes)";
  if (url.includes("/src/admin/")) return "admin API (src/admin)";
  return "other code (node_modules, src)";
}

const runtime: Layer = "Node.js runtime (event loop, timers, internals)";

/** Microseconds per layer over a CPU profile. */
export function cpuByLayer(profile: CpuProfile): Map<Layer, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const layerOfNode = new Map<number, Layer>();
  // From the root down: a node without a layer of its own takes its caller's (the runtime's at the top).
  const visit = (id: number, inherited: Layer) => {
    const n = byId.get(id);
    if (n === undefined) return;
    const own = layerOf(n.callFrame) ?? inherited;
    layerOfNode.set(id, own);
    for (const c of n.children ?? []) visit(c, own);
  };
  visit(profile.nodes[0].id, runtime);
  const total = new Map<Layer, number>();
  profile.samples.forEach((id, i) => {
    // A sample lasts until the next one (the last: as long as the one before it).
    const us = profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0;
    const layer = layerOfNode.get(id) ?? runtime;
    total.set(layer, (total.get(layer) ?? 0) + us);
  });
  return total;
}

/** Bytes allocated per layer over a sampling heap profile. */
export function heapByLayer(profile: HeapProfile): Map<Layer, number> {
  const total = new Map<Layer, number>();
  const visit = (n: HeapNode, inherited: Layer) => {
    const own = layerOf(n.callFrame) ?? inherited;
    if (n.selfSize > 0) total.set(own, (total.get(own) ?? 0) + n.selfSize);
    for (const c of n.children) visit(c, own);
  };
  visit(profile.head, runtime);
  return total;
}

const pct = (part: number, whole: number) => (whole > 0 ? `${((100 * part) / whole).toFixed(1)} %` : "–");

/** A Markdown table: each layer's time (ms, share of all samples, share of the busy ones) or bytes. */
export function summaryTable(profile: CpuProfile | HeapProfile): string {
  if ("nodes" in profile) {
    const by = cpuByLayer(profile);
    const all = [...by.values()].reduce((a, b) => a + b, 0);
    const busy = all - (by.get("idle") ?? 0);
    const rows = layers
      .filter((l) => by.has(l))
      .map((l) => {
        const us = by.get(l) ?? 0;
        return `| ${l} | ${(us / 1000).toFixed(0)} | ${pct(us, all)} | ${l === "idle" ? "" : pct(us, busy)} |`;
      });
    return [
      `CPU profile: ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s, ${profile.samples.length} samples`,
      "",
      "| layer | ms | share | share of busy |",
      "|---|--:|--:|--:|",
      ...rows,
    ].join("\n");
  }
  const by = heapByLayer(profile);
  const all = [...by.values()].reduce((a, b) => a + b, 0);
  const rows = layers
    .filter((l) => by.has(l))
    .map((l) => `| ${l} | ${((by.get(l) ?? 0) / 2 ** 20).toFixed(1)} | ${pct(by.get(l) ?? 0, all)} |`);
  return [
    `Allocation profile: ${(all / 2 ** 20).toFixed(1)} MiB sampled`,
    "",
    "| layer | MiB | share |",
    "|---|--:|--:|",
    ...rows,
  ].join("\n");
}

if (process.argv[1] === import.meta.filename) {
  const files = process.argv.slice(2);
  if (files.length === 0) throw new Error("profile-summary: expected one or more .cpuprofile or .heapprofile files");
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile | HeapProfile;
    if (!("nodes" in profile) && !("head" in profile))
      throw new Error(`${file}: expected a .cpuprofile (nodes, samples) or a .heapprofile (head)`);
    console.log(`${file}\n\n${summaryTable(profile)}\n`);
  }
}
