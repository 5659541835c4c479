// Issue 19 item 5: metrics an operator can graph. A fresh node exports every counter and histogram from the start
// (zero samples for the label sets the rules in force define), and every PromQL expression of the Grafana
// dashboard in deploy/grafana names only metrics a real node exports (an S-CSCF and a GMSC, scraped over the admin
// API as Prometheus scrapes them).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminRequest } from "../../src/admin/admin-request.ts";
import { validateConfig } from "../../src/config/node-config.ts";
import { startGmscNode } from "../../src/nodes/gmsc/gmsc-node.ts";
import type { RunningNode } from "../../src/nodes/running-node.ts";
import { startScscfNode } from "../../src/nodes/scscf/scscf-node.ts";
import { freeUdpPort } from "../support/free-port.ts";
import { metricValue } from "../support/metrics-text.ts";
import { silentLogger } from "../support/silent-logger.ts";

const TOKEN = "grafana-test-token-0123456789";
const dashboard = JSON.parse(
  readFileSync(resolve(import.meta.dirname, "../../deploy/grafana/cleardown.json"), "utf8"),
) as {
  panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
  templating: { list: Array<{ query?: unknown }> };
};

const common = { sip: ["udp://127.0.0.1:0"], admin: "http://127.0.0.1:0", adminToken: TOKEN, store: "memory" };
let scscf: RunningNode;
let gmsc: RunningNode;
const scraped: Record<string, string> = {};

beforeAll(async () => {
  scscf = await startScscfNode({
    config: validateConfig({ ...common, role: "scscf" }, "test S-CSCF"),
    logger: silentLogger(),
  });
  const mgc = await freeUdpPort();
  gmsc = await startGmscNode({
    config: validateConfig(
      { ...common, role: "gmsc", gmsc: { mgc: `udp://127.0.0.1:${mgc}`, routes: [{ target: "udp://127.0.0.1:9" }] } },
      "test GMSC",
    ),
    logger: silentLogger(),
  });
  for (const [role, node] of [
    ["scscf", scscf],
    ["gmsc", gmsc],
  ] as const) {
    const r = await adminRequest(node.adminUrl, TOKEN, "GET", "/metrics");
    expect(r.status).toBe(200);
    scraped[role] = r.text;
  }
});
afterAll(async () => {
  await scscf?.close();
  await gmsc?.close();
});

/** The metric families of an exposition, with the sample names each may have (a histogram's _bucket, _sum, _count). */
function exported(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split("\n")) {
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
    if (sample && !line.startsWith("#")) names.add(sample[1]);
  }
  return names;
}

/** The metric names a PromQL expression reads: identifiers that are not functions, keywords, labels or strings. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, "") // strings (label values)
    .replace(/\{[^}]*\}/g, "") // label matchers
    .replace(/\[[^\]]*\]/g, "") // ranges
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ""); // label lists
  const keywords = new Set(["by", "without", "on", "ignoring", "and", "or", "unless", "bool", "offset"]);
  const names: string[] = [];
  for (const m of bare.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    const [, word, call] = m;
    if (call || keywords.has(word) || /^(inf|nan)$/i.test(word) || names.includes(word)) continue;
    names.push(word);
  }
  return names;
}

describe("metrics an operator can graph (issue 19 item 5)", () => {
  it("24.229:5.4.5.1.2/1 24.229:5.4.5.1.2/3 24.229:5.4.5.1.1/intro a fresh S-CSCF: releases started, completed and failed at 0 under each rule that starts a release", () => {
    const t = scraped.scscf;
    for (const rule of [
      "24.229:5.4.5.1.2/1#bye-to-called",
      "24.229:5.4.5.1.2/3#bye-to-called",
      "24.229:5.4.5.1.1/intro#cancel-early-dialog",
    ])
      for (const m of ["started", "completed", "failed"])
        expect(t, `${m} ${rule}`).toContain(`cleardown_releases_${m}_total{rule="${rule}"} 0`);
    // A rule that ends or answers a release starts none: no series of its own.
    expect(t).not.toContain('rule="24.229:5.4.5.1.2/closing#release-dialog"');
    expect(t).toContain("cleardown_bye_final_response_seconds_count 0");
    expect(metricValue(t, "cleardown_retransmissions_total", { protocol: "SIP" })).toBe(0);
    expect(t).toContain('cleardown_malformed_messages_total{protocol="SIP",outcome="dropped"} 0');
    expect(t).toContain('cleardown_requests_refused_total{reason="rate"} 0');
  });

  it("23.231:7.3.1/b.2 23.231:7.3.2/1 23.231:7.3.3/1 a fresh GMSC: the clearing rules and the H.248 commands at 0", () => {
    const t = scraped.gmsc;
    for (const rule of [
      "23.231:7.3.1/b.2#bye",
      "23.231:7.3.2/1#release-termination",
      "23.231:7.3.3/1#release-termination",
    ])
      for (const m of ["started", "completed", "failed"])
        expect(t, `${m} ${rule}`).toContain(`cleardown_releases_${m}_total{rule="${rule}"} 0`);
    expect(t).toContain('cleardown_h248_transactions_total{command="Subtract",outcome="timeout"} 0');
    expect(t).toContain('cleardown_retransmissions_total{protocol="H.248"} 0');
  });

  it("every metric family has a sample from the start", () => {
    for (const [role, text] of Object.entries(scraped)) {
      const families = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]] as const);
      expect(families.length).toBeGreaterThan(5);
      const samples = exported(text);
      for (const [name, type] of families) {
        const want = type === "histogram" ? `${name}_count` : name;
        expect(samples.has(want), `${role}: ${name} (${type}) has no sample`).toBe(true);
      }
    }
  });

  it("every expression of deploy/grafana/cleardown.json names only metrics a node exports", () => {
    const names = new Set([...exported(scraped.scscf), ...exported(scraped.gmsc)]);
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
    expect(exprs.length).toBeGreaterThanOrEqual(10);
    for (const { panel, expr } of exprs) {
      const used = metricNames(expr);
      expect(used.length, `${panel}: ${expr} reads no metric`).toBeGreaterThan(0);
      for (const name of used) expect(names.has(name), `${panel}: ${name} in ${expr}`).toBe(true);
    }
    const variable = JSON.stringify(dashboard.templating.list);
    for (const name of variable.match(/cleardown_[a-z0-9_]+/g) ?? []) expect(names.has(name), name).toBe(true);
  });

  it("the PromQL reader finds metric names and nothing else", () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le) (rate(cleardown_bye_final_response_seconds_bucket{instance=~"$instance"}[$__rate_interval])))',
      ),
    ).toEqual(["cleardown_bye_final_response_seconds_bucket"]);
    expect(metricNames("sum by (rule) (a_total) - sum without (x) (b_total) / clamp_min(c, 1)")).toEqual([
      "a_total",
      "b_total",
      "c",
    ]);
  });
});
