// `cleardown stats`: a node's Prometheus exposition read back into a few lines for people — what it holds, its
// releases per rule (started, completed, failed requests), the BYE latency (mean and quantiles from the buckets),
// H.248 transactions, retransmissions, malformed and refused messages.

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

const sum = (xs: Sample[]) => xs.reduce((a, s) => a + s.value, 0);

/** The q-quantile from cumulative buckets (as Prometheus' histogram_quantile: linear within the bucket). */
function quantile(q: number, buckets: Array<{ le: number; count: number }>): number | undefined {
  const total = buckets.at(-1)?.count ?? 0;
  if (total === 0) return undefined;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      if (!Number.isFinite(b.le)) return lower;
      return lower + ((b.le - lower) * (rank - below)) / Math.max(1, b.count - below);
    }
    lower = b.le;
    below = b.count;
  }
  return lower;
}

const ms = (s: number | undefined) => (s === undefined ? "-" : `${(s * 1000).toFixed(1)} ms`);

export function metricsSummary(health: Record<string, unknown>, text: string): string {
  const all = parseExposition(text);
  const named = (n: string) => all.filter((s) => s.name === n);
  const one = (n: string) => named(n)[0]?.value;
  const lines = [
    `${health.name ?? "node"} (${health.role}), rules ${health.rules}, store ${health.store}`,
    "",
    "holds:",
  ];
  for (const [n, what] of [
    ["cleardown_dialogs_in_store", "dialogs"],
    ["cleardown_registrations_in_store", "addresses of record registered"],
    ["cleardown_calls_in_store", "calls"],
  ] as const) {
    const v = one(n);
    if (v !== undefined) lines.push(`  ${String(v).padStart(8)}  ${what}`);
  }
  const rules = [...new Set(named("cleardown_releases_started_total").map((s) => s.labels.rule))].sort();
  const by = (n: string, rule: string) => sum(named(n).filter((s) => s.labels.rule === rule));
  lines.push("", "releases, by the rule that started them:");
  const w = Math.max(4, ...rules.map((r) => r.length));
  lines.push(`  ${"rule".padEnd(w)}  ${"started".padStart(9)} ${"completed".padStart(9)} ${"failed*".padStart(9)}`);
  for (const rule of rules)
    lines.push(
      `  ${rule.padEnd(w)}  ${String(by("cleardown_releases_started_total", rule)).padStart(9)} ${String(by("cleardown_releases_completed_total", rule)).padStart(9)} ${String(by("cleardown_releases_failed_total", rule)).padStart(9)}`,
    );
  lines.push("  * failed: requests of a release that failed (481, 408, timeout, an unanswered Subtract)");
  const count = one("cleardown_bye_final_response_seconds_count") ?? 0;
  const total = one("cleardown_bye_final_response_seconds_sum") ?? 0;
  const buckets = named("cleardown_bye_final_response_seconds_bucket")
    .map((s) => ({ le: s.labels.le === "+Inf" ? Number.POSITIVE_INFINITY : Number(s.labels.le), count: s.value }))
    .sort((a, b) => a.le - b.le);
  lines.push(
    "",
    `BYE final responses: ${count}${count ? `, mean ${ms(total / count)}, p50 ${ms(quantile(0.5, buckets))}, p95 ${ms(quantile(0.95, buckets))}, p99 ${ms(quantile(0.99, buckets))}` : ""}`,
  );
  const h248 = named("cleardown_h248_transactions_total").filter((s) => s.value > 0);
  if (named("cleardown_h248_transactions_total").length)
    lines.push(
      `H.248 transactions: ${sum(h248)}${h248.length ? ` (${h248.map((s) => `${s.labels.command} ${s.labels.outcome} ${s.value}`).join(", ")})` : ""}`,
    );
  const counted = (n: string, what: string, label: string) => {
    const xs = named(n);
    const nonzero = xs.filter((s) => s.value > 0);
    lines.push(
      `${what}: ${sum(xs)}${nonzero.length ? ` (${nonzero.map((s) => `${s.labels[label]}${s.labels.outcome && label !== "outcome" ? ` ${s.labels.outcome}` : ""} ${s.value}`).join(", ")})` : ""}`,
    );
  };
  counted("cleardown_retransmissions_total", "retransmissions", "protocol");
  counted("cleardown_malformed_messages_total", "malformed messages", "protocol");
  counted("cleardown_requests_refused_total", "requests refused (admission control)", "reason");
  return lines.join("\n");
}
