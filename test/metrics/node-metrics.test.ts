// The release path's counts and latencies are kept as numbers and published when /metrics is scraped: a scrape
// must show every one of them, once.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { NodeMetrics } from "../../src/metrics/metrics.ts";
import { metricValue } from "../support/metrics-text.ts";

const RULE = "24.229:5.4.5.1.2/closing#release-dialog";

describe("NodeMetrics", () => {
  it("publishes the counts by rule at each scrape, adding to what was published before", async () => {
    const m = new NodeMetrics();
    for (let i = 0; i < 3; i++) m.countRule(m.releasesCompleted, RULE);
    m.countRule(m.releasesFailed, "x");
    let text = await m.text();
    expect(metricValue(text, "cleardown_releases_completed_total", { rule: RULE })).toBe(3);
    expect(metricValue(text, "cleardown_releases_failed_total", { rule: "x" })).toBe(1);
    m.countRule(m.releasesCompleted, RULE);
    text = await m.text();
    expect(metricValue(text, "cleardown_releases_completed_total", { rule: RULE })).toBe(4);
    expect(metricValue(await m.text(), "cleardown_releases_completed_total", { rule: RULE })).toBe(4);
  });

  it("publishes BYE latencies into the histogram's buckets, and keeps no more than 4096 unpublished", async () => {
    const m = new NodeMetrics();
    m.observeByeLatency(0.003);
    m.observeByeLatency(0.3);
    let text = await m.text();
    expect(metricValue(text, "cleardown_bye_final_response_seconds_bucket", { le: "0.005" })).toBe(1);
    expect(metricValue(text, "cleardown_bye_final_response_seconds_bucket", { le: "0.5" })).toBe(2);
    expect(metricValue(text, "cleardown_bye_final_response_seconds_count")).toBe(2);
    for (let i = 0; i < 5000; i++) m.observeByeLatency(0.001);
    expect((m as unknown as { pendingLatencies: number[] }).pendingLatencies.length).toBe(5000 - 4096);
    text = await m.text();
    expect(metricValue(text, "cleardown_bye_final_response_seconds_count")).toBe(5002);
  });

  it("publishes the process's garbage collections by kind, counted and timed, growing with each one", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const m = new NodeMetrics();
    const majors = async () => {
      const text = await m.text();
      return {
        count: metricValue(text, "cleardown_gc_pauses_total", { kind: "major" }),
        seconds: metricValue(text, "cleardown_gc_pause_seconds_total", { kind: "major" }),
      };
    };
    const before = await majors();
    expect(metricValue(await m.text(), "cleardown_gc_pauses_total", { kind: "minor" })).toBeGreaterThanOrEqual(0);
    gc();
    gc();
    // Observed collections are delivered after the turn that ran them.
    await new Promise((r) => setTimeout(r, 50));
    const after = await majors();
    expect(after.count - before.count).toBeGreaterThanOrEqual(2);
    expect(after.seconds).toBeGreaterThan(before.seconds);
  });
});
