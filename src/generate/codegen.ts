// The only way text reaches generated code. A `Code` is code this generator wrote; anything else interpolated
// into the `_` template is a value and is written as an escaped literal; identifiers are `Name`s, checked when
// made; comments come from `comment()`, which cannot end its line. Rule files are data an editor (or anyone who
// can write rules/) controls: nothing in them may become code, in the committed TypeScript or in the function
// a hot reload compiles. The shape follows ajv's lib/compile/codegen (tagged templates, a checked Name, a
// stringify that escapes U+2028/U+2029); the code is our own.

export class Code {
  constructor(private readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
// Reserved words and the globals a name must not shadow, so a name taken from a rule cannot change meaning.
const reserved = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for " +
    "function if import in instanceof new null return super switch this throw true try typeof var void while with " +
    "yield let static implements interface package private protected public await async arguments eval undefined " +
    "NaN Infinity globalThis Array Object Number String Boolean Symbol Function Math JSON Reflect Proxy Error"
  ).split(" "),
);

/** An identifier: checked when made, so a Name can only ever be one identifier. */
export class Name extends Code {
  constructor(name: string) {
    if (!identifier.test(name) || reserved.has(name))
      throw new Error(`codegen: not a safe identifier: ${literal(name)}`);
    super(name);
  }
}

/** Code from a template: the template's own text is code, every interpolated Code is kept, any other value
 * becomes a literal. */
export function _(strings: TemplateStringsArray, ...values: unknown[]): Code {
  let out = strings[0];
  values.forEach((v, i) => {
    out += (v instanceof Code ? v.toString() : literal(v)) + strings[i + 1];
  });
  return new Code(out);
}

/** Code joined by a separator that is itself code. */
export function join(parts: readonly Code[], separator: Code | string = ", "): Code {
  return new Code(
    parts.map(String).join(typeof separator === "string" ? checkedSeparator(separator) : String(separator)),
  );
}

function checkedSeparator(s: string): string {
  if (!/^[\s,;&|()]*$/.test(s)) throw new Error(`codegen: separator must be punctuation: ${literal(s)}`);
  return s;
}

export const nil = new Code("");

/** Spaces, as code: for layout. */
export function spaces(count: number): Code {
  return new Code(" ".repeat(count));
}

/** A JSON value as a literal, pretty-printed from `indent` when given. */
export function value(v: unknown, indent?: string): Code {
  if (indent !== undefined && !/^ *$/.test(indent)) throw new Error("codegen: indent must be spaces");
  return new Code(literal(v, indent));
}

// Characters that end a line in JavaScript or in an editor, and those that reorder what a reader sees
// (Trojan Source, CVE-2021-42574): escaped in literals, removed from comments.
const lineEnds = /[\r\n\u0085\u2028\u2029]/g;
const bidi = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const unicodeEscape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** A JSON string escaped for JavaScript source: JSON.stringify leaves U+2028/U+2029 raw, and `</script` is
 * no concern of a module but costs nothing to defuse. Lone surrogates come out as \u escapes (well-formed
 * JSON.stringify). */
function safeString(s: string): string {
  return JSON.stringify(s).replace(lineEnds, unicodeEscape).replace(bidi, unicodeEscape).replace(/<\//g, "<\\/");
}

/**
 * A JSON value as a JavaScript expression. Objects are written key by key: a "__proto__" key in an object
 * literal would set the prototype instead of a property (JSON.parse makes it a property), so it is written
 * as a computed key. `indent` pretty-prints nested values from that depth.
 */
function literal(value: unknown, indent?: string): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return safeString(value);
    case "number":
      if (!Number.isFinite(value)) throw new Error(`codegen: not a JSON number: ${value}`);
      return Object.is(value, -0) ? "0" : String(value);
    case "boolean":
      return String(value);
    case "object":
      break;
    default:
      throw new Error(`codegen: not a JSON value (${typeof value})`);
  }
  if (indent !== undefined) {
    // Pretty: a value that fits on its line stays on one line, as a person would write it.
    const flat = literal(value);
    if (indent.length + flat.length <= 100) return flat;
  }
  const inner = indent === undefined ? undefined : `${indent}  `;
  const open = inner === undefined ? "" : `\n${inner}`;
  const close = inner === undefined ? "" : `\n${indent}`;
  const sep = inner === undefined ? ", " : `,\n${inner}`;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[${open}${value.map((v) => literal(v, inner)).join(sep)}${close}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return "{}";
  const key = (k: string) => (k === "__proto__" ? `[${safeString(k)}]` : safeString(k));
  const [left, right] = inner === undefined ? ["{ ", " }"] : ["{", "}"];
  return `${left}${open}${entries.map(([k, v]) => `${key(k)}: ${literal(v, inner)}`).join(sep)}${close}${right}`;
}

/** A property access: `.name` for an identifier, `[literal]` for anything else. */
export function property(key: string, optional = false): Code {
  const dot = optional ? "?." : ".";
  return new Code(identifier.test(key) ? `${dot}${key}` : `${optional ? "?." : ""}[${safeString(key)}]`);
}

/**
 * `//` comment lines holding `text`, wrapped at `width`: line terminators of every kind, other control
 * characters, bidirectional controls and `*\/` are removed, lone surrogates replaced, so the comment stays a
 * comment whatever the text is.
 */
export function comment(text: string, indent = "", width = 116): Code {
  const clean = text
    .replace(lineEnds, " ")
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, " ")
    .replace(bidi, "")
    .replace(loneSurrogate, "\ufffd")
    .replace(/\*\//g, "* /")
    .replace(/\s+/g, " ")
    .trim();
  const lines: string[] = [];
  let line = "";
  for (const word of clean.split(" ")) {
    for (let rest = word; rest.length > 0; ) {
      const room = Math.max(1, width - indent.length - 3 - (line ? line.length + 1 : 0));
      if (line && rest.length > room) {
        lines.push(line);
        line = "";
        continue;
      }
      const take = Math.min(rest.length, Math.max(1, width - indent.length - 3));
      line = line ? `${line} ${rest.slice(0, take)}` : rest.slice(0, take);
      rest = rest.slice(take);
      if (rest.length > 0) {
        lines.push(line);
        line = "";
      }
    }
  }
  if (line || lines.length === 0) lines.push(line);
  return new Code(lines.map((l) => `${indent}//${l ? ` ${l}` : ""}`).join("\n"));
}

/** Hands out unique, checked local names: a name taken from rule text keeps only its letters and digits. */
export class Scope {
  private readonly taken = new Set<string>();
  constructor(reservedNames: readonly string[] = []) {
    for (const n of reservedNames) this.taken.add(n);
  }

  /** `words` are joined in camelCase; a name already taken gets a number. */
  name(...words: string[]): Name {
    const parts = words.flatMap((w) => w.split(/[^A-Za-z0-9]+/)).filter(Boolean);
    let base = parts
      .map((p, i) => (i === 0 ? p[0].toLowerCase() + p.slice(1) : p[0].toUpperCase() + p.slice(1)))
      .join("");
    if (!base) base = "value";
    if (/^[0-9]/.test(base)) base = `n${base}`;
    base = base.slice(0, 60);
    let candidate = base;
    for (let n = 2; this.taken.has(candidate) || reserved.has(candidate); n++) candidate = `${base}${n}`;
    this.taken.add(candidate);
    return new Name(candidate);
  }
}
