// Erlang/OTP with its megaco application for the H.248 peer tests: Debian's erlang-base + erlang-megaco,
// installed with apt-get only when `erl` is missing.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

let checked = false;

/** Makes sure erl, erlc and escript exist with megaco; returns the escript path. */
export function ensureErlangMegaco(): { erl: string; erlc: string; escript: string } {
  const bins = { erl: "/usr/bin/erl", erlc: "/usr/bin/erlc", escript: "/usr/bin/escript" };
  if (!checked) {
    if (!existsSync(bins.erl) || !existsSync(bins.erlc) || !existsSync(bins.escript)) {
      const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
      execFileSync("apt-get", ["update", "-qq"], { env, stdio: "pipe", timeout: 300_000 });
      execFileSync("apt-get", ["install", "-y", "-qq", "erlang-megaco", "erlang-base"], {
        env,
        stdio: "pipe",
        timeout: 600_000,
      });
    }
    const libs = execFileSync(bins.erl, ["-noshell", "-eval", 'io:format("~s",[code:lib_dir(megaco)]), halt().'], {
      encoding: "utf8",
      timeout: 30_000,
    });
    if (!libs.includes("megaco")) throw new Error(`erl has no megaco application: ${libs}`);
    checked = true;
  }
  return bins;
}
