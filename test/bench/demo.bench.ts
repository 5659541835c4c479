// How long `npm start` (the live demo) takes end to end, as a newcomer runs it: a child process starting both nodes
// and the built-in peers, playing every release scenario over loopback, writing the audit report. The goal is a
// few seconds. A figure for bench-results.json, never an assertion.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { projectRoot } from "../../src/rules/schema-registry.ts";
import { projectCopy } from "../support/project-copy.ts";
import type { BenchFigure } from "./rules.bench.ts";

export async function benchDemo(): Promise<BenchFigure[]> {
  const copy = projectCopy("cleardown-demo-bench-");
  try {
    const t0 = performance.now();
    const out = execFileSync(process.execPath, [join(projectRoot, "bin/cleardown.js"), "demo"], {
      env: { ...process.env, CLEARDOWN_HOME: copy.root },
      encoding: "utf8",
      timeout: 60_000,
    });
    const wall = performance.now() - t0;
    const played = /in (\d+\.\d) s$/m.exec(out)?.[1];
    return [
      { name: "demo.live.wall-clock.s", value: Math.round(wall / 100) / 10, unit: "s" },
      { name: "demo.live.scenarios.s", value: Number(played ?? Number.NaN), unit: "s" },
    ];
  } finally {
    copy.remove();
  }
}
