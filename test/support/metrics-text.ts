// Reading a node's /metrics (Prometheus text exposition format) in a test: the value of one sample, named by its
// metric name and exact labels, so an assertion states the concrete figure it expects.

/** The sample `name{labels}`; 0 when the node has not exported it (a counter never incremented has no sample). */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(",");
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const have = (m[2] ?? "")
      .split(/,(?=[a-zA-Z_]+=")/)
      .filter((l) => l !== "")
      .sort()
      .join(",");
    if (have === want) return Number(m[3]);
  }
  return 0;
}

/** The sum of every sample whose line begins with `name` (a family over all its labels, or one written out whole). */
export function metricSum(text: string, name: string): number {
  return text
    .split("\n")
    .filter((l) => l.startsWith(name))
    .reduce((sum, l) => sum + Number(l.split(" ").pop()), 0);
}
