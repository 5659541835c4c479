// `npm run generate`: writes generated/ from schemas/, rules/ and the grammars under src/.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { compileGrammar, findGrammars, grammarOutputName } from "../generate/grammars.ts";
import { generateRuntime } from "../generate/runtime.ts";
import { generateTypes } from "../generate/types.ts";

const root = resolve(import.meta.dirname, "../..");

function writeDir(dir: string, files: Map<string, string>): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of [...files].sort(([a], [b]) => a.localeCompare(b))) writeFileSync(join(dir, name), text);
}

const grammars = new Map<string, string>();
for (const file of findGrammars(join(root, "src"))) grammars.set(grammarOutputName(file), compileGrammar(file, root));
writeDir(join(root, "generated/grammars"), grammars);

writeDir(join(root, "generated/types"), new Map([["index.ts", await generateTypes(root)]]));

// Types first: the rule loader validates against the schemas, not the types, so the order is for readers only.
const runtime = generateRuntime(root);
writeDir(join(root, "generated/runtime"), runtime);

console.log(`generated: ${grammars.size} grammars, types, ${runtime.size} runtime modules`);
