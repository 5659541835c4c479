// The processes a test started, found through /proc (Linux): the descendants of a PID, and whether a PID still
// runs. A test records its children's PIDs while they run, so it can look for each of them by PID afterwards.
import { readdirSync, readFileSync } from "node:fs";

/** PID → parent PID and state letter, from /proc/PID/stat (the command name may hold spaces and parentheses). */
function stat(pid: number): { ppid: number; state: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const after = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: after[0], ppid: Number(after[1]) };
  } catch {
    return undefined;
  }
}

/** Every process below `pid` now. */
export function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (s) parentOf.set(Number(name), s.ppid);
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parentOf) {
      if (parent === p) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

/** Running (a zombie waiting to be reaped has ended). */
export function alive(pid: number): boolean {
  const s = stat(pid);
  return s !== undefined && s.state !== "Z" && s.state !== "X";
}
