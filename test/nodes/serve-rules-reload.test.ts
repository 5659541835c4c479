// `cleardown serve` as an operator runs it, reloading its rules on SIGHUP (what a systemd ExecReload sends): a child
// process reading a copy of spec/ and rules/ (CLEARDOWN_HOME), its watcher off (--no-watch) so only the signal
// reloads. A valid edit is taken (new digest, logged with the source SIGHUP); a broken file is rejected with its
// file:line:column while the rules in force stay (and /v1/ready answers 503 naming it until a load succeeds);
// broken rules at start stop the node before it serves anything.
// Loopback only; the child is stopped by its PID.
import { resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { projectRoot } from "../../src/rules/schema-registry.ts";
import { type ChildNode, startChildNode } from "../support/child-node.ts";
import { freeTcpPort, freeUdpPort } from "../support/free-port.ts";
import { type ProjectCopy, projectCopy } from "../support/project-copy.ts";
import { eventually } from "./scscf/scscf-harness.ts";

const bin = resolve(projectRoot, "bin/cleardown.js");
const token = "sighup-test-token-0123456789";
const RULES = "rules/24.229-5.4.5.1.2.rules.json";
const lintError = (pointer: string) =>
  new RegExp(`rules/24\\.229-5\\.4\\.5\\.1\\.2\\.rules\\.json:\\d+:\\d+ \\(${pointer.replace(/\//g, "\\/")}\\): `);
let child: ChildNode | undefined;
let copy: ProjectCopy | undefined;

afterEach(async () => {
  await child?.kill();
  child = undefined;
  copy?.remove();
});

function serve(root: string, args: string[], level = "info"): ChildNode {
  return startChildNode(bin, ["serve", "--role", "scscf", ...args], {
    env: { ...process.env, CLEARDOWN_HOME: root, CLEARDOWN_ADMIN_TOKEN: token, CLEARDOWN_LOG_LEVEL: level },
  });
}

describe("cleardown serve reloads its rules on SIGHUP", () => {
  it("takes an edited rule file on SIGHUP (new digest, logged as SIGHUP), refuses a broken one with file:line:column and keeps the rules in force, stops on SIGTERM", async () => {
    copy = projectCopy("cleardown-sighup-");
    const [sip, admin] = await Promise.all([freeUdpPort(), freeTcpPort()]);
    const node = serve(copy.root, [
      "--sip",
      `udp://127.0.0.1:${sip}`,
      "--admin",
      `http://127.0.0.1:${admin}`,
      "--no-watch",
    ]);
    child = node;
    const logLines = () =>
      node
        .stdout()
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const digest = async () => {
      const r = await fetch(`http://127.0.0.1:${admin}/v1/health`, {
        headers: { authorization: `Bearer ${token}` },
      }).catch(() => undefined);
      return r?.status === 200 ? ((await r.json()) as { rules: string }).rules : undefined;
    };

    const generated = await eventually(digest, (d) => d !== undefined, "the admin API", 20_000);
    copy.editJson(RULES, (doc) => {
      doc.tables.reasonByCause.administrative = { protocol: "SIP", cause: 480, text: "Released by the network" };
    });
    // With --no-watch the edit waits for the operator's signal.
    await new Promise((r) => setTimeout(r, 300));
    expect(await digest()).toBe(generated);

    node.signal("SIGHUP");
    const edited = await eventually(digest, (d) => d !== generated, "the reload on SIGHUP");
    // The log line reaches stdout through the pipe a little after the reload took effect.
    const reloaded = await eventually(
      async () => logLines().find((l) => l.msg === "rules reloaded" && l.source === "SIGHUP"),
      (l) => l !== undefined,
      "the reload logged",
    );
    expect(reloaded).toMatchObject({ msg: "rules reloaded", source: "SIGHUP", digest: edited, changed: true });

    copy.replaceText(RULES, '"cause": 480', '"cause": "four-eighty"');
    node.signal("SIGHUP");
    const rejected = await eventually(
      async () => logLines().find((l) => l.msg === "rules rejected; the rules in force stay" && l.source === "SIGHUP"),
      (l) => l !== undefined,
      "the rejection on SIGHUP",
    );
    expect((rejected?.errors as string[] | undefined)?.[0]).toMatch(
      lintError("/tables/reasonByCause/administrative/cause"),
    );
    expect(await digest()).toBe(edited);
    // Liveness stays 200; readiness says the rules on disk failed to load, naming the place, until they load.
    const ready = async () => {
      const r = await fetch(`http://127.0.0.1:${admin}/v1/ready`, { headers: { authorization: `Bearer ${token}` } });
      return { status: r.status, body: (await r.json()) as { status: string; problems?: string[] } };
    };
    const notReady = await ready();
    expect(notReady.status).toBe(503);
    expect(notReady.body.problems?.[0]).toMatch(
      new RegExp(`^rules: ${lintError("/tables/reasonByCause/administrative/cause").source}`),
    );
    copy.replaceText(RULES, '"cause": "four-eighty"', '"cause": 480');
    node.signal("SIGHUP");
    await eventually(ready, (r) => r.status === 200, "ready once the rules load");
    expect(await digest()).toBe(edited);

    node.signal("SIGTERM");
    expect(await node.exited).toBe(0);
    expect(node.output()).toContain("stopped");
  });

  it("refuses to start on a broken rules/ (exit 2, the lint's file:line:column): the node runs the rules on disk from the start", async () => {
    copy = projectCopy("cleardown-serve-rules-");
    copy.replaceText(RULES, '"cause": 503', '"cause": "five-oh-three"');
    const sip = await freeUdpPort();
    child = serve(copy.root, ["--sip", `udp://127.0.0.1:${sip}`, "--admin", "http://127.0.0.1:0"], "warn");
    expect(await child.exited).toBe(2);
    expect(child.output()).toMatch(lintError("/tables/reasonByCause/default/cause"));
    expect(child.output()).toContain("the node did not start: fix rules/ (cleardown rules lint)");
  });
});
