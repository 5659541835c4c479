// `npm run build` gives a self-contained dist/: copied away from the checkout (no node_modules, no tsx), it
// still lints the rules it carries and plans a release.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../src/rules/schema-registry.ts";

const away = mkdtempSync(join(tmpdir(), "cleardown-dist-"));
afterAll(() => rmSync(away, { recursive: true, force: true }));

describe("deployment bundle", () => {
  it("runs from a copy of dist/ with plain node", () => {
    execFileSync(
      process.execPath,
      [join(projectRoot, "node_modules/tsx/dist/cli.mjs"), join(projectRoot, "src/cli/build.ts")],
      { cwd: projectRoot, stdio: "pipe" },
    );
    cpSync(join(projectRoot, "dist"), away, { recursive: true });
    const env = { PATH: process.env.PATH ?? "" };
    const lint = execFileSync(process.execPath, [join(away, "cleardown.js"), "rules", "lint"], {
      cwd: away,
      env,
      encoding: "utf8",
    });
    expect(lint).toContain("rules are valid");
    const demo = execFileSync(process.execPath, [join(away, "cleardown.js"), "demo"], {
      cwd: away,
      env,
      encoding: "utf8",
    });
    expect(demo).toContain("CSeq: 103 BYE  [24.229:5.4.5.1.2/1.e]");
    expect(demo).toContain("H.248 Context = 4711 { Subtract = ip/1/1/2 { Audit { } } }");
  });
});
