// Issue 17 item 5: `npm run generate` is deterministic (the same bytes twice) and generated/ is what it writes.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generate } from "../../src/generate/index.ts";
import { loadRuleSets, readRuleSources } from "../../src/rules/load-rules.ts";
import { projectRoot } from "../../src/rules/schema-registry.ts";
import { loadSpec } from "../../src/spec/clause-items.ts";

const run = () => {
  const sources = readRuleSources(projectRoot);
  return generate({ root: projectRoot, sources, sets: loadRuleSets(sources, loadSpec(projectRoot)) });
};

const flat = (dirs: Map<string, Map<string, string>>) =>
  Object.fromEntries([...dirs].flatMap(([dir, files]) => [...files].map(([name, text]) => [`${dir}/${name}`, text])));

describe("npm run generate", () => {
  it("writes the same bytes on two runs, and generated/ holds exactly them", async () => {
    const first = flat(await run());
    const second = flat(await run());
    expect(Object.keys(second).sort()).toEqual(Object.keys(first).sort());
    for (const [path, text] of Object.entries(first)) expect(second[path], path).toBe(text);
    const committed = Object.fromEntries(
      ["grammars", "runtime", "types"].flatMap((dir) =>
        readdirSync(join(projectRoot, "generated", dir)).map((name) => [
          `${dir}/${name}`,
          readFileSync(join(projectRoot, "generated", dir, name), "utf8"),
        ]),
      ),
    );
    expect(Object.keys(committed).sort()).toEqual(Object.keys(first).sort());
    for (const [path, text] of Object.entries(first))
      expect(committed[path], `generated/${path} is stale: run npm run generate`).toBe(text);
  }, 60_000);
});
