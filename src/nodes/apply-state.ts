// Applies a StateUpdatePlan's assignments (dialog.release.byeToCalled := "2xx") to the record they name.
// The rules decide the values; this only writes them where the path says.
import type { StateUpdatePlan } from "../../generated/types/index.ts";

export function applyStateUpdate<T extends object>(root: "dialog" | "call", record: T, plan: StateUpdatePlan): T {
  let out = record;
  for (const { path, value } of plan.set) {
    const parts = path.split(".");
    if (parts[0] !== root) throw new Error(`state path ${path}: expected it to start with "${root}."`);
    out = setIn(out, parts.slice(1), value) as T;
  }
  return out;
}

function setIn(node: unknown, parts: string[], value: unknown): unknown {
  if (parts.length === 0) return value;
  const [head, ...rest] = parts;
  const current = (node ?? {}) as Record<string, unknown>;
  return { ...current, [head]: setIn(current[head], rest, value) };
}
