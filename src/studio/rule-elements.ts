// The places in the rule files that trace a clause item or extension: each element whose "trace" (or
// "follows") names the id, as file, JSON pointer and line, so the studio can open the editor there.
import { jsonLocations } from "../rules/json-locations.ts";
import type { RuleSource } from "../rules/load-rules.ts";

export interface RuleElement {
  file: string;
  pointer: string;
  line: number;
  /** The rule the element belongs to, when it is inside one. */
  rule?: string;
  /** What the element is: "rule", "header Reason", "action send-request", "extension"… */
  what: string;
}

const escapeKey = (k: string) => k.replace(/~/g, "~0").replace(/\//g, "~1");

function describe(node: Record<string, unknown>, pointer: string): string {
  if (/^\/rules\/\d+$/.test(pointer)) return "rule";
  if (/^\/extensions\/\d+$/.test(pointer)) return "extension";
  if (typeof node.name === "string") return `header ${node.name}`;
  if (typeof node.type === "string") return `action ${node.type}`;
  return pointer.split("/").at(-1) ?? "element";
}

/** Every traced element of every file, by the ids it traces. */
export function ruleElements(sources: RuleSource[]): Map<string, RuleElement[]> {
  const out = new Map<string, RuleElement[]>();
  for (const { file, text } of sources) {
    let doc: unknown;
    let locations: ReturnType<typeof jsonLocations>;
    try {
      doc = JSON.parse(text);
      locations = jsonLocations(text);
    } catch {
      continue;
    }
    const rules = (doc as { rules?: Array<{ id?: string }> }).rules ?? [];
    const visit = (node: unknown, pointer: string) => {
      if (Array.isArray(node)) {
        for (const [i, v] of node.entries()) visit(v, `${pointer}/${i}`);
      } else if (node && typeof node === "object") {
        const obj = node as Record<string, unknown>;
        for (const key of ["trace", "follows"]) {
          const ids = obj[key];
          if (!Array.isArray(ids)) continue;
          const ruleIndex = /^\/rules\/(\d+)/.exec(pointer)?.[1];
          for (const id of ids) {
            if (typeof id !== "string") continue;
            const element: RuleElement = {
              file,
              pointer,
              line: locations.get(pointer)?.line ?? 1,
              what: key === "follows" ? "extension follows" : describe(obj, pointer),
            };
            if (ruleIndex !== undefined && rules[Number(ruleIndex)]?.id) element.rule = rules[Number(ruleIndex)].id;
            out.set(id, [...(out.get(id) ?? []), element]);
          }
        }
        for (const [k, v] of Object.entries(obj)) visit(v, `${pointer}/${escapeKey(k)}`);
      }
    };
    visit(doc, "");
  }
  return out;
}
