// Applies a StateUpdatePlan's assignments (dialog.release.byeToCalled := "2xx") to the record they name.
// The rules decide the values; this only writes them where the path says.
import type { StateUpdatePlan } from "../../generated/types/index.ts";

export function applyStateUpdate<T extends object>(root: "dialog" | "call", record: T, plan: StateUpdatePlan): T {
  let out = record;
  for (const { path, value } of plan.set) {
    const parts = path.split(".");
    if (parts[0] !== root) throw new Error(`state path ${path}: expected it to start with "${root}."`);
    out = setIn(out, parts, 1, value) as T;
  }
  return out;
}

/** A copy of `node` with parts[from..] set to `value`: each object on the path copied, the rest shared. */
function setIn(node: unknown, parts: string[], from: number, value: unknown): unknown {
  if (from === parts.length) return value;
  const current = (node ?? {}) as Record<string, unknown>;
  const head = parts[from];
  return { ...current, [head]: setIn(current[head], parts, from + 1, value) };
}
