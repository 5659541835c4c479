// `npm run generate`: writes generated/ from schemas/, rules/ and the grammars under src/ (src/generate/).
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { generate } from "../generate/index.ts";
import { loadRuleSets, readRuleSources } from "../rules/load-rules.ts";
import { loadSpec } from "../spec/clause-items.ts";

const root = resolve(import.meta.dirname, "../..");
const out = resolve(process.argv[2] ?? join(root, "generated"));

const sources = readRuleSources(root);
const dirs = await generate({ root, sources, sets: loadRuleSets(sources, loadSpec(root)) });
for (const [dir, files] of dirs) {
  rmSync(join(out, dir), { recursive: true, force: true });
  mkdirSync(join(out, dir), { recursive: true });
  for (const [name, text] of [...files].sort(([a], [b]) => a.localeCompare(b)))
    writeFileSync(join(out, dir, name), text);
}
const count = (dir: string) => dirs.get(dir)?.size ?? 0;
console.log(`generated into ${out}: ${count("grammars")} grammars, types, ${count("runtime")} runtime modules`);
