// The rules-only change suite's helper (issue 16 item 5): a copy of the project's rules/ (and the spec/ they trace
// to) in a temporary folder that a test edits as a spec editor would, and that a node reads (its `root`). The
// proof that behaviour lives in data: a test edits only this copy, reloads the running node, sees the new
// behaviour on the wire, and finds src/ untouched.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import { projectRoot } from "../../src/rules/schema-registry.ts";

export interface RulesCopy {
  /** The copy's root (holding rules/ and spec/): a node's `root`, or CLEARDOWN_HOME of a child process. */
  dir: string;
  /** Rewrites one rule file of the copy as JSON ("24.229-5.4.5.1.2.rules.json" or "rules/…"). */
  // biome-ignore lint/suspicious/noExplicitAny: an editor's change reaches into the rule file's JSON freely
  edit(file: string, change: (json: any) => void): void;
  /** Back to the project's rules (a node shared by several tests starts each from them). */
  reset(): void;
  remove(): void;
}

/** A copy that lasts until remove(): for a node several tests share. */
export function rulesCopy(): RulesCopy {
  const dir = mkdtempSync(join(tmpdir(), "cleardown-rules-only-"));
  cpSync(join(projectRoot, "spec"), join(dir, "spec"), { recursive: true });
  const reset = () => cpSync(join(projectRoot, "rules"), join(dir, "rules"), { recursive: true });
  reset();
  return {
    dir,
    edit(file, change) {
      const path = join(dir, file.startsWith("rules/") ? file : `rules/${file}`);
      const json = JSON.parse(readFileSync(path, "utf8"));
      change(json);
      writeFileSync(path, `${JSON.stringify(json, null, 2)}\n`);
    },
    reset,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A fresh copy for the test under way, removed when that test ends. */
export function copyRules(): RulesCopy {
  const copy = rulesCopy();
  onTestFinished(copy.remove);
  return copy;
}

/** `git status --porcelain src` of the checkout: empty when no TypeScript of the product was touched. */
export function srcChanges(): string {
  return execFileSync("git", ["status", "--porcelain", "src"], { cwd: projectRoot, encoding: "utf8" });
}
