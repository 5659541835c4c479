// The studio page's script, bundled with esbuild when the studio starts (into memory: nothing is written), so
// the page carries its editor and diff libraries and needs no network.
import { join } from "node:path";

export async function bundlePage(): Promise<string> {
  const { build } = await import("esbuild");
  const result = await build({
    entryPoints: [join(import.meta.dirname, "page/main.ts")],
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
