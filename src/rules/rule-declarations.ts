// What the rule files declare for each other (extension ids, tables), read leniently: from every file that is
// JSON, whether or not it fits the schema. A fault in one file then stays that file's fault — the trace ids and
// table lookups of the other files still find what it declares, instead of each becoming a fault of its own.
import type { Locations } from "./json-locations.ts";

type FactsKind = "scscf" | "gmsc";

export interface TableDefinition {
  file: string;
  kind: FactsKind;
  name: string;
  locations: Locations;
}

export interface Declarations {
  extensionIds: Set<string>;
  /** by kind, then table name */
  tables: Record<FactsKind, Map<string, TableDefinition>>;
  /** a file that is not JSON may declare anything: references it could satisfy are not faults of others */
  someFileUnreadable: boolean;
}

export function emptyDeclarations(): Declarations {
  return { extensionIds: new Set(), tables: { scscf: new Map(), gmsc: new Map() }, someFileUnreadable: false };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Adds what one parsed file declares; a file whose "facts" is no kind counts for both kinds. */
export function addDeclarations(into: Declarations, file: string, doc: unknown, locations: Locations): void {
  if (!isObject(doc)) return;
  const kinds: FactsKind[] = doc.facts === "scscf" || doc.facts === "gmsc" ? [doc.facts] : ["scscf", "gmsc"];
  if (Array.isArray(doc.extensions)) {
    for (const x of doc.extensions) if (isObject(x) && typeof x.id === "string") into.extensionIds.add(x.id);
  }
  if (isObject(doc.tables)) {
    for (const name of Object.keys(doc.tables)) {
      for (const kind of kinds)
        if (!into.tables[kind].has(name)) into.tables[kind].set(name, { file, kind, name, locations });
    }
  }
}
