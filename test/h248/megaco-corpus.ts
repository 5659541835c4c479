// Reads Erlang/OTP megaco's 149 text messages (../shared/corpora/h248-megaco, pretty/ and compact/) at test time;
// the files are never copied or edited.
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Descriptor, Message } from "../../src/h248/model.ts";

export const repoRoot = resolve(import.meta.dirname, "../..");
export const megacoCorpusDir = resolve(repoRoot, "../shared/corpora/h248-megaco");

export type CorpusForm = "pretty" | "compact";

export function megacoNames(): string[] {
  return readdirSync(resolve(megacoCorpusDir, "pretty"))
    .filter((f) => f.endsWith(".txt"))
    .sort();
}

export function megacoPath(form: CorpusForm, name: string): string {
  return resolve(megacoCorpusDir, form, name);
}

export function megacoText(form: CorpusForm, name: string): string {
  return readFileSync(megacoPath(form, name), "utf8");
}

/**
 * megaco's pretty encoder writes a reply's empty audit return items (emptyDescriptors: M, DM, SA, PG) in the
 * reverse of the order its compact encoder uses (msg79a01); they are a set, so compare them sorted.
 */
export function withAuditTokensSorted(m: Message): Message {
  const copy = structuredClone(m);
  if (copy.body.kind !== "transactions") return copy;
  for (const t of copy.body.transactions) {
    if (t.kind !== "reply") continue;
    for (const a of t.actions)
      for (const c of a.commands) {
        const tokens = c.descriptors.filter((d): d is Extract<Descriptor, { kind: "token" }> => d.kind === "token");
        const rest = c.descriptors.filter((d) => d.kind !== "token");
        c.descriptors = [...rest, ...tokens.sort((x, y) => x.token.localeCompare(y.token))];
      }
  }
  return copy;
}
