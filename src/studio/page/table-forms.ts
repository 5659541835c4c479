// A rule file's tables (Reason per cause, the GMSC error mapping, clearing responses…) as forms. A change is
// made to the file's text in place (jsonc-parser), so the rest of the file keeps its layout.
import { applyEdits, modify, parse } from "jsonc-parser";
import { h, on } from "./dom.ts";

type Cell = string | number | { protocol: string; cause: number; text?: string };
type Tables = Record<string, Record<string, Cell>>;

const formatting = { formattingOptions: { insertSpaces: true, tabSize: 2 } };

export function setAt(text: string, path: Array<string | number>, value: unknown): string {
  return applyEdits(text, modify(text, path, value, formatting));
}

const escapeKey = (k: string) => k.replace(/~/g, "~0").replace(/\//g, "~1");
export const pointerOf = (...parts: string[]) => `/${parts.map(escapeKey).join("/")}`;

function cellInputs(
  table: string,
  key: string,
  cell: Cell,
  change: (path: Array<string | number>, v: unknown) => void,
) {
  const base = ["tables", table, key];
  const input = (attrs: Record<string, string>, part: string | undefined, value: string, kind: "text" | "number") => {
    const pointer = pointerOf(...base.slice(), ...(part ? [part] : []));
    const el = h("input", {
      ...attrs,
      type: "text",
      inputmode: kind === "number" ? "numeric" : "text",
      value,
      "data-pointer": pointer,
      "aria-label": `${table} ${key}${part ? ` ${part}` : ""}`,
    }) as HTMLInputElement;
    // A number field that does not hold a number is written as the text typed, so the lint names it.
    on(el, "change", () => {
      const raw = el.value.trim();
      const v = kind === "number" && /^-?\d+$/.test(raw) ? Number(raw) : raw;
      change(part ? [...base, part] : base, v);
    });
    return el;
  };
  if (typeof cell === "object")
    return [
      input({ class: "proto" }, "protocol", cell.protocol, "text"),
      input({ class: "num" }, "cause", String(cell.cause), "number"),
      input({ class: "wide" }, "text", cell.text ?? "", "text"),
    ];
  if (typeof cell === "number") return [input({ class: "num" }, undefined, String(cell), "number")];
  return [input({ class: "wide" }, undefined, cell, "text")];
}

/** The kind of a table's values, from its first row; an empty table (the error mapping) maps numbers. */
const kindOf = (sample: Cell | undefined) =>
  typeof sample === "object" ? "reason" : typeof sample === "string" ? "text" : "number";

const blank: Record<string, Cell> = {
  reason: { protocol: "SIP", cause: 503, text: "" },
  number: 500,
  text: "",
};

/** The forms of every table in the file; `change` gets the file's new text. */
export function tableForms(text: string, change: (next: string) => void): HTMLElement {
  const doc = parse(text) as { tables?: Tables } | undefined;
  const tables = doc?.tables ?? {};
  const root = h("div", { class: "tables" });
  if (Object.keys(tables).length === 0) return root;
  root.append(h("p", {}, "Tables of this file (a change shows in the file and the preview at once):"));
  for (const [name, rows] of Object.entries(tables)) {
    const set = (path: Array<string | number>, v: unknown) => change(setAt(text, path, v));
    const sample = Object.values(rows)[0];
    const head =
      typeof sample === "object"
        ? ["key", "protocol", "cause", "text", ""]
        : ["key", typeof sample === "number" ? "value (number)" : "value", ""];
    const table = h("table", { class: "grid" }, h("tr", {}, ...head.map((c) => h("th", {}, c))));
    for (const [key, cell] of Object.entries(rows)) {
      const row = h("tr", { "data-row": key }, h("td", {}, h("span", { class: "id" }, key)));
      for (const el of cellInputs(name, key, cell, set)) row.append(h("td", {}, el));
      row.append(
        h(
          "td",
          {},
          on(h("button", { type: "button", title: `remove ${key}` }, "remove"), "click", () =>
            set(["tables", name, key], undefined),
          ),
        ),
      );
      table.append(row);
    }
    const newKey = h("input", { placeholder: "new key", "aria-label": `${name} new key` }) as HTMLInputElement;
    const kind = h(
      "select",
      { "aria-label": `${name} new value kind` },
      ...["reason", "number", "text"].map((k) => h("option", { value: k, selected: k === kindOf(sample) }, k)),
    ) as HTMLSelectElement;
    const add = on(h("button", { type: "button" }, "add row"), "click", () => {
      const key = newKey.value.trim();
      if (key) set(["tables", name, key], blank[kind.value]);
    });
    root.append(
      h("fieldset", { "data-table": name }, h("legend", {}, name), table, h("div", {}, newKey, " ", kind, " ", add)),
    );
  }
  return root;
}
