// `cleardown serve` refuses an admin token under 16 characters wherever it comes from — CLEARDOWN_ADMIN_TOKEN or
// adminToken in the config file — with one line naming the source, before it opens any socket (exit 2).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../src/rules/schema-registry.ts";
import { startChildNode } from "../support/child-node.ts";
import { freeTcpPort, freeUdpPort } from "../support/free-port.ts";

const bin = resolve(projectRoot, "bin/cleardown.js");

async function serve(env: Record<string, string | undefined>, extra: string[] = []) {
  const [sip, admin] = await Promise.all([freeUdpPort(), freeTcpPort()]);
  const args = ["serve", "--role", "scscf", "--sip", `udp://127.0.0.1:${sip}`, "--admin", `http://127.0.0.1:${admin}`];
  const { CLEARDOWN_ADMIN_TOKEN: _, ...base } = process.env;
  const child = startChildNode(bin, [...args, ...extra], { env: { ...base, ...env }, boundMs: 20_000 });
  return { code: await child.exited, output: child.output().trim() };
}

describe("cleardown serve: the admin token is at least 16 characters, from any source", () => {
  it("CLEARDOWN_ADMIN_TOKEN of one character: refused in one line, exit 2", async () => {
    const r = await serve({ CLEARDOWN_ADMIN_TOKEN: "x" });
    expect(r).toEqual({
      code: 2,
      output:
        "cleardown serve: CLEARDOWN_ADMIN_TOKEN: the admin token has 1 character; at least 16 are needed; see cleardown serve --help",
    });
  });
  it("CLEARDOWN_ADMIN_TOKEN of 15 characters: refused; none at all: refused", async () => {
    expect(await serve({ CLEARDOWN_ADMIN_TOKEN: "a".repeat(15) })).toEqual({
      code: 2,
      output:
        "cleardown serve: CLEARDOWN_ADMIN_TOKEN: the admin token has 15 characters; at least 16 are needed; see cleardown serve --help",
    });
    expect(await serve({})).toEqual({
      code: 2,
      output:
        "cleardown serve: the admin API needs a token: adminToken in the config or CLEARDOWN_ADMIN_TOKEN; see cleardown serve --help",
    });
  });
  it("adminToken in the config file shorter than 16: refused naming the file, line, column and pointer", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "cleardown-token-")), "node.json");
    writeFileSync(file, '{ "adminToken": "short" }\n');
    const r = await serve({ CLEARDOWN_ADMIN_TOKEN: "a-long-enough-env-token" }, ["--config", file]);
    expect(r.code).toBe(2);
    expect(r.output.split("\n")[0]).toBe(
      `cleardown serve: ${file}:1:17 (/adminToken): expected a string of at least 16 characters (bearer token for the admin API (or CLEARDOWN_ADMIN_TOKEN)), found "short"; see cleardown serve --help`,
    );
  });
});
