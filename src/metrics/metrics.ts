// Prometheus metrics of a node (prom-client), one registry per node so several nodes in one process (the
// demo, the tests) do not mix their figures.
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { registerGcPauses } from "./gc-pauses.ts";
import { UdpMetrics } from "./udp-metrics.ts";

export class NodeMetrics {
  readonly registry = new Registry();
  /** Each UDP socket's buffers and the datagrams dropped at it. */
  readonly udp = new UdpMetrics(this.registry);
  /** The process's garbage-collection pauses, by kind. */
  readonly gcPauses = registerGcPauses(this.registry);
  readonly releasesStarted = new Counter({
    name: "cleardown_releases_started_total",
    help: "Releases started, by the rule that started them (the one putting the dialog or call under release)",
    labelNames: ["rule"],
    registers: [this.registry],
  });
  readonly releasesCompleted = new Counter({
    name: "cleardown_releases_completed_total",
    help: "Releases that ended with all state released, by the rule that started them",
    labelNames: ["rule"],
    registers: [this.registry],
  });
  readonly releasesFailed = new Counter({
    name: "cleardown_releases_failed_total",
    help: "Requests of a release that failed (a BYE's 481, 408 or timeout, a Subtract unanswered), by the rule that started the release",
    labelNames: ["rule"],
    registers: [this.registry],
  });
  private readonly byeLatency = new Histogram({
    name: "cleardown_bye_final_response_seconds",
    help: "Time from sending a BYE to its final response",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32],
    registers: [this.registry],
  });
  readonly h248Transactions = new Counter({
    name: "cleardown_h248_transactions_total",
    help: "H.248 transactions, by command and outcome",
    labelNames: ["command", "outcome"],
    registers: [this.registry],
  });
  readonly retransmissions = new Counter({
    name: "cleardown_retransmissions_total",
    help: "Retransmitted requests, by protocol",
    labelNames: ["protocol"],
    registers: [this.registry],
  });
  readonly malformed = new Counter({
    name: "cleardown_malformed_messages_total",
    help: "Malformed messages answered 400 or dropped, by protocol and outcome",
    labelNames: ["protocol", "outcome"],
    registers: [this.registry],
  });

  /**
   * Zero samples for every label set a node can report, so a graph and a rate() have a series from the start:
   * the release counters for each rule that can start a release under the rules in force (called again when
   * the rules change), the others for the values the node uses.
   */
  declareReleaseRules(rules: string[]): void {
    for (const rule of rules)
      for (const c of [this.releasesStarted, this.releasesCompleted, this.releasesFailed]) c.inc({ rule }, 0);
  }

  declareRole(role: "scscf" | "gmsc"): void {
    const protocols = role === "gmsc" ? ["SIP", "H.248"] : ["SIP"];
    for (const protocol of protocols) this.retransmissions.inc({ protocol }, 0);
    for (const outcome of ["answered", "dropped"]) this.malformed.inc({ protocol: "SIP", outcome }, 0);
    // The S-CSCF speaks no H.248: no family without samples in its exposition.
    if (role !== "gmsc") {
      this.registry.removeSingleMetric("cleardown_h248_transactions_total");
      return;
    }
    this.malformed.inc({ protocol: "H.248", outcome: "dropped" }, 0);
    for (const command of ["Add", "Modify", "Subtract", "AuditValue"])
      for (const outcome of ["replied", "error", "timeout"]) this.h248Transactions.inc({ command, outcome }, 0);
    for (const command of ["Notify", "ServiceChange"]) this.h248Transactions.inc({ command, outcome: "received" }, 0);
  }

  // Counts and latencies of the release path are kept as plain numbers and handed to prom-client when scraped:
  // its inc/observe hash the label set on every call, and a bulk release makes thousands of them at once.
  private readonly pendingRules = new Map<Counter<"rule">, Map<string, number>>();
  private pendingLatencies: number[] = [];

  /** Counts one for a rule (published at the next scrape). */
  countRule(counter: Counter<"rule">, rule: string): void {
    let counts = this.pendingRules.get(counter);
    if (!counts) {
      counts = new Map();
      this.pendingRules.set(counter, counts);
    }
    counts.set(rule, (counts.get(rule) ?? 0) + 1);
  }

  /** A BYE's time to its final response (published at the next scrape; bounded while none comes). */
  observeByeLatency(seconds: number): void {
    this.pendingLatencies.push(seconds);
    if (this.pendingLatencies.length >= 4096) this.publishLatencies();
  }

  private publishLatencies(): void {
    for (const s of this.pendingLatencies) this.byeLatency.observe(s);
    this.pendingLatencies = [];
  }

  private publish(): void {
    for (const [counter, counts] of this.pendingRules) {
      for (const [rule, n] of counts) counter.inc({ rule }, n);
      counts.clear();
    }
    this.publishLatencies();
  }

  /** Gauges read from the store when scraped. */
  storeGauge(name: string, help: string, read: () => Promise<number>): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        // A store that does not answer leaves the last figure (its error is counted by the store).
        const n = await read().catch(() => undefined);
        if (n !== undefined) this.set(n);
      },
    });
  }

  text(): Promise<string> {
    this.publish();
    return this.registry.metrics();
  }
}
