// `npm run bench`: runs every benchmark module present and writes bench-results.json (name, value, unit).
// `npm run bench -- NAME…` runs only those (rules, sip-parse, scscf-release, …). Each module runs in a process of
// its own: one bench's heap (and the GC threads cleaning it up) must not tax the next one's figures on a
// 2-core machine. `CLEARDOWN_BENCH_PROFILE_DIR=DIR npm run bench -- gmsc-calls` also writes a CPU and an allocation
// profile of the GMSC under load to DIR (summarise: tsx test/bench/profile-summary.ts DIR/*).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../../src/rules/schema-registry.ts";
import type { BenchFigure } from "./rules.bench.ts";

type Bench = () => Promise<BenchFigure[]>;
const modules: Array<[string, string]> = [
  ["rules.bench.ts", "benchRules"],
  ["sip-parse.bench.ts", "benchSipParse"],
  ["h248-codec.bench.ts", "benchH248Codec"],
  ["scscf-release.bench.ts", "benchScscfRelease"],
  ["release-takeover.bench.ts", "benchReleaseTakeover"],
  ["gmsc-calls.bench.ts", "benchGmscCalls"],
  ["fuzz.bench.ts", "benchFuzz"],
  ["audit.bench.ts", "benchAudit"],
  ["rules-reload.bench.ts", "benchRulesReload"],
  ["demo.bench.ts", "benchDemo"],
  ["admin-paging.bench.ts", "benchAdminPaging"],
];
const nameOf = (file: string) => file.replace(".bench.ts", "");
const print = (f: BenchFigure) => console.log(`${f.name.padEnd(60)} ${String(f.value).padStart(12)} ${f.unit}`);

const child = process.env.CLEARDOWN_BENCH_MODULE;
if (child) {
  // In the child: one module, its figures printed as they come and written where the parent reads them.
  const entry = modules.find(([file]) => nameOf(file) === child);
  if (!entry) throw new Error(`bench module ${child}: expected one of ${modules.map(([f]) => nameOf(f)).join(", ")}`);
  const mod = (await import(`./${entry[0]}`)) as Record<string, Bench>;
  const got = await mod[entry[1]]();
  for (const f of got) print(f);
  writeFileSync(String(process.env.CLEARDOWN_BENCH_OUT), JSON.stringify(got));
} else {
  const only = process.argv.slice(2);
  const unknown = only.filter((n) => !modules.some(([file]) => nameOf(file) === n));
  if (unknown.length > 0)
    throw new Error(`bench ${unknown.join(", ")}: expected any of ${modules.map(([f]) => nameOf(f)).join(", ")}`);
  const dir = mkdtempSync(join(tmpdir(), "cleardown-bench-"));
  const figures: BenchFigure[] = [];
  try {
    for (const [file] of modules) {
      const name = nameOf(file);
      if (!existsSync(join(import.meta.dirname, file)) || (only.length > 0 && !only.includes(name))) continue;
      const out = join(dir, `${name}.json`);
      execFileSync(process.execPath, [...process.execArgv, import.meta.filename], {
        stdio: "inherit",
        env: { ...process.env, CLEARDOWN_BENCH_MODULE: name, CLEARDOWN_BENCH_OUT: out },
      });
      figures.push(...(JSON.parse(readFileSync(out, "utf8")) as BenchFigure[]));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  writeFileSync(join(projectRoot, "bench-results.json"), `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`wrote bench-results.json (${figures.length} figures)`);
}
