// `npm run build` gives a self-contained dist/: copied away from the checkout (no node_modules, no tsx), it
// still lints the rules it carries, plans a release, plays the live demo, and runs a node with `serve` that
// answers /v1/health, reloads its rules (checked on the bundle's own rules check thread) and stops on SIGTERM.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../src/rules/schema-registry.ts";
import { startChildNode } from "../support/child-node.ts";
import { freeTcpPort, freeUdpPort } from "../support/free-port.ts";

const away = mkdtempSync(join(tmpdir(), "cleardown-dist-"));
// Nothing of the checkout's environment: no NODE_PATH, no tsx loader, only a PATH to find nothing but node.
const env = { PATH: process.env.PATH ?? "" };
const cleardown = (...args: string[]) =>
  execFileSync(process.execPath, [join(away, "cleardown.js"), ...args], {
    cwd: away,
    env,
    encoding: "utf8",
    timeout: 60_000,
  });

beforeAll(() => {
  execFileSync(
    process.execPath,
    [join(projectRoot, "node_modules/tsx/dist/cli.mjs"), join(projectRoot, "src/cli/build.ts")],
    { cwd: projectRoot, stdio: "pipe" },
  );
  cpSync(join(projectRoot, "dist"), away, { recursive: true });
}, 120_000);
afterAll(() => rmSync(away, { recursive: true, force: true }));

describe("deployment bundle", () => {
  it("runs from a copy of dist/ with plain node: rules lint, the scripted plans, the live demo", () => {
    expect(existsSync(join(away, "node_modules"))).toBe(false);
    expect(cleardown("rules", "lint")).toContain("rules are valid");
    const scripted = cleardown("demo", "--scripted");
    expect(scripted).toContain("CSeq: 103 BYE  [24.229:5.4.5.1.2/1.e, rfc3261:8.1.1.5, x-24.229:5.4.5.1.2/cseq-range]");
    expect(scripted).toContain("H.248 Context = 4711 { Subtract = ip/1/1/2 { Audit { } } }");
    const live = cleardown("demo");
    expect(live).toMatch(/^9 release scenarios played over loopback in \d+\.\d s$/m);
    expect(live).toMatch(/^audit: tests not run \(`npm test` runs them\): /m);
    expect(existsSync(join(away, "audit/report.html"))).toBe(true);
  });

  it("node dist/cleardown.js serve --role scscf … answers /v1/health and stops on SIGTERM", async () => {
    const [sip, admin] = await Promise.all([freeUdpPort(), freeTcpPort()]);
    const token = "dist-serve-token-0123456789";
    const node = startChildNode(
      join(away, "cleardown.js"),
      ["serve", "--role", "scscf", "--sip", `udp://127.0.0.1:${sip}`, "--admin", `http://127.0.0.1:${admin}`],
      { cwd: away, env: { ...env, CLEARDOWN_ADMIN_TOKEN: token } },
    );
    try {
      let health: { status: number; body: Record<string, unknown> } | undefined;
      for (const until = Date.now() + 20_000; health === undefined && Date.now() < until; ) {
        const r = await fetch(`http://127.0.0.1:${admin}/v1/health`, {
          headers: { authorization: `Bearer ${token}` },
        }).catch(() => undefined);
        if (r) health = { status: r.status, body: (await r.json()) as Record<string, unknown> };
        else await new Promise((res) => setTimeout(res, 100));
      }
      expect(health, node.output()).toMatchObject({
        status: 200,
        body: { status: "ok", role: "scscf", sip: [{ transport: "UDP", address: "127.0.0.1", port: sip }] },
      });
      // A reload checks the rules on a thread of its own: dist/rules-check-thread.js, beside the bundle.
      const reload = await fetch(`http://127.0.0.1:${admin}/v1/rules/reload`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
      });
      expect(await reload.json(), node.output()).toMatchObject({
        ok: true,
        digest: health?.body.rules,
        changed: false,
      });
      node.signal("SIGTERM");
      expect(await node.exited).toBe(0);
      expect(node.output()).toContain("stopped");
    } finally {
      await node.kill();
    }
  });
});
