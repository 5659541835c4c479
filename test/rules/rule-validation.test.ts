// Broken rule files are rejected with file:line:column (JSON pointer) and what was expected.
import { describe, expect, it } from "vitest";
import { lineColumn } from "../../src/grammar/run-grammar.ts";
import { lineOf, problemsWith as problemsIn, sources } from "./problems-with.ts";

const main = sources.find((s) => s.file === "rules/24.229-5.4.5.1.2.rules.json")!;

/** The problems of the rule set with the S-CSCF clause file replaced by `text`. */
const problemsWith = (text: string): string[] => problemsIn(main.file, text);

/** `file:line:column` of `value` inside the one place `context` occurs in the main file's text. */
function placeOf(text: string, context: string, value: string): string {
  const start = text.indexOf(context);
  expect(start, context).not.toBe(-1);
  expect(text.indexOf(context, start + 1), `${context} occurs once`).toBe(-1);
  const { line, column } = lineColumn(text, start + context.indexOf(value));
  return `${main.file}:${line}:${column}`;
}

/** The main file with `from` (which must occur) replaced by `to`, once. */
function edited(from: string, to: string): string {
  expect(main.text).toContain(from);
  return main.text.replace(from, to);
}

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

  it("a description that would end a line of the generated code (U+2028) is rejected at its place (issue 17)", () => {
    const doc = JSON.parse(main.text);
    doc.rules[1].description = "Looks harmless.\u2028globalThis.X=1;//";
    const broken = JSON.stringify(doc, null, 2);
    // The file is rejected as a whole, so the other files' references to its table are reported too.
    const [problem] = problemsWith(broken);
    expect([problem]).toEqual([
      `rules/24.229-5.4.5.1.2.rules.json:${lineOf(broken, '"Looks harmless.')}:${broken.split("\n")[lineOf(broken, '"Looks harmless.') - 1].indexOf('"Looks') + 1} (/rules/1/description): expected a string (one line of prose: no line break (CR, LF, U+0085, U+2028, U+2029), control or bidirectional-control character, or lone surrogate (it reaches comments of the generated code and the audit report)), found "Looks harmless.\\u2028globalThis.X=1;//"`,
    ]);
  });

  it("a description longer than an editor can read is rejected", () => {
    const doc = JSON.parse(main.text);
    doc.rules[0].description = "x".repeat(2001);
    expect(problemsWith(JSON.stringify(doc, null, 2)).slice(0, 1)).toEqual([
      expect.stringMatching(
        /^rules\/24\.229-5\.4\.5\.1\.2\.rules\.json:\d+:\d+ \(\/rules\/0\/description\): expected a string of at most 2000 characters \(one line of prose: .*\), found "x+…"$/,
      ),
    ]);
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
      /requestUri\/recipe\/fact\): expected a fact path of ScscfFacts, found "dialog\.calledContakt"; did you mean "dialog\.calledContact"\?$/,
    );
  });

  it("an unknown fact path in a condition is rejected", () => {
    const broken = main.text.replace('"path": "$.servedUser"', '"path": "$.servedUzer"');
    expect(problemsWith(broken)).toEqual([
      `${placeOf(broken, '"path": "$.servedUzer"', '"$')} (/rules/0/conditions/all/2/path): ` +
        'expected a fact path of ScscfFacts, found "dialog.servedUzer"; did you mean "dialog.servedUser"?',
    ]);
  });

  it("a duplicate rule id is rejected, naming the other file", () => {
    const broken = main.text.replace('"24.229:5.4.5.1.2/3#bye-to-called"', '"24.229:5.4.5.1.2/1#bye-to-called"');
    expect(problemsWith(broken)).toEqual([
      expect.stringContaining(
        'expected a unique rule id; "24.229:5.4.5.1.2/1#bye-to-called" is also defined in rules/24.229-5.4.5.1.2.rules.json',
      ),
    ]);
  });

  it("a recipe outside the closed vocabulary is rejected with the keys that would name one", () => {
    const broken = edited(
      '"recipe": {\n                "fact": "dialog.toOf200"\n              }',
      '"recipe": { "javascript": "dialog.toOf200" }',
    );
    expect(problemsWith(broken)).toEqual([
      `${placeOf(broken, '{ "javascript": "dialog.toOf200" }', '"dialog')} (/rules/0/actions/0/headers/0/recipe/javascript): ` +
        'unknown key "javascript"; expected one of the keys "fact", "literal", "increment", "randomCSeqIfAbsent", ' +
        '"gruu", "policy", "table", "concat", "join", "reason", "choose", "firstOf", "list", "tableKeys"',
    ]);
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

// Issue 18 item 3: each fault once, in plain words, in the file that holds it.
describe("rule file faults, each reported once in plain words", () => {
  it("a bad integer: the range the schema allows and the value found; nothing cascades into other files", () => {
    // before: 5 problems, 4 of them table lookups of the untouched x-…early-dialog file
    const broken = edited('"cause": 408,', '"cause": "abc",');
    expect(problemsWith(broken)).toEqual([
      `${placeOf(broken, '"cause": "abc"', '"abc"')} (/tables/reasonByCause/session-timer/cause): expected an integer 0–999, found "abc"`,
    ]);
  });

  it("an integer out of range", () => {
    const broken = edited('"priority": 10,', '"priority": 0,');
    expect(problemsWith(broken)).toEqual([
      `${placeOf(broken, '"priority": 0,', "0")} (/rules/0/priority): expected an integer 1–1000, found 0`,
    ]);
  });

  it("a misspelt key: named, with the nearest allowed key", () => {
    const broken = edited('"priority": 10,', '"priorty": 10,');
    expect(problemsWith(broken)).toEqual([
      `${placeOf(broken, '"priorty": 10', "10")} (/rules/0/priorty): unknown key "priorty"; did you mean "priority"?`,
    ]);
  });

  it("a misspelt key inside a union (a recipe) is the one fault, not every recipe shape's", () => {
    const broken = edited('"fact": "dialog.toOf200"', '"fakt": "dialog.toOf200"');
    expect(problemsWith(broken)).toEqual([
      `${placeOf(broken, '"fakt": "dialog.toOf200"', '"dialog')} (/rules/0/actions/0/headers/0/recipe/fakt): unknown key "fakt"; did you mean "fact"?`,
    ]);
  });

  it("a bad enum value: the values allowed, the one found and the nearest", () => {
    const broken = edited('"operator": "equal"', '"operator": "equals"');
    expect(problemsWith(broken)).toEqual([
      `${placeOf(broken, '"operator": "equals"', '"equals"')} (/rules/0/conditions/all/0/operator): expected one of ` +
        '"equal", "notEqual", "in", "notIn", "contains", "doesNotContain", "lessThan", "lessThanInclusive", ' +
        '"greaterThan", "greaterThanInclusive", found "equals"; did you mean "equal"?',
    ]);
  });

  it("a misspelt action type: the types of the action union, not the faults of eleven action shapes", () => {
    const broken = edited('"type": "send-request",', '"type": "send-requst",');
    expect(problemsWith(broken)).toEqual([
      `${placeOf(broken, '"type": "send-requst"', '"send')} (/rules/0/actions/0/type): expected one of "send-request", ` +
        '"forward-request", "forward-response", "respond", "send-cancel", "send-bye", "send-ack", ' +
        '"release-termination", "update-state", "release-state", "log", "indicate-release", found "send-requst"; did you mean "send-request"?',
    ]);
  });

  it("a missing required key, at the object it is missing from", () => {
    const broken = edited('"method": "BYE",\n', "");
    // the first send-request action's opening brace
    const { line, column } = lineColumn(broken, broken.lastIndexOf("{", broken.indexOf('"type": "send-request"')));
    expect(problemsWith(broken)).toEqual([
      `${main.file}:${line}:${column} (/rules/0/actions/0/method): missing key "method"`,
    ]);
  });

  it("an object of another shape altogether is one fault, not one per key it lacks", () => {
    const broken = edited(
      '"switch": {\n        "policy": "item4RequestUri",\n        "chosen": "calling-user-contact",\n        "literal": "called-user-contact"\n      }',
      '"switch": { "flip": true }',
    );
    expect(problemsWith(broken)).toEqual([
      `${placeOf(broken, '"switch": { "flip": true }', "{")} (/deviations/0/switch): ` +
        'expected an object with the keys "policy", "chosen", "literal", found one with only "flip"',
    ]);
  });

  it("a pattern is explained by the schema's description", () => {
    const broken = edited('"text": "Session Timer Expired"', '"text": "Session\\r\\nVia: evil"');
    expect(problemsWith(broken)).toEqual([
      `${placeOf(broken, '"text": "Session\\r', '"Session')} (/tables/reasonByCause/session-timer/text): ` +
        'expected a string (goes into a quoted-string: no CR, LF, quote or backslash), found "Session\\r\\nVia: evil"',
    ]);
  });

  it("a misspelt table name: one fault at the definition, none at its 12 lookups or the clause's required key", () => {
    const broken = edited('"reasonByCause": {', '"Reasonbycause": {');
    expect(problemsWith(broken)).toEqual([
      `${placeOf(broken, '"Reasonbycause": {', "{")} (/tables/Reasonbycause): unknown table name "Reasonbycause" ` +
        '(no rule looks it up); did you mean "reasonByCause"? (12 lookups use that name)',
    ]);
  });

  it("a lookup of a misspelt table name is a fault at the lookup, with the nearest table", () => {
    const broken = edited('"table": "reasonByCause",\n', '"table": "reasonsByCause",\n');
    const problems = problemsWith(broken);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /\/table\): expected a table defined in a scscf rule file, found "reasonsByCause"; did you mean "reasonByCause"\?$/,
    );
  });

  it("a file that is not JSON is the one fault: the lookups of other files are not blamed", () => {
    const broken = edited('"facts": "scscf",', '"facts": "scscf"');
    expect(problemsWith(broken)).toEqual([
      `${main.file}:${lineOf(broken, '"deviations"')}:3 (/): not JSON: expected "," or "}"`,
    ]);
  });
});
