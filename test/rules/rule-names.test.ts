// Names the S-CSCF's TypeScript relies on inside rule files are declared in the schemas (issue 16): renaming one
// in a rule file is a lint problem at its file:line:column, never a node that silently behaves otherwise.
import { describe, expect, it } from "vitest";
import { loadRuleSets, readRuleSources } from "../../src/rules/load-rules.ts";
import { formatProblem, RuleError } from "../../src/rules/rule-problems.ts";
import { projectRoot } from "../../src/rules/schema-registry.ts";
import { loadSpec } from "../../src/spec/clause-items.ts";

const spec = loadSpec(projectRoot);
const sources = readRuleSources(projectRoot);
const MAIN = "rules/24.229-5.4.5.1.2.rules.json";
const FAILURE = "rules/x-24.229-5.4.5.1.2-bye-failure.rules.json";

/** The problems of the rule set with one file's text changed by `edit`, and the changed text. */
function problemsWith(file: string, edit: (text: string) => string): { problems: string[]; text: string } {
  const source = sources.find((s) => s.file === file)!;
  const text = edit(source.text);
  expect(text).not.toBe(source.text);
  try {
    loadRuleSets(
      sources.map((s) => (s === source ? { ...s, text } : s)),
      spec,
    );
    return { problems: [], text };
  } catch (err) {
    if (!(err instanceof RuleError)) throw err;
    return { problems: err.problems.map(formatProblem), text };
  }
}

/** line:column of the first occurrence of `needle` (1-based) plus `skip` characters, as the problems print it. */
function placeOf(text: string, needle: string, skip = 0): string {
  const before = text.slice(0, text.indexOf(needle) + skip).split("\n");
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

describe("names the S-CSCF reads inside rule files are declared", () => {
  it("the S-CSCF clause must keep its cause table reasonByCause (the admin API's causes, items 1.g-4.g)", () => {
    const { problems, text } = problemsWith(MAIN, (t) => t.replace('"reasonByCause": {', '"reasonByCauses": {'));
    expect(problems).toEqual([
      `${MAIN}:${placeOf(text, '"reasonByCauses": {', '"reasonByCauses": '.length)} (/tables/reasonByCauses): unknown table name "reasonByCauses" (no rule looks it up); did you mean "reasonByCause"? (12 lookups use that name)`,
    ]);
  });

  it("reasonByCause must keep its default entry (the Reason of a cause it does not list)", () => {
    const { problems } = problemsWith(MAIN, (t) =>
      t.replace('"default": {\n        "protocol"', '"fallback": {\n        "protocol"'),
    );
    expect(problems.join("\n")).toMatch(
      /^rules\/24\.229-5\.4\.5\.1\.2\.rules\.json:\d+:\d+ \(\/tables\/reasonByCause\/default\): missing key "default"$/m,
    );
  });

  it('x-24.229:5.4.5.1.2/bye-failure the outcome "failed" is a value of the schema\'s ReleaseOutcome', () => {
    const { problems, text } = problemsWith(FAILURE, (t) => t.replace('"literal": "failed"', '"literal": "fail"'));
    expect(problems).toEqual([
      `${FAILURE}:${placeOf(text, '"fail"')} (/rules/0/actions/0/set/0/recipe/literal): expected a value of dialog.release.byeToCalled (none, sent, 2xx, failed, skipped), found "fail"`,
    ]);
  });

  it('24.229:5.4.5.1.2/1 the outcome "sent" a BYE records is a ReleaseOutcome too', () => {
    const { problems } = problemsWith(MAIN, (t) => t.replace('"literal": "sent"', '"literal": "sending"'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^rules\/24\.229-5\.4\.5\.1\.2\.rules\.json:\d+:\d+ \(\/rules\/0\/actions\/0\/onSent\/0\/recipe\/literal\): expected a value of dialog\.release\.byeToCalled \(none, sent, 2xx, failed, skipped\), found "sending"$/,
    );
  });

  it("24.229:5.4.5.1.2/1.i the routing internal-service-control is a value of the plan schema's Routing", () => {
    const { problems, text } = problemsWith(MAIN, (t) =>
      t.replace('"literal": "internal-service-control"', '"literal": "service-control"'),
    );
    expect(problems).toEqual([
      `${MAIN}:${placeOf(text, '"service-control"')} (/rules/0/actions/0/routing/recipe/literal): expected a routing (direct, internal-service-control), found "service-control"`,
    ]);
  });

  it("a recorded state path the facts schema does not know is rejected (the BYE's stored CSeq)", () => {
    const { problems } = problemsWith(MAIN, (t) =>
      t.replace('"path": "dialog.release.byeCSeqToCalled"', '"path": "dialog.release.cseqOfByeToCalled"'),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(
      '(/rules/0/actions/0/onSent/1/path): expected a state path of ScscfFacts, found "dialog.release.cseqOfByeToCalled"',
    );
  });

  it("24.229:5.4.5.1.2/1 a BYE's towards is a party of plan.schema.json PartyTowards: another value is rejected, never taken for the called user", () => {
    const { problems, text } = problemsWith(MAIN, (t) =>
      t.replace(
        '"towards": {\n            "recipe": {\n              "literal": "called"',
        '"towards": {\n            "recipe": {\n              "literal": "callee"',
      ),
    );
    expect(problems).toEqual([
      `${MAIN}:${placeOf(text, '"callee"')} (/rules/0/actions/0/towards/recipe/literal): expected a towards of called or calling (plan.schema.json, scscf), the recipe can give "callee"`,
    ]);
  });
});
