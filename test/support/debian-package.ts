// Tests that need a real peer install its Debian package when it is missing (CI and fresh machines are root).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

let updated = false;

/** Makes sure `binary` exists, installing `pkg` with apt-get if not; throws with apt's output on failure. */
export function ensureDebianPackage(pkg: string, binary: string): string {
  if (existsSync(binary)) return binary;
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (!updated) {
    execFileSync("apt-get", ["update", "-qq"], { env, stdio: "pipe", timeout: 300_000 });
    updated = true;
  }
  execFileSync("apt-get", ["install", "-y", "-qq", pkg], { env, stdio: "pipe", timeout: 600_000 });
  if (!existsSync(binary)) throw new Error(`apt-get installed ${pkg} but ${binary} is still missing`);
  return binary;
}
