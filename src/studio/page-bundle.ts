// The studio page's script, bundled with esbuild when the studio starts (into memory: nothing is written), so
// the page carries its editor and diff libraries and needs no network.
import { existsSync } from "node:fs";
import { join } from "node:path";

/** The studio cannot build its page here (a deployed bundle, or no dev dependencies). */
export class StudioUnavailable extends Error {}

export async function bundlePage(): Promise<string> {
  const entry = join(import.meta.dirname, "page/main.ts");
  if (!existsSync(entry))
    throw new StudioUnavailable(
      "the studio runs from a checkout (node bin/cleardown.js studio): its page is built from src/studio/page/, which this bundle does not carry",
    );
  // Named at run time, so a bundle of the CLI (npm run build) does not try to carry esbuild inside it.
  const bundler = "esbuild";
  let esbuild: typeof import("esbuild");
  try {
    esbuild = (await import(bundler)) as typeof import("esbuild");
  } catch {
    throw new StudioUnavailable("the studio bundles its page with esbuild, a dev dependency: run `npm install` first");
  }
  const { build } = esbuild;
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    minify: true,
    target: "es2022",
    write: false,
    logLevel: "silent",
    legalComments: "none",
  });
  return result.outputFiles[0].text;
}
