// The demo's node logs for a person at a terminal: each JSON line pino writes becomes "error: message" with its
// fields beneath, one per line (a list one item per line), instead of a raw JSON record. Deployed nodes keep JSON.
import { pino } from "pino";

const hidden = new Set(["level", "time", "pid", "hostname", "msg"]);

export function humanLogLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.trimEnd();
  }
  const level = pino.levels.labels[Number(record.level)] ?? String(record.level ?? "log");
  const lines = [`${level}: ${String(record.msg ?? "")}`];
  for (const [key, value] of Object.entries(record)) {
    if (hidden.has(key)) continue;
    if (Array.isArray(value))
      lines.push(`  ${key}:`, ...value.map((v) => `    ${typeof v === "string" ? v : JSON.stringify(v)}`));
    else lines.push(`  ${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`);
  }
  return lines.join("\n");
}

/** A pino destination writing human lines through `write` (stderr in the demo). */
export function humanLogStream(write: (text: string) => void): { write(chunk: string): void } {
  return {
    write(chunk: string) {
      for (const line of chunk.split("\n")) if (line.trim() !== "") write(`${humanLogLine(line)}\n`);
    },
  };
}
