// A large but allowed rule file, for what a reload of one costs: the S-CSCF clause's rule file with its rules
// repeated under new ids until it is just under 1 MiB (the default limits.maxRuleFileBytes). Valid, so it is
// read, parsed, validated and compiled in full.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const HEAVY_RULES = "rules/24.229-5.4.5.1.2.rules.json";

/** Rewrites the copy's S-CSCF rule file as a heavy one of under `bytes`; returns how many rules it holds. */
export function writeHeavyRuleFile(root: string, bytes = 1024 * 1024 - 40_000): number {
  const file = join(root, HEAVY_RULES);
  const doc = JSON.parse(readFileSync(file, "utf8"));
  const base: Array<{ id: string }> = doc.rules;
  const rules = [...base];
  const text = () => `${JSON.stringify({ ...doc, rules }, null, 2)}\n`;
  // Grow by whole copies of the rule list while the file stays under the size.
  for (let i = 0; ; i++) {
    const before = rules.length;
    rules.push(...base.map((r) => ({ ...r, id: `${r.id}-copy${i}` })));
    if (text().length >= bytes) {
      rules.length = before;
      break;
    }
  }
  writeFileSync(file, text());
  return rules.length;
}
