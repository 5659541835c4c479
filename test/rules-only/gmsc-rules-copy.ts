// A temporary copy of spec/ and rules/ a running GMSC reads (its root), edited the way a spec editor edits the rule
// file, then reloaded through the admin API; and the proof that src/ was not touched (git status --porcelain src).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import type { RuleFile } from "../../generated/types/index.ts";
import { projectRoot } from "../../src/rules/schema-registry.ts";
import type { GmscHarness } from "../nodes/gmsc/gmsc-harness.ts";
import { srcChanges } from "./rules-copy.ts";

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
  const root = mkdtempSync(join(tmpdir(), "cleardown-rules-only-"));
  cpSync(join(projectRoot, "spec"), join(root, "spec"), { recursive: true });
  const file = join(root, "rules", GMSC_FILE);
  const reset = () => cpSync(join(projectRoot, "rules"), join(root, "rules"), { recursive: true });
  reset();
  return {
    root,
    reset,
    edit(change) {
      const rules = JSON.parse(readFileSync(file, "utf8")) as RuleFile;
      change(rules);
      writeFileSync(file, `${JSON.stringify(rules, null, 2)}\n`);
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
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
