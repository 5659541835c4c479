// `cleardown demo --config FILE`: both demo nodes take a node config, so an editor sees a policy's effect on the
// wire, e.g. item 4's literal reading (issue 16 item 3): the BYE meant for the calling user goes to the called
// user's Contact, which the demo shows in the ladder and as the scenario that did not happen.
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../src/rules/schema-registry.ts";
import { startChildNode } from "../support/child-node.ts";
import { projectCopy } from "../support/project-copy.ts";

const bin = resolve(projectRoot, "bin/cleardown.js");
const S = "24.229:5.4.5.1.2";
const copy = projectCopy("cleardown-demo-config-");
afterAll(() => copy.remove());

describe("cleardown demo --config FILE", () => {
  it(`${S}/4.a the literal reading from a node config's policy is on the wire: item 4's BYE goes to the called user's Contact`, async () => {
    const config = join(copy.root, "literal.json");
    writeFileSync(config, JSON.stringify({ policy: { item4RequestUri: "called-user-contact" } }));
    const run = startChildNode(bin, ["demo", "--config", config], {
      env: { ...process.env, CLEARDOWN_HOME: copy.root },
    });
    try {
      // The calling user never gets a BYE under the seed's literal words: the demo says so and exits 1.
      expect(await run.exited, run.stderr()).toBe(1);
      const out = run.stdout();
      const block = out.split(/^== /m).find((b) => b.startsWith("S-CSCF serving the called user"))!;
      const lines = block.split("\n");
      const item4 = lines.findIndex((l) => l.includes(`(rule ${S}/4#bye-to-calling)`));
      expect(lines[item4]).toMatch(/^ {2}BYE → UE bob {2}\(rule /);
      const bobContact = /Request-URI: (sip:bob@127\.0\.0\.1:\d+) {2}\[24\.229:5\.4\.5\.1\.2\/3\.a\]/.exec(block)?.[1];
      expect(bobContact).toBeDefined();
      expect(lines[item4 + 1]).toBe(`      Request-URI: ${bobContact}  [${S}/4.a]`);
      expect(block).toContain("!! scenario failed: alice receives BYE");
      expect(out).toContain(
        `deviation ${S}/4.a: policy item4RequestUri = called-user-contact in force: the seed's literal reading (from ${config})`,
      );
    } finally {
      await run.kill();
    }
  });

  it("a config that does not fit the schema stops the demo naming the place", async () => {
    const config = join(copy.root, "broken.json");
    writeFileSync(config, JSON.stringify({ policy: { item4RequestUri: "called-users-contact" } }));
    const run = startChildNode(bin, ["demo", "--config", config], {
      env: { ...process.env, CLEARDOWN_HOME: copy.root },
    });
    try {
      expect(await run.exited).toBe(1);
      expect(run.stderr() + run.stdout()).toContain(
        `${config}:1:30 (/policy/item4RequestUri): expected one of "calling-user-contact", "called-user-contact"`,
      );
    } finally {
      await run.kill();
    }
  });
});
