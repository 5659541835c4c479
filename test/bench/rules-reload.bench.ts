// What a reload of a large rule file costs a running node (issue 20 item 5): an S-CSCF (in this process, memory
// store) on a copy of the rules whose S-CSCF file is just under 1 MiB; /v1/health is asked every 10 ms while
// POST /v1/rules/reload checks it on its own thread and compiles it. Figures: the slowest health answer during
// the reload, the reload's time, and, for comparison, how long the same check and compile hold the thread when
// run on it (LiveRules.reload). Figures for bench-results.json, never assertions.
import { validateConfig } from "../../src/config/node-config.ts";
import { startScscfNode } from "../../src/nodes/scscf/scscf-node.ts";
import { LiveRules } from "../../src/rules/live-rules.ts";
import { freeUdpPort } from "../support/free-port.ts";
import { writeHeavyRuleFile } from "../support/heavy-rule-file.ts";
import { projectCopy } from "../support/project-copy.ts";
import { silentLogger } from "../support/silent-logger.ts";
import type { BenchFigure } from "./rules.bench.ts";

const TOKEN = "bench-admin-token-0123456789";

export async function benchRulesReload(): Promise<BenchFigure[]> {
  const copy = projectCopy("cleardown-reload-bench-");
  const rules = writeHeavyRuleFile(copy.root);
  const config = validateConfig({
    role: "scscf",
    sip: [`udp://127.0.0.1:${await freeUdpPort()}`],
    admin: "http://127.0.0.1:0",
    adminToken: TOKEN,
  });
  const node = await startScscfNode({ config, root: copy.root, logger: silentLogger() });
  const ask = (method: string, path: string) =>
    fetch(`${node.adminUrl}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}` } });
  try {
    await (await ask("GET", "/v1/health")).text();
    let done = false;
    const latencies: number[] = [];
    const t0 = performance.now();
    const reload = ask("POST", "/v1/rules/reload").then(async (r) => {
      const body = (await r.json()) as { ok: boolean };
      done = true;
      if (!body.ok) throw new Error(`the heavy rule file did not load: ${JSON.stringify(body)}`);
      return performance.now() - t0;
    });
    while (!done) {
      const t = performance.now();
      await (await ask("GET", "/v1/health")).text();
      latencies.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 10));
    }
    const reloadMs = await reload;
    const inThread = new LiveRules("scscf", copy.root);
    const t1 = performance.now();
    inThread.reload();
    const stallMs = performance.now() - t1;
    const round = (ms: number) => Math.round(ms * 10) / 10;
    return [
      { name: "rules-reload.1mib.rules", value: rules, unit: "rules" },
      { name: "rules-reload.1mib.health-answers-during-reload", value: latencies.length, unit: "answers" },
      { name: "rules-reload.1mib.health-latency.max.ms", value: round(Math.max(...latencies)), unit: "ms" },
      { name: "rules-reload.1mib.reload.ms", value: round(reloadMs), unit: "ms" },
      { name: "rules-reload.1mib.in-thread-stall.ms", value: round(stallMs), unit: "ms" },
    ];
  } finally {
    await node.close();
    copy.remove();
  }
}
