// Ladder (sequence) diagrams of a call's trace: text for a terminal, SVG for the admin API and the report.
import type { TraceEntry } from "./call-trace.ts";

function parties(entries: TraceEntry[]): string[] {
  const seen: string[] = [];
  for (const e of entries) for (const p of [e.from, e.to]) if (!seen.includes(p)) seen.push(p);
  return seen;
}

const ids = (e: TraceEntry) => (e.trace && e.trace.length > 0 ? e.trace.join(", ") : "");

/** Columns per party, one arrow per message, the clause ids beside each arrow. */
export function textLadder(entries: TraceEntry[], title = ""): string {
  const cols = parties(entries);
  const width = Math.max(14, ...cols.map((c) => c.length + 2), ...entries.map((e) => e.label.length + 4));
  const centre = (i: number) => i * width + Math.floor(width / 2);
  const lineWidth = cols.length * width;
  const lifelines = () => {
    const row = Array.from({ length: lineWidth }, () => " ");
    cols.forEach((_, i) => {
      row[centre(i)] = "|";
    });
    return row;
  };
  const out: string[] = [];
  if (title) out.push(title);
  out.push(
    cols
      .map((c) => c.padStart(Math.floor((width + c.length) / 2)).padEnd(width))
      .join("")
      .trimEnd(),
  );
  for (const e of entries) {
    const a = centre(cols.indexOf(e.from));
    const b = centre(cols.indexOf(e.to));
    const row = lifelines();
    const [lo, hi] = a < b ? [a, b] : [b, a];
    for (let x = lo + 1; x < hi; x++) row[x] = "-";
    if (a < b) row[hi - 1] = ">";
    else row[lo + 1] = "<";
    const label = ` ${e.label} `;
    const start = lo + 1 + Math.max(0, Math.floor((hi - lo - 1 - label.length) / 2));
    for (let i = 0; i < label.length && start + i < hi - 1; i++) row[start + i] = label[i];
    const note = [e.protocol === "H.248" ? "H.248" : "", ids(e)].filter(Boolean).join(" ");
    out.push(`${row.join("").trimEnd()}${note ? `   ${note}` : ""}`);
  }
  return out.join("\n");
}

const escXml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The same ladder as a self-contained SVG sequence diagram. */
export function svgLadder(entries: TraceEntry[], title = ""): string {
  const cols = parties(entries);
  const colWidth = 190;
  const top = title ? 60 : 40;
  const step = 34;
  const width = cols.length * colWidth + 320;
  const height = top + (entries.length + 1) * step;
  const x = (p: string) => cols.indexOf(p) * colWidth + colWidth / 2;
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
    if (ids(e))
      parts.push(`<text x="${cols.length * colWidth + 10}" y="${y + 4}" fill="#444">${escXml(ids(e))}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n");
}
