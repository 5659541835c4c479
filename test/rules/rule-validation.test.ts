// Broken rule files are rejected with file:line:column (JSON pointer) and what was expected.
import { describe, expect, it } from "vitest";
import { lineOf, problemsWith as problemsIn, sources } from "./problems-with.ts";

const main = sources.find((s) => s.file === "rules/24.229-5.4.5.1.2.rules.json")!;

/** The problems of the rule set with the S-CSCF clause file replaced by `text`. */
const problemsWith = (text: string): string[] => problemsIn(main.file, text);

describe("rule file validation", () => {
  it("the project's rule files load without a problem", () => {
    expect(problemsWith(main.text)).toEqual([]);
  });

  it("a JSON syntax error names its line and column", () => {
    const broken = main.text.replace('"facts": "scscf",', '"facts": "scscf"');
    const [problem] = problemsWith(broken);
    expect(problem).toMatch(/^rules\/24\.229-5\.4\.5\.1\.2\.rules\.json:\d+:\d+ \(\/\): not JSON: expected "," or "}"/);
    expect(problem).toContain(`:${lineOf(broken, '"deviations"')}:3 `);
  });

  it("an unknown operator is rejected at its place with the operators allowed", () => {
    const broken = main.text.replace('"operator": "equal"', '"operator": "equals"');
    const [problem] = problemsWith(broken);
    expect(problem).toContain(`:${lineOf(broken, '"equals"')}:`);
    expect(problem).toContain("(/rules/0/conditions/all/0/operator)");
    expect(problem).toContain('expected one of "equal", "notEqual", "in"');
  });

  it("a trace id naming no clause item is rejected", () => {
    const broken = main.text.replace('"24.229:5.4.5.1.2/1.a"', '"24.229:5.4.5.1.2/1.z"');
    const problems = problemsWith(broken);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /\(\/rules\/\d+\/actions\/0\/requestUri\/trace\/0\): expected a clause item id of spec\/ or a declared extension id, found "24\.229:5\.4\.5\.1\.2\/1\.z"/,
    );
  });

  it("an unknown fact path in a recipe is rejected", () => {
    const broken = main.text.replace('"fact": "dialog.calledContact"', '"fact": "dialog.calledContakt"');
    const [problem] = problemsWith(broken);
    expect(problem).toMatch(
      /requestUri\/recipe\/fact\): expected a fact path of ScscfFacts, found "dialog\.calledContakt"/,
    );
  });

  it("an unknown fact path in a condition is rejected", () => {
    const broken = main.text.replace('"path": "$.servedUser"', '"path": "$.servedUzer"');
    expect(problemsWith(broken)[0]).toContain('expected a fact path of ScscfFacts, found "dialog.servedUzer"');
  });

  it("a duplicate rule id is rejected, naming the other file", () => {
    const broken = main.text.replace('"24.229:5.4.5.1.2/3#bye-to-called"', '"24.229:5.4.5.1.2/1#bye-to-called"');
    expect(problemsWith(broken)).toEqual([
      expect.stringContaining(
        'expected a unique rule id; "24.229:5.4.5.1.2/1#bye-to-called" is also defined in rules/24.229-5.4.5.1.2.rules.json',
      ),
    ]);
  });

  it("a recipe outside the closed vocabulary is rejected with the shapes that would fit", () => {
    const broken = main.text.replace(
      '"recipe": {\n                "fact": "dialog.toOf200"\n              }',
      '"recipe": { "javascript": "dialog.toOf200" }',
    );
    expect(broken).not.toBe(main.text);
    const problems = problemsWith(broken);
    expect(problems.join("\n")).toMatch(/expected an object with one of the properties fact, literal, increment/);
  });

  it("a Reason text with a line break or quote is rejected (it would break the header)", () => {
    const broken = main.text.replace('"text": "Session Timer Expired"', '"text": "Session\\r\\nVia: evil"');
    expect(problemsWith(broken).join("\n")).toContain("/tables/reasonByCause/session-timer");
  });

  it("a deviation switch must name a policy key and its values", () => {
    const broken = main.text.replace('"policy": "item4RequestUri"', '"policy": "item4RequestURI"');
    expect(problemsWith(broken).join("\n")).toContain("expected a policy key");
  });

  it("an unknown table and a state path outside the dialog are rejected", () => {
    const broken = main.text
      .replace('"table": "reasonByCause",\n', '"table": "reasonsByCause",\n')
      .replace('"path": "dialog.state"', '"path": "policy.gmscOption"');
    const text = problemsWith(broken).join("\n");
    expect(text).toContain('expected a table defined in a scscf rule file, found "reasonsByCause"');
    expect(text).toContain('expected a path under "dialog."');
  });
});
