// Suspect links: the clause item text each trace was reviewed against, by hash. When spec/ changes an item's
// words, every rule and test tracing it is suspect until `cleardown audit approve ITEM-ID…` records the new
// text. Kept in rules/trace-approvals.json beside the rules, so a review lands in the same commit.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ClauseItem } from "../../generated/types/index.ts";

export interface Approval {
  hash: string;
  text: string;
}
export type Approvals = Record<string, Approval>;

export const approvalsFile = "rules/trace-approvals.json";

export function readApprovals(root: string): Approvals {
  const path = join(root, approvalsFile);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Approvals) : {};
}

export function writeApprovals(root: string, approvals: Approvals): void {
  const sorted = Object.fromEntries(Object.entries(approvals).sort(([a], [b]) => (a < b ? -1 : 1)));
  writeFileSync(join(root, approvalsFile), `${JSON.stringify(sorted, null, 2)}\n`);
}

/** Records the current text of the given items as reviewed; unknown ids are returned, not written. */
export function approve(
  approvals: Approvals,
  items: Map<string, ClauseItem>,
  ids: string[],
): { approvals: Approvals; unknown: string[] } {
  const next = { ...approvals };
  const unknown: string[] = [];
  for (const id of ids) {
    const item = items.get(id);
    if (!item) unknown.push(id);
    else next[id] = { hash: item.hash, text: item.text };
  }
  return { approvals: next, unknown };
}
