// The studio's JSON API, as the page calls it.
import type { RuleProblem } from "../../rules/rule-problems.ts";
import type { ScenarioPreview } from "../preview.ts";
import type { LintResult, Overview } from "../workspace.ts";

export type { LintResult, Overview, RuleProblem, ScenarioPreview };

async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; value: T }> {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const value = (await res.json()) as T & { error?: string };
  if (res.status >= 400 && res.status !== 422) throw new Error(value.error ?? `${method} ${path}: ${res.status}`);
  return { status: res.status, value };
}

export const api = {
  overview: async () => (await call<Overview>("GET", "/api/overview")).value,
  files: async () => (await call<Overview["files"]>("GET", "/api/rules")).value,
  ruleFile: async (file: string) =>
    (
      await call<{ file: string; text: string }>(
        "GET",
        `/api/rules/${encodeURIComponent(file.replace(/^rules\//, ""))}`,
      )
    ).value,
  schema: async (name: string) => (await call<object>("GET", `/api/schemas/${name}`)).value,
  preview: async (file: string, text: string) =>
    (await call<{ lint: LintResult; scenarios: ScenarioPreview[] }>("POST", "/api/preview", { file, text })).value,
  save: async (file: string, text: string) =>
    (await call<LintResult>("PUT", `/api/rules/${encodeURIComponent(file.replace(/^rules\//, ""))}`, { text })).value,
  approve: async (ids: string[]) => (await call<{ approved: string[] }>("PUT", "/api/approvals", { ids })).value,
};
