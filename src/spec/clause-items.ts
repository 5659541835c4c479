// Clause documents of spec/ → clause items with stable ids, parents, normative flags and text hashes.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import grammar from "../../generated/grammars/clause-document.ts";
import type { ClauseDocument, ClauseItem } from "../../generated/types/index.ts";
import { describeFault, grammarRunner, lineColumn } from "../grammar/run-grammar.ts";

interface HeaderLine {
  key: string;
  value: string;
  at: number;
}
type Entry =
  | { kind: "item"; localId: string; informative: boolean; text: string[]; at: number }
  | { kind: "referenced"; id: string; header: HeaderLine[]; at: number };
interface ParsedDocument {
  header: HeaderLine[];
  entries: Entry[];
}

export class SpecError extends Error {}

const runClauseDocument = grammarRunner<ParsedDocument>(grammar);

/** The text an item's hash is taken over: whitespace folded, so re-wrapping a line is not a change. */
export function normaliseText(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

export function textHash(text: string): string {
  return createHash("sha256").update(normaliseText(text)).digest("hex").slice(0, 16);
}

function headerValue(header: HeaderLine[], key: string): string | undefined {
  return header.find((h) => h.key === key)?.value.trim();
}

function itemParent(clause: string, localId: string): string {
  const dot = localId.lastIndexOf(".");
  return dot === -1 ? clause : `${clause}/${localId.slice(0, dot)}`;
}

export function parseClauseDocument(text: string, file: string): ClauseDocument {
  const source = text.endsWith("\n") ? text : `${text}\n`;
  const parsed = runClauseDocument(source);
  if (!parsed.ok) throw new SpecError(describeFault(parsed.fault, file));
  const { header, entries } = parsed.value;
  const at = (offset: number) => lineColumn(source, offset);
  const fail = (offset: number, message: string): never => {
    const { line, column } = at(offset);
    throw new SpecError(`${file}:${line}:${column}: ${message}`);
  };
  const kind = headerValue(header, "document") === "referenced" ? "referenced" : "clause";
  const clause = headerValue(header, "clause");
  const title = headerValue(header, "title");
  if (title === undefined) fail(0, "expected a @title line in the header");
  if (kind === "clause" && clause === undefined)
    fail(0, "expected a @clause line in the header (e.g. @clause 24.229:5.4.5.1.2)");
  const items: ClauseItem[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    const line = at(entry.at).line;
    if (entry.kind === "item") {
      if (kind !== "clause") fail(entry.at, "expected @referenced entries only in a referenced document");
      const id = `${clause}/${entry.localId}`;
      const parent = itemParent(clause!, entry.localId);
      if (seen.has(id)) fail(entry.at, `duplicate item id ${id}`);
      if (parent !== clause && !seen.has(parent)) fail(entry.at, `item ${id} comes before its parent ${parent}`);
      seen.add(id);
      const itemText = entry.text.join("\n");
      items.push({
        id,
        parent,
        text: itemText,
        normative: !entry.informative,
        quoted: true,
        hash: textHash(itemText),
        line,
      });
    } else {
      if (kind !== "referenced")
        fail(entry.at, "expected @item entries in a clause document (use @document referenced)");
      if (seen.has(entry.id)) fail(entry.at, `duplicate referenced id ${entry.id}`);
      seen.add(entry.id);
      const refTitle = headerValue(entry.header, "title") ?? fail(entry.at, "expected a @title line after @referenced");
      items.push({
        id: entry.id,
        parent: null,
        text: refTitle,
        normative: false,
        quoted: false,
        spec: headerValue(entry.header, "spec"),
        hash: textHash(refTitle),
        line,
      });
    }
  }
  const doc: ClauseDocument = { kind, file, title: title!, items };
  for (const key of ["clause", "spec", "source", "marker", "role"] as const) {
    const value = headerValue(header, key);
    if (value !== undefined) doc[key] = value;
  }
  const notes = header.filter((h) => h.key === "note").map((h) => h.value.trim());
  if (notes.length > 0) doc.notes = notes;
  return doc;
}

export interface Spec {
  documents: ClauseDocument[];
  items: Map<string, ClauseItem>;
}

/** Loads every *.clause document of a spec folder; ids must be unique across documents. */
export function loadSpec(root: string, dir = "spec"): Spec {
  const folder = join(root, dir);
  const documents = readdirSync(folder)
    .filter((f) => f.endsWith(".clause"))
    .sort()
    .map((f) => parseClauseDocument(readFileSync(join(folder, f), "utf8"), relative(root, join(folder, f))));
  const items = new Map<string, ClauseItem>();
  for (const doc of documents) {
    for (const item of doc.items) {
      if (items.has(item.id)) throw new SpecError(`${doc.file}:${item.line}:1: item id ${item.id} is defined twice`);
      items.set(item.id, item);
    }
  }
  return { documents, items };
}

export function normativeItems(spec: Spec): ClauseItem[] {
  return [...spec.items.values()].filter((i) => i.normative && i.quoted);
}
