// A copy of the project's spec/ and rules/ in a temp folder, for a node or command that reads them (a test's
// StartNodeOptions.root, or CLEARDOWN_HOME of a child process) and that the test may edit as a spec editor would.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../../src/rules/schema-registry.ts";

export interface ProjectCopy {
  root: string;
  /** Rewrites one rule file (path relative to the copy, e.g. rules/24.229-5.4.5.1.2.rules.json) as JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: an editor's change reaches into the rule file's JSON freely
  editJson(file: string, change: (doc: any) => void): void;
  /** Replaces text in a file of the copy (a slip no JSON edit would make). */
  replaceText(file: string, from: string, to: string): void;
  remove(): void;
}

export function projectCopy(prefix = "cleardown-copy-"): ProjectCopy {
  const root = mkdtempSync(join(tmpdir(), prefix));
  for (const dir of ["spec", "rules"]) cpSync(join(projectRoot, dir), join(root, dir), { recursive: true });
  return {
    root,
    editJson(file, change) {
      const doc = JSON.parse(readFileSync(join(root, file), "utf8"));
      change(doc);
      writeFileSync(join(root, file), `${JSON.stringify(doc, null, 2)}\n`);
    },
    replaceText(file, from, to) {
      const text = readFileSync(join(root, file), "utf8");
      if (!text.includes(from)) throw new Error(`${file}: no ${JSON.stringify(from)} to replace`);
      writeFileSync(join(root, file), text.replace(from, to));
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
