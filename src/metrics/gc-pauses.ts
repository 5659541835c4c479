// The process's garbage-collection pauses, by kind: what an operator looks at first when a node's latency or CPU
// jumps (a major collection marks the whole heap; a minor one copies what the young generation still holds).
// Process-wide: nodes sharing a process (the demo, tests) report the same figures.
import { constants, PerformanceObserver } from "node:perf_hooks";
import { Counter, type Registry } from "prom-client";

const kindNames: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: "major",
  [constants.NODE_PERFORMANCE_GC_MINOR]: "minor",
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incremental",
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: "weakcb",
};
const kinds = Object.values(kindNames);

/** Pauses seen since the first registry asked for them, and their time, by kind. */
const totals = new Map(kinds.map((k) => [k, { count: 0, seconds: 0 }]));
let observer: PerformanceObserver | undefined;

function observe(): void {
  observer ??= new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      // A gc entry's detail names its kind (Node.js's constants above).
      const { detail } = e as { detail?: { kind?: number } };
      const t = totals.get(kindNames[detail?.kind ?? -1] ?? "");
      if (t === undefined) continue;
      t.count++;
      t.seconds += e.duration / 1000;
    }
  });
  observer.observe({ entryTypes: ["gc"] });
}

/** Counters of the process's collections in `registry`, read from the totals when scraped. */
export function registerGcPauses(registry: Registry): { pauses: Counter; seconds: Counter } {
  observe();
  const counter = (name: string, help: string, of: "count" | "seconds") =>
    new Counter({
      name,
      help,
      labelNames: ["kind"],
      registers: [registry],
      collect() {
        this.reset();
        for (const [kind, t] of totals) this.inc({ kind }, t[of]);
      },
    });
  return {
    pauses: counter("cleardown_gc_pauses_total", "Garbage collections of the node's process, by kind", "count"),
    seconds: counter(
      "cleardown_gc_pause_seconds_total",
      "Time the node's process spent in garbage collection pauses, by kind",
      "seconds",
    ),
  };
}
