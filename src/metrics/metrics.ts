// Prometheus metrics of a node (prom-client), one registry per node so several nodes in one process (the
// demo, the tests) do not mix their figures.
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export class NodeMetrics {
  readonly registry = new Registry();
  readonly releasesStarted = new Counter({
    name: "cleardown_releases_started_total",
    help: "Releases started, by rule",
    labelNames: ["rule"],
    registers: [this.registry],
  });
  readonly releasesCompleted = new Counter({
    name: "cleardown_releases_completed_total",
    help: "Releases that ended with all state released, by rule",
    labelNames: ["rule"],
    registers: [this.registry],
  });
  readonly releasesFailed = new Counter({
    name: "cleardown_releases_failed_total",
    help: "Releases in which a request failed (481, 408, timeout), by rule",
    labelNames: ["rule"],
    registers: [this.registry],
  });
  readonly byeLatency = new Histogram({
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

  private readonly perRule = new Map<Counter<"rule">, Map<string, { inc(): void }>>();

  /** Counts one for a rule: the labelled child is looked up once per rule, not hashed on every count. */
  countRule(counter: Counter<"rule">, rule: string): void {
    let children = this.perRule.get(counter);
    if (!children) {
      children = new Map();
      this.perRule.set(counter, children);
    }
    let child = children.get(rule);
    if (!child) {
      child = counter.labels({ rule });
      children.set(rule, child);
    }
    child.inc();
  }

  /** Gauges read from the store when scraped. */
  storeGauge(name: string, help: string, read: () => Promise<number>): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        this.set(await read());
      },
    });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
