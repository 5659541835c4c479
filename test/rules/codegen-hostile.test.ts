// Issue 17 item 2: no rule text becomes code. Hostile strings (line terminators of every kind, quotes, backticks,
// `${`, `*/`, `</script>`, NUL, lone surrogates, very long strings) in every string field of the rule files: lint
// rejects them at file:line:col, or the compiled rules parse, define nothing on globalThis and agree with
// json-rules-engine. `npm run fuzz` runs thousands of these; CI a few hundred.
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { buildDecider, runtimeModule } from "../../src/generate/runtime.ts";
import { readRuleSources } from "../../src/rules/load-rules.ts";
import { projectRoot } from "../../src/rules/schema-registry.ts";
import {
  bypassCase,
  caseRoot,
  checkCompiled,
  checkThroughLint,
  checkWithoutLint,
  hostileCase,
} from "../fuzz/rule-codegen.ts";
import { ruleSets } from "./decide.ts";

const runs = Number(process.env.CODEGEN_HOSTILE_RUNS ?? 200);
const exploit = "Looks harmless.\u2028globalThis.X=1;//";

describe("generated code under hostile rule text", () => {
  const place = caseRoot();
  afterAll(() => place.close());

  it(`rules lint rejects at file:line:col, or the compile is safe and agrees (${runs} rule files)`, async () => {
    const seen = { rejected: 0, compiled: 0 };
    await fc.assert(
      fc.asyncProperty(hostileCase, async (c) => {
        const outcome = await checkThroughLint(c, place.root);
        expect(outcome.verdict === "failed" ? outcome.why : "ok").toBe("ok");
        seen[outcome.verdict as "rejected" | "compiled"]++;
      }),
      { numRuns: runs, seed: 2028 },
    );
    // Both branches must be reached, or the property proves half of what it claims.
    expect(seen.rejected).toBeGreaterThan(runs / 10);
    expect(seen.compiled).toBeGreaterThan(runs / 10);
  }, 300_000);

  it(`the compiler is safe without the schema's limits (${runs} rule sets changed behind lint's back)`, async () => {
    await fc.assert(
      fc.asyncProperty(bypassCase, async (c) => {
        const outcome = await checkWithoutLint(c);
        expect(outcome.verdict === "failed" ? outcome.why : "ok").toBe("ok");
      }),
      { numRuns: runs, seed: 2029 },
    );
  }, 300_000);

  it("regression: a description holding U+2028 then code stays a comment (the reported exploit)", async () => {
    const set = structuredClone(ruleSets.scscf);
    set.rules[0].rule.description = exploit;
    set.rules[1].rule.id = `x\u2028globalThis.X=1;//#a`;
    expect(await checkCompiled(set, readRuleSources(projectRoot))).toBeUndefined();
    const ts = runtimeModule(set, "0");
    expect(ts).not.toMatch(/[\u2028\u2029]/);
    expect(ts).toContain("  // Looks harmless. globalThis.X=1;//\n");
    // The rule id is data too: in the fired actions it is an escaped string.
    expect(ts).toContain('"rule": "x\\u2028globalThis.X=1;//#a"');
    buildDecider(set).decide({});
    expect("X" in globalThis).toBe(false);
  });
});
