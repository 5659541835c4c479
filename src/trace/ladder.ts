// Ladder (sequence) diagrams of a call's trace: text for a terminal, SVG for the admin API and the report.
// Both share one layout: each party's lifeline sits just far enough from the previous ones for every arrow
// between them to hold its label, so a long H.248 label widens only the gap it spans, not every column.
import type { TraceEntry } from "./call-trace.ts";

function parties(entries: TraceEntry[]): string[] {
  const seen: string[] = [];
  for (const e of entries) for (const p of [e.from, e.to]) if (!seen.includes(p)) seen.push(p);
  return seen;
}

const ids = (e: TraceEntry) => (e.trace && e.trace.length > 0 ? e.trace.join(", ") : "");

/** Lifeline positions in character cells: every name fits, every label fits between the ends of its arrow. */
function lifelines(entries: TraceEntry[], cols: string[]): number[] {
  const minGap = 12;
  const pos: number[] = [];
  cols.forEach((name, j) => {
    if (j === 0) {
      pos.push(Math.ceil(name.length / 2));
      return;
    }
    let at = pos[j - 1] + Math.max(minGap, Math.ceil(cols[j - 1].length / 2) + Math.ceil(name.length / 2) + 2);
    for (const e of entries) {
      const [a, b] = [cols.indexOf(e.from), cols.indexOf(e.to)].sort((x, y) => x - y);
      // " label " and the arrowhead, with a cell of line on each side.
      if (b === j) at = Math.max(at, pos[a] + e.label.length + 7);
    }
    pos.push(at);
  });
  return pos;
}

/** "19:48:01.234 +12.3" (UTC time of day, milliseconds since the first message) before each arrow, when timed. */
function clockColumn(entries: TraceEntry[]): (e: TraceEntry | undefined) => string {
  // A trace read back from the admin API's JSON carries its times as ISO strings.
  const ms = (e: TraceEntry | undefined) =>
    typeof e?.time === "string" ? Date.parse(e.time) : (e?.time as number | undefined);
  const first = ms(entries[0]);
  if (first === undefined || Number.isNaN(first)) return () => "";
  const delta = (e: TraceEntry) => `+${((ms(e) ?? first) - first).toFixed(0)}ms`;
  const width = Math.max(...entries.map((e) => delta(e).length));
  return (e) => {
    if (e === undefined) return " ".repeat(12 + 1 + width + 2);
    const clock = new Date(ms(e) ?? first).toISOString().slice(11, 23);
    return `${clock} ${delta(e).padStart(width)}  `;
  };
}

/** Columns per party, one arrow per message, the clause ids beside each arrow; its wall-clock time before it. */
export function textLadder(entries: TraceEntry[], title = ""): string {
  const clock = clockColumn(entries);
  const cols = parties(entries);
  const pos = lifelines(entries, cols);
  const lineWidth = (pos.at(-1) ?? 0) + Math.ceil((cols.at(-1)?.length ?? 0) / 2) + 1;
  const blank = () => Array.from({ length: lineWidth }, () => " ");
  const out: string[] = [];
  if (title) out.push(title);
  const head = blank();
  cols.forEach((c, i) => {
    const start = pos[i] - Math.floor(c.length / 2);
    for (let k = 0; k < c.length; k++) head[start + k] = c[k];
  });
  out.push(`${clock(undefined)}${head.join("")}`.trimEnd());
  for (const e of entries) {
    const a = pos[cols.indexOf(e.from)];
    const b = pos[cols.indexOf(e.to)];
    const row = blank();
    for (const p of pos) row[p] = "|";
    const [lo, hi] = a < b ? [a, b] : [b, a];
    for (let x = lo + 1; x < hi; x++) row[x] = "-";
    if (a < b) row[hi - 1] = ">";
    else row[lo + 1] = "<";
    const label = ` ${e.label} `;
    const start = lo + 2 + Math.max(0, Math.floor((hi - lo - 3 - label.length) / 2));
    for (let i = 0; i < label.length && start + i < hi - 1; i++) row[start + i] = label[i];
    const note = [e.protocol === "H.248" ? "H.248" : "", ids(e)].filter(Boolean).join(" ");
    out.push(`${clock(e)}${row.join("").trimEnd()}${note ? `   ${note}` : ""}`);
  }
  return out.join("\n");
}

const escXml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The same ladder as a self-contained SVG sequence diagram. */
export function svgLadder(entries: TraceEntry[], title = ""): string {
  const cols = parties(entries);
  // 12 px monospace is about 7.3 px a character; one layout serves both renderings.
  const cell = 7.5;
  const margin = 20;
  const pos = lifelines(entries, cols);
  const x = (p: string) => margin + pos[cols.indexOf(p)] * cell;
  const right = margin + ((pos.at(-1) ?? 0) + Math.ceil((cols.at(-1)?.length ?? 0) / 2)) * cell;
  const notesAt = right + 20;
  const top = title ? 60 : 40;
  const step = 34;
  const width = Math.ceil(notesAt + Math.max(120, ...entries.map((e) => ids(e).length * cell)) + margin);
  const height = top + (entries.length + 1) * step;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="monospace" font-size="12">`,
    '<defs><marker id="arrow" markerWidth="10" markerHeight="8" refX="9" refY="4" orient="auto"><path d="M0,0 L10,4 L0,8 z"/></marker></defs>',
  ];
  if (title) parts.push(`<text x="10" y="20" font-size="14" font-weight="bold">${escXml(title)}</text>`);
  for (const c of cols) {
    parts.push(`<text x="${x(c)}" y="${top - 12}" text-anchor="middle" font-weight="bold">${escXml(c)}</text>`);
    parts.push(
      `<line x1="${x(c)}" y1="${top - 6}" x2="${x(c)}" y2="${height - 6}" stroke="#999" stroke-dasharray="4 3"/>`,
    );
  }
  entries.forEach((e, i) => {
    const y = top + (i + 1) * step;
    const colour = e.protocol === "H.248" ? "#6a1b9a" : "#1565c0";
    parts.push(
      `<line x1="${x(e.from)}" y1="${y}" x2="${x(e.to)}" y2="${y}" stroke="${colour}" marker-end="url(#arrow)"/>`,
    );
    parts.push(
      `<text x="${(x(e.from) + x(e.to)) / 2}" y="${y - 5}" text-anchor="middle" fill="${colour}">${escXml(e.label)}</text>`,
    );
    if (ids(e)) parts.push(`<text x="${notesAt}" y="${y + 4}" fill="#444">${escXml(ids(e))}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n");
}
