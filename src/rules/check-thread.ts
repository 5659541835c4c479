// Runs a rules check (check-rules.ts) on a thread of its own and gives back its result. From the sources
// (tsx) the thread loads rules-check-thread.ts through tsx; from the bundle, dist/rules-check-thread.js beside it.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { RuleCheck, RuleCheckRequest } from "./check-rules.ts";

function startThread(request: RuleCheckRequest): Worker {
  const here = import.meta.url;
  if (!here.endsWith(".ts")) return new Worker(new URL("./rules-check-thread.js", here), { workerData: request });
  // tsx's ESM entry (index.mjs beside the index.cjs that require resolves) registers its loader in the thread.
  const tsx = pathToFileURL(
    createRequire(here)
      .resolve("tsx/esm/api")
      .replace(/\.cjs$/, ".mjs"),
  ).href;
  const script = new URL("./rules-check-thread.ts", here).href;
  const code = `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(script)}); });`;
  return new Worker(code, { eval: true, workerData: request });
}

export function checkOffThread(request: RuleCheckRequest): Promise<RuleCheck> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (check: RuleCheck) => {
      if (settled) return;
      settled = true;
      resolve(check);
    };
    const thread = startThread(request);
    thread.once("message", (check: RuleCheck) => settle(check));
    thread.once("error", (err) => settle({ ok: false, errors: [`the rules check thread failed: ${err.message}`] }));
    thread.once("exit", (code) =>
      settle({ ok: false, errors: [`the rules check thread ended (exit ${code}) without a result`] }),
    );
  });
}
