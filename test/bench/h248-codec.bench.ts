// H.248 text codec throughput over Erlang/OTP megaco's 149 messages, long-token (pretty) and short-token (compact)
// forms: µs per message to decode (hand-written fast path, and the nearley Annex B grammar separately) and to
// encode (long and compact). Figures for bench-results.json, never assertions. Target: decode ≤ 10 µs.
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { decodeMessage } from "../../src/h248/decode-message.ts";
import { encodeMessage } from "../../src/h248/encode-message.ts";
import { decodeWithGrammar } from "../../src/h248/grammar-reference.ts";

interface Figure {
  name: string;
  value: number;
  unit: string;
}

const corpus = resolve(import.meta.dirname, "../..", "../shared/corpora/h248-megaco");

function load(form: "pretty" | "compact"): string[] {
  const dir = resolve(corpus, form);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".txt"))
    .sort()
    .map((f) => readFileSync(resolve(dir, f), "utf8"));
}

let sink = 0;

/** Best of `rounds` timed passes (after warm-up) over `items`, in µs per item. */
function measure<T>(items: T[], fn: (x: T) => unknown, minMs: number, rounds = 5): number {
  const pass = (n: number) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) for (const x of items) if (fn(x) !== undefined) sink++;
    return Number(process.hrtime.bigint() - t0) / 1000 / (n * items.length);
  };
  let n = 1;
  while (pass(n) * n * items.length < minMs * 1000) n *= 2;
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) best = Math.min(best, pass(n));
  return Math.round(best * 100) / 100;
}

export async function benchH248Codec(): Promise<Figure[]> {
  const out: Figure[] = [];
  for (const form of ["pretty", "compact"] as const) {
    const texts = load(form);
    const models = texts.map(decodeMessage);
    out.push({
      name: `h248 decode ${form} (fast path, 149 megaco messages)`,
      value: measure(texts, decodeMessage, 200),
      unit: "µs/message",
    });
    out.push({
      name: `h248 decode ${form} (nearley Annex B grammar)`,
      value: measure(texts, decodeWithGrammar, 300, 1),
      unit: "µs/message",
    });
    out.push({
      name: `h248 encode ${form === "pretty" ? "long form" : "compact form"} (149 megaco messages)`,
      value: measure(models, (m) => encodeMessage(m, { compact: form === "compact" }), 200),
      unit: "µs/message",
    });
  }
  if (sink < 0) console.log(sink);
  return out;
}
