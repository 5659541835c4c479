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

/**
 * A copy of `node` with parts[from..] set to `value`: each object or array on the path copied, the rest shared. A
 * number addresses an element of a list that is there (call.terminations.1.seized), never a new one.
 */
function setIn(node: unknown, parts: string[], from: number, value: unknown): unknown {
  if (from === parts.length) return value;
  const head = parts[from];
  if (Array.isArray(node)) {
    const i = Number(head);
    if (!Number.isInteger(i) || i < 0 || i >= node.length)
      throw new Error(`state path ${parts.join(".")}: expected an element 0..${node.length - 1} at "${head}"`);
    const copy = [...node];
    copy[i] = setIn(node[i], parts, from + 1, value);
    return copy;
  }
  const current = (node ?? {}) as Record<string, unknown>;
  return { ...current, [head]: setIn(current[head], parts, from + 1, value) };
}
