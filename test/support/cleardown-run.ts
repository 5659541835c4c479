// Runs the real `cleardown` binary (bin/cleardown.js) in a child process, as a user types it: its exit code,
// stdout and stderr. The admin environment is cleared unless the test gives it, so the user's shell does not leak in.
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";

export const projectDir = resolve(import.meta.dirname, "../..");
const bin = resolve(projectDir, "bin/cleardown.js");

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cleardown(args: string[], env: Record<string, string | undefined> = {}): Promise<Ran> {
  const clean = { ...process.env, CLEARDOWN_ADMIN_TOKEN: undefined, CLEARDOWN_ADMIN: undefined, ...env };
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], {
      env: clean as NodeJS.ProcessEnv,
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
