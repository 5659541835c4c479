// Parses JSON text and remembers where each value starts, by JSON pointer, so a rule-file error can name
// file:line:column. JSON.parse gives the values; this scanner only walks the text for positions.
import { lineColumn } from "../grammar/run-grammar.ts";

export type Locations = Map<string, { line: number; column: number }>;

export class JsonSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    message: string,
  ) {
    super(message);
  }
}

const escapePointer = (key: string) => key.replace(/~/g, "~0").replace(/\//g, "~1");

export function jsonLocations(text: string): Locations {
  const out: Locations = new Map();
  let i = 0;
  // Values are met in text order: the line count moves forward with them, so the walk stays linear in the text
  // (counting from the start for each value made a 1 MiB file take seconds).
  let line = 1;
  let lineStart = 0;
  const here = (): { line: number; column: number } => {
    for (let nl = text.indexOf("\n", lineStart); nl !== -1 && nl < i; nl = text.indexOf("\n", lineStart)) {
      line++;
      lineStart = nl + 1;
    }
    return { line, column: i - lineStart + 1 };
  };
  const fail = (what: string): never => {
    const { line, column } = lineColumn(text, i);
    throw new JsonSyntaxError(line, column, `expected ${what}`);
  };
  const ws = () => {
    while (i < text.length && " \t\r\n".includes(text[i])) i++;
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    if (i >= text.length) fail("a closing quote");
    i++;
    return JSON.parse(text.slice(start, i));
  };
  const value = (pointer: string): void => {
    ws();
    out.set(pointer, here());
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("a quoted property name");
        const key = str();
        ws();
        if (text[i] !== ":") fail('":"');
        i++;
        value(`${pointer}/${escapePointer(key)}`);
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") {
          i++;
          return;
        } else fail('"," or "}"');
      }
    } else if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        value(`${pointer}/${n}`);
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") {
          i++;
          return;
        } else fail('"," or "]"');
      }
    } else if (c === '"') str();
    else {
      const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 64));
      if (!m) fail("a JSON value");
      i += m![0].length;
    }
  };
  value("");
  ws();
  if (i < text.length) fail("the end of the document");
  return out;
}

/** The nearest located ancestor of a pointer (ajv may point at a property that is missing). */
export function locate(locations: Locations, pointer: string): { line: number; column: number } {
  for (let p = pointer; ; p = p.slice(0, p.lastIndexOf("/"))) {
    const at = locations.get(p);
    if (at) return at;
    if (p === "") return { line: 1, column: 1 };
  }
}
