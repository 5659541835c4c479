// Reads vitest's JSON report (npm test writes test-results/vitest.json): each test's full name and verdict.
import { existsSync, readFileSync } from "node:fs";

export interface TestVerdict {
  name: string;
  file: string;
  status: "passed" | "failed" | "skipped";
}

interface VitestJson {
  testResults: Array<{ name: string; assertionResults: Array<{ fullName: string; status: string }> }>;
}

export function readTestResults(path: string): TestVerdict[] | undefined {
  if (!existsSync(path)) return undefined;
  const report = JSON.parse(readFileSync(path, "utf8")) as VitestJson;
  return report.testResults.flatMap((file) =>
    file.assertionResults.map((t) => ({
      name: t.fullName,
      file: file.name,
      status: t.status === "passed" ? "passed" : t.status === "failed" ? "failed" : "skipped",
    })),
  );
}

/** Whether a test name cites an id as a whole (…/1 is not cited by a name that says …/1.a). */
export function cites(name: string, id: string): boolean {
  let at = name.indexOf(id);
  while (at !== -1) {
    const before = at === 0 ? " " : name[at - 1];
    const after = name[at + id.length] ?? " ";
    if (
      !/[0-9a-z.:/-]/.test(before) &&
      !/[0-9a-z/-]/.test(after) &&
      !(after === "." && /[0-9a-z]/.test(name[at + id.length + 1] ?? ""))
    )
      return true;
    at = name.indexOf(id, at + 1);
  }
  return false;
}
