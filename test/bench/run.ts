// `npm run bench`: runs every benchmark module present and writes bench-results.json (name, value, unit).
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../../src/rules/schema-registry.ts";
import { type BenchFigure, benchRules } from "./rules.bench.ts";

type Bench = () => Promise<BenchFigure[]>;
const optional: Array<[string, string]> = [
  ["sip-parse.bench.ts", "benchSipParse"],
  ["h248-codec.bench.ts", "benchH248Codec"],
  ["scscf-release.bench.ts", "benchScscfRelease"],
  ["gmsc-calls.bench.ts", "benchGmscCalls"],
  ["fuzz.bench.ts", "benchFuzz"],
  ["audit.bench.ts", "benchAudit"],
  ["demo.bench.ts", "benchDemo"],
];

const only = process.argv.slice(2);
const benches: Array<[string, Bench]> = [["rules", benchRules]];
for (const [file, name] of optional) {
  if (existsSync(join(import.meta.dirname, file))) {
    const mod = (await import(`./${file}`)) as Record<string, Bench>;
    benches.push([file.replace(".bench.ts", ""), mod[name]]);
  }
}

const figures: BenchFigure[] = [];
for (const [name, bench] of benches) {
  if (only.length > 0 && !only.includes(name)) continue;
  const got = await bench();
  for (const f of got) console.log(`${f.name.padEnd(60)} ${String(f.value).padStart(12)} ${f.unit}`);
  figures.push(...got);
}
writeFileSync(join(projectRoot, "bench-results.json"), `${JSON.stringify(figures, null, 2)}\n`);
console.log(`wrote bench-results.json (${figures.length} figures)`);
