// `cleardown studio [--port N] [--root DIR] [--results FILE]`: the spec editors' and auditors' workbench in a
// browser, on 127.0.0.1 only. It runs until Ctrl-C.
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { projectRoot } from "../rules/schema-registry.ts";
import { StudioUnavailable } from "../studio/page-bundle.ts";
import { startStudio } from "../studio/studio-server.ts";

export const defaultStudioPort = 4180;

const usage = `usage: cleardown studio [--port N] [--root DIR] [--results FILE]
  --port N        the loopback port (default ${defaultStudioPort}, or any free one when it is taken; 0 = any free)
  --root DIR      the project whose spec/, rules/ and schemas/ to open (default: this checkout)
  --results FILE  vitest's JSON report to show test results from (default: DIR/test-results/vitest.json)`;

export async function studio(args: string[]): Promise<{ exitCode: number; output: string }> {
  let values: { port?: string; root?: string; results?: string };
  try {
    ({ values } = parseArgs({
      args,
      options: { port: { type: "string" }, root: { type: "string" }, results: { type: "string" } },
    }));
  } catch (err) {
    return { exitCode: 2, output: `${(err as Error).message}\n${usage}` };
  }
  const port = values.port === undefined ? defaultStudioPort : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    return { exitCode: 2, output: `--port: expected an integer 0–65535, found "${values.port}"\n${usage}` };
  const root = values.root ? resolve(values.root) : projectRoot;
  const options = { root, results: values.results && resolve(values.results) };
  let started: Awaited<ReturnType<typeof startStudio>>;
  try {
    started = await startStudio({ ...options, port }).catch(async (err: NodeJS.ErrnoException) => {
      // The default port taken (a second studio): any free one will do. A port asked for by name is not replaced.
      if (err.code === "EADDRINUSE" && values.port === undefined) return startStudio({ ...options, port: 0 });
      throw err;
    });
  } catch (err) {
    if (err instanceof StudioUnavailable || (err as NodeJS.ErrnoException).code === "EADDRINUSE")
      return { exitCode: 1, output: `cleardown studio: ${(err as Error).message}` };
    throw err;
  }
  process.stdout.write(`cleardown studio for ${root}\n  open ${started.url}  (Ctrl-C stops it)\n`);
  await new Promise<void>((done) => {
    process.once("SIGINT", () => done());
    process.once("SIGTERM", () => done());
  });
  await started.close();
  return { exitCode: 0, output: "studio stopped" };
}
