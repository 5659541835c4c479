// What cleardown encodes is the message Erlang/OTP megaco reads (H.248.1 Annex B.2 text encoding): each corpus
// message is decoded by cleardown, encoded again in the long and in the compact form, and both files are read by
// megaco's own text decoders (megaco_pretty_text_encoder / megaco_compact_text_encoder:decode_message/3), which
// must yield exactly the term megaco decodes from the original corpus file. One escript run for the whole batch.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { decodeMessage } from "../../src/h248/decode-message.ts";
import { encodeMessage } from "../../src/h248/encode-message.ts";
import { ensureErlangMegaco } from "../peers/megaco/erlang.ts";
import { type CorpusForm, megacoNames, megacoPath, megacoText } from "./megaco-corpus.ts";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "cleardown-megaco-rt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("H.248.1 Annex B.2 — Erlang/OTP megaco reads what cleardown encodes", () => {
  it("every corpus message, re-encoded long and compact, decodes in megaco to the original's term", async () => {
    const { escript } = ensureErlangMegaco();
    const lines: string[] = [];
    for (const form of ["pretty", "compact"] as CorpusForm[])
      for (const name of megacoNames()) {
        const model = decodeMessage(megacoText(form, name));
        for (const compact of [false, true]) {
          const out = join(dir, `${form}-${compact ? "compact" : "pretty"}-${name}`);
          writeFileSync(out, encodeMessage(model, { compact }));
          lines.push([form, megacoPath(form, name), compact ? "compact" : "pretty", out].join("\t"));
        }
      }
    const manifest = join(dir, "manifest.tsv");
    writeFileSync(manifest, `${lines.join("\n")}\n`);
    const script = resolve(import.meta.dirname, "../peers/megaco/megaco_roundtrip.escript");
    const { stdout } = await run(escript, [script, manifest], { timeout: 60_000, maxBuffer: 32 * 1024 * 1024 });
    const results = stdout.trim().split("\n");
    const failures = results.filter((l) => !l.startsWith("same ") && !l.startsWith("done "));
    expect(failures).toEqual([]);
    expect(results.filter((l) => l.startsWith("same "))).toHaveLength(4 * 149);
    expect(results.at(-1)).toBe(`done ${4 * 149}`);
  }, 90_000);
});
