// Issue 17 item 1: the code builder. Values become escaped literals, identifiers are checked Names, comments
// cannot end their line: whatever the text, the output means what the generator wrote.
import { describe, expect, it } from "vitest";
import { _, comment, join, Name, property, Scope, value } from "../../src/generate/codegen.ts";

const evaluate = (code: unknown) => new Function(`"use strict"; return (${String(code)});`)();

describe("code builder", () => {
  it("a string reaches code only as a literal that evaluates back to itself", () => {
    for (const s of [
      "\u2028x",
      "\u2029",
      "\u0085",
      '"',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder text is the attack
      "`${x}`",
      "*/",
      "</script>",
      "\u0000",
      "\ud800",
      "\u202e",
      "\\",
    ]) {
      const code = _`${s}`;
      expect(String(code)).not.toMatch(/[\u2028\u2029\u0085\u202e\u0000]/);
      expect(evaluate(code)).toBe(s);
    }
  });

  it("a __proto__ key stays a property of the object, as JSON.parse makes it", () => {
    const v = JSON.parse('{"__proto__": {"polluted": true}, "a": [1, null, "b"]}');
    const copy = evaluate(value(v, ""));
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.hasOwn(copy, "__proto__")).toBe(true);
    expect(copy).toEqual(v);
    expect(String(value(v))).toBe('{ ["__proto__"]: { "polluted": true }, "a": [1, null, "b"] }');
  });

  it("a value that is not JSON is refused, not written", () => {
    expect(() => _`${undefined}`).toThrow(/not a JSON value/);
    expect(() => _`${Number.NaN}`).toThrow(/not a JSON number/);
    expect(() => _`${() => 1}`).toThrow(/not a JSON value/);
  });

  it("a Name is one identifier and never a reserved word or a global", () => {
    expect(String(new Name("dialogState"))).toBe("dialogState");
    for (const bad of ["a b", "a;b", "1a", "", "globalThis", "constructor()", "eval", "x\u2028"])
      expect(() => new Name(bad)).toThrow(/not a safe identifier/);
  });

  it("a property is a dot access for an identifier, an escaped index otherwise", () => {
    expect(String(property("state", true))).toBe("?.state");
    expect(String(property("a\u2028b", true))).toBe('?.["a\\u2028b"]');
    expect(evaluate(_`${{ "x-y": 1 }}${property("x-y")}`)).toBe(1);
  });

  it("a comment strips every line terminator, control and bidi character and */, and wraps", () => {
    const text = "one\rtwo\nthree\u2028four\u2029five\u0085six */ seven\u202e\u0000 eight";
    const c = String(comment(text, "  ", 40));
    expect(c).not.toMatch(/[\r\u2028\u2029\u0085\u202e\u0000]|\*\//);
    for (const line of c.split("\n")) {
      expect(line.startsWith("  // ")).toBe(true);
      expect(line.length).toBeLessThanOrEqual(40);
    }
    expect(c.replace(/\n {2}\/\/ /g, " ")).toBe("  // one two three four five six * / seven eight");
    // Followed by code, it stays a comment: the statement after it runs, nothing in it does.
    expect(evaluate(`(() => {\n${String(comment("\u2028globalThis.X=1;//"))}\nreturn 7; })()`)).toBe(7);
    expect("X" in globalThis).toBe(false);
  });

  it("a scope hands out unique checked names, camelCase, from any text", () => {
    const scope = new Scope(["facts"]);
    expect(String(scope.name("dialog", "state"))).toBe("dialogState");
    expect(String(scope.name("dialog", "state"))).toBe("dialogState2");
    expect(String(scope.name("facts"))).toBe("facts2");
    expect(String(scope.name("1", "bye-to-called"))).toBe("n1ByeToCalled");
    expect(String(scope.name("\u2028;globalThis.X=1//"))).toBe("globalThisX1");
    expect(String(scope.name("*/"))).toBe("value");
  });

  it("join takes only punctuation and white space as a separator", () => {
    expect(String(join([_`a`, _`b`], " && "))).toBe("a && b");
    expect(() => join([_`a`, _`b`], "; globalThis.X = 1; ")).toThrow(/separator/);
  });
});
