// The fields the live demo's nodes put on the wire, each with its clause ids, kept beside the demo's ladders
// (audit/demo-wire.json), so the studio can show what an item produced in the last run.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TraceEntry } from "../trace/call-trace.ts";

export interface WireField {
  scenario: string;
  /** The message as the ladder labels it, with where it went: "BYE → UE bob". */
  message: string;
  field: string;
  value: string;
  trace: string[];
}

export const demoWireFile = "audit/demo-wire.json";

export function wireFields(scenario: string, entries: TraceEntry[]): WireField[] {
  return entries
    .filter((e) => e.direction === "sent")
    .flatMap((e) =>
      (e.fields ?? []).map((f) => ({
        scenario,
        message: `${e.label} → ${e.to}`,
        field: f.name,
        value: f.value,
        trace: f.trace,
      })),
    );
}

export function writeDemoWire(root: string, fields: WireField[]): void {
  writeFileSync(join(root, demoWireFile), `${JSON.stringify(fields, null, 2)}\n`);
}

export function readDemoWire(root: string): WireField[] {
  const file = join(root, demoWireFile);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as WireField[]) : [];
}
