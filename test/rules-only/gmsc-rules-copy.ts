// A temporary copy of spec/ and rules/ a running GMSC reads (its root), edited the way a spec editor edits the rule
// file, then reloaded through the admin API; and the proof that src/ was not touched (git status --porcelain src).
import { expect } from "vitest";
import type { RuleFile } from "../../generated/types/index.ts";
import type { GmscHarness } from "../nodes/gmsc/gmsc-harness.ts";
import { rulesCopy, srcChanges } from "./rules-copy.ts";

const GMSC_FILE = "23.231-7.3.rules.json";

export interface GmscRulesCopy {
  root: string;
  /** Back to the project's rules (each test starts from them). */
  reset(): void;
  /** Edits the GMSC clause file in the copy, as JSON, and writes it back. */
  edit(change: (rules: RuleFile) => void): void;
  remove(): void;
}

export function gmscRulesCopy(): GmscRulesCopy {
  const copy = rulesCopy();
  return { root: copy.dir, reset: copy.reset, edit: (change) => copy.edit(GMSC_FILE, change), remove: copy.remove };
}

/** POST /v1/rules/reload: the node takes the edited copy (a new digest), or the test fails with the lint's errors. */
export async function reloadRules(h: GmscHarness): Promise<string> {
  const r = await h.admin("POST", "/v1/rules/reload");
  expect(r, JSON.stringify(r.body)).toMatchObject({ status: 200, body: { ok: true } });
  return r.body.digest as string;
}

/** The change was made in rules/ only: no file under src/ differs from the commit. */
export function expectSrcUntouched(): void {
  expect(srcChanges()).toBe("");
}
