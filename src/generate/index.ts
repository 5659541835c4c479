// The generator: everything under generated/ from schemas/, rules/ and the grammars under src/, as file texts
// by path. Deterministic: the same inputs give the same bytes (test/generate/generate.test.ts).
import { join } from "node:path";
import { compileGrammar, findGrammars, grammarOutputName } from "./grammars.ts";
import { type RuleSet, type RuleSource, ruleSetDigest, runtimeIndex, runtimeModule } from "./runtime.ts";
import { generateTypes } from "./types.ts";

export interface GeneratorInput {
  root: string;
  /** The rule files and the sets loaded from them (src/rules/load-rules.ts), which the generator does not load
   * itself: src/rules runs the generator's compile on a hot reload, so the generator imports nothing of it. */
  sources: readonly RuleSource[];
  sets: Record<string, RuleSet>;
}

/** generated/<dir>/<file> → text, for every directory the generator owns. */
export async function generate({ root, sources, sets }: GeneratorInput): Promise<Map<string, Map<string, string>>> {
  const grammars = new Map<string, string>();
  for (const file of findGrammars(join(root, "src"))) grammars.set(grammarOutputName(file), compileGrammar(file, root));
  const types = new Map([["index.ts", await generateTypes(root)]]);
  const runtime = new Map<string, string>();
  for (const set of Object.values(sets)) runtime.set(`${set.kind}.ts`, runtimeModule(set, ruleSetDigest(set, sources)));
  runtime.set("index.ts", runtimeIndex(Object.keys(sets)));
  return new Map([
    ["grammars", grammars],
    ["types", types],
    ["runtime", runtime],
  ]);
}
