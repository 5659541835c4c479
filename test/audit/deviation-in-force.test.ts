// Issue 16 item 3: the deviation switch has one home. The rule file's deviations[].switch.chosen is the default
// the node uses, a node config's policy overrides it, and the audit report shows the reading actually in force.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { audit } from "../../src/audit/audit-run.ts";
import { policyOf } from "../../src/config/node-config.ts";
import { type ProjectCopy, projectCopy } from "../support/project-copy.ts";

const RULES = "rules/24.229-5.4.5.1.2.rules.json";
const copies: ProjectCopy[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const c of copies) c.remove();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function inForce(root: string, config?: string) {
  const out = mkdtempSync(join(tmpdir(), "cleardown-audit-"));
  dirs.push(out);
  const result = audit(root, { check: false, out, results: join(out, "none.json"), config });
  const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
  const html = readFileSync(join(out, "report.html"), "utf8");
  return { deviation: report.deviations[0], output: result.output, html };
}

describe("24.229:5.4.5.1.2/4.a the deviation's reading in force", () => {
  it("the rule file's switch is the default, a node config's policy overrides it", () => {
    expect(policyOf({}, { item4RequestUri: "called-user-contact" }).item4RequestUri).toBe("called-user-contact");
    expect(
      policyOf({ policy: { item4RequestUri: "calling-user-contact" } }, { item4RequestUri: "called-user-contact" })
        .item4RequestUri,
    ).toBe("calling-user-contact");
    expect(policyOf({}, {}).item4RequestUri).toBe("calling-user-contact");
  });

  it("the audit report shows the rule file's chosen reading, or the literal one once the file switches it", () => {
    const copy = projectCopy("cleardown-deviation-");
    copies.push(copy);
    const chosen = inForce(copy.root);
    expect(chosen.deviation.inForce).toEqual({
      policy: "item4RequestUri",
      value: "calling-user-contact",
      reading: "chosen",
      from: RULES,
    });
    expect(chosen.output).toContain(
      `deviation 24.229:5.4.5.1.2/4.a: policy item4RequestUri = calling-user-contact in force: the chosen reading (from ${RULES})`,
    );
    copy.editJson(RULES, (doc) => {
      doc.deviations[0].switch.chosen = "called-user-contact";
    });
    const literal = inForce(copy.root);
    expect(literal.deviation.inForce).toMatchObject({ value: "called-user-contact", reading: "literal", from: RULES });
    expect(literal.html).toContain('data-in-force="literal"');
  });

  it("with a node config (audit --config FILE) the report shows the reading that config puts in force", () => {
    const copy = projectCopy("cleardown-deviation-");
    copies.push(copy);
    const config = join(copy.root, "literal.json");
    writeFileSync(config, JSON.stringify({ policy: { item4RequestUri: "called-user-contact" } }));
    const { deviation, output } = inForce(copy.root, config);
    expect(deviation.inForce).toEqual({
      policy: "item4RequestUri",
      value: "called-user-contact",
      reading: "literal",
      from: config,
    });
    expect(output).toContain(`the seed's literal reading (from ${config})`);
  });
});
