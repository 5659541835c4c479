// `npm run build`: dist/cleardown.js, one ESM bundle with the generated runtime, plus the spec/, rules/ and
// schemas/ it was built from, so `node dist/cleardown.js serve …` runs without tsx or dev dependencies.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";

const root = resolve(import.meta.dirname, "../..");
const dist = join(root, "dist");
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
await build({
  // The rules check thread (src/rules/check-thread.ts) runs dist/rules-check-thread.js, beside the bundle.
  entryPoints: {
    cleardown: join(root, "src/cli/main.ts"),
    "rules-check-thread": join(root, "src/rules/rules-check-thread.ts"),
  },
  outdir: dist,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  sourcemap: true,
  legalComments: "linked",
  // Bundled CommonJS packages call require(); give the ESM bundle one.
  banner: {
    js: 'import { createRequire as __cdRequire } from "node:module"; const require = __cdRequire(import.meta.url);',
  },
  logLevel: "warning",
});
for (const dir of ["spec", "rules", "schemas"]) cpSync(join(root, dir), join(dist, dir), { recursive: true });
// The version goes with it: `node cleardown.js --version` names the release that was copied to the host.
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
writeFileSync(
  join(dist, "package.json"),
  `${JSON.stringify({ name: "cleardown", version, type: "module", private: true }, null, 2)}\n`,
);
console.log("built dist/cleardown.js and dist/rules-check-thread.js (+ spec/, rules/, schemas/)");
