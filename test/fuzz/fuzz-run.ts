// The codec fuzzer's driver, shared by the vitest test (test/fuzz/codec-fuzz.test.ts) and the benchmark
// (test/bench/fuzz.bench.ts): `count` messages, half for each codec, a tenth freshly generated and the rest
// mutations of the corpora and of generated messages; each parsed or decoded (timed), then held to its codec's
// properties. Reproducible from the seed.
import fc from "fast-check";
import { type DecodeResult, tryDecodeMessage } from "../../src/h248/decode-message.ts";
import { type ParseResult, parseMessage } from "../../src/sip/messages/parse-message.ts";
import { generatedH248, generatedSip, h248Corpus, sipCorpus } from "./fuzz-inputs.ts";
import { checkH248 } from "./h248-properties.ts";
import { mutate, mutationPlan } from "./mutations.ts";
import { checkSip } from "./sip-properties.ts";
import { guarded, type Verdict } from "./verdict.ts";

export interface Failure {
  verdict: Verdict;
  /** the input, as latin1 text (JSON-escape it to show it) */
  input: string;
}

export interface CodecStats {
  codec: string;
  messages: number;
  accepted: number;
  rejected: number;
  exceptions: number;
  violations: number;
  /** the first failure of each kind and place */
  failures: Failure[];
  /** µs the parse (or decode) of each message took */
  micros: Float64Array;
  /** the inputs that took longest, slowest first (for the benchmark to time again) */
  slowest: Array<{ micros: number; input: Buffer }>;
}

interface Codec {
  name: string;
  corpus: () => Buffer[];
  generated: fc.Arbitrary<Buffer>;
  /** parses or decodes, and holds the properties on the outcome; `time` wraps the parse alone */
  run: (bytes: Buffer, time: <T>(f: () => T) => T) => Verdict;
}

const SIP: Codec = {
  name: "SIP",
  corpus: sipCorpus,
  generated: generatedSip,
  run: (bytes, time) => {
    const r = guarded("parseMessage", () => time(() => parseMessage(bytes)));
    return "verdict" in r ? r.verdict : checkSip(bytes, r.value as ParseResult);
  },
};

const H248: Codec = {
  name: "H.248",
  corpus: h248Corpus,
  generated: generatedH248,
  run: (bytes, time) => {
    const text = bytes.toString("utf8"); // as the UDP transport decodes a datagram
    const r = guarded("tryDecodeMessage", () => time(() => tryDecodeMessage(text)));
    return "verdict" in r ? r.verdict : checkH248(r.value as DecodeResult);
  },
};

const SLOWEST = 16;

function keepIfSlow(slowest: CodecStats["slowest"], micros: number, input: Buffer): void {
  if (slowest.length === SLOWEST && micros <= slowest[SLOWEST - 1].micros) return;
  slowest.push({ micros, input });
  slowest.sort((a, b) => b.micros - a.micros);
  if (slowest.length > SLOWEST) slowest.pop();
}

const BATCH = 2000;
const POOL = 400; // generated messages kept to be mutated, beside the corpora

function fuzzCodec(codec: Codec, count: number, seed: number): CodecStats {
  const stats: CodecStats = {
    codec: codec.name,
    messages: 0,
    accepted: 0,
    rejected: 0,
    exceptions: 0,
    violations: 0,
    failures: [],
    micros: new Float64Array(count),
    slowest: [],
  };
  const pool = [...codec.corpus(), ...fc.sample(codec.generated, { numRuns: POOL, seed })];
  const seen = new Set<string>();
  let started = 0n;
  let micros = 0;
  const time = <T>(f: () => T): T => {
    started = process.hrtime.bigint();
    try {
      return f();
    } finally {
      micros = Number(process.hrtime.bigint() - started) / 1000;
    }
  };
  for (let batch = 0; stats.messages < count; batch++) {
    const n = Math.min(BATCH, count - stats.messages);
    const fresh = fc.sample(codec.generated, { numRuns: Math.ceil(n / 10), seed: seed + 7919 * (batch + 1) });
    const plans = fc.sample(fc.tuple(fc.nat(), mutationPlan), { numRuns: n, seed: seed + 104729 * (batch + 1) });
    for (let k = 0; k < n; k++) {
      const [base, plan] = plans[k];
      const bytes = k < fresh.length ? fresh[k] : mutate(pool[base % pool.length], plan);
      micros = 0;
      const verdict = codec.run(bytes, time);
      stats.micros[stats.messages++] = micros;
      keepIfSlow(stats.slowest, micros, bytes);
      if (verdict.kind === "accepted") stats.accepted++;
      else if (verdict.kind === "rejected") stats.rejected++;
      else {
        if (verdict.kind === "exception") stats.exceptions++;
        else stats.violations++;
        const key = `${verdict.kind} ${verdict.where}`;
        if (!seen.has(key)) {
          seen.add(key);
          stats.failures.push({ verdict, input: bytes.toString("latin1") });
        }
      }
    }
  }
  return stats;
}

/** Fuzzes both codecs with `count` messages in all (the SIP codec gets the odd one). */
export function fuzzCodecs(count: number, seed = 20260): { sip: CodecStats; h248: CodecStats } {
  const sipCount = Math.ceil(count / 2);
  return { sip: fuzzCodec(SIP, sipCount, seed), h248: fuzzCodec(H248, count - sipCount, seed + 1) };
}

/** A failure as one line: what, where, and the input (JSON, shortened). */
export function describeFailure(f: Failure): string {
  const what =
    f.verdict.kind === "exception" ? f.verdict.error : f.verdict.kind === "violation" ? f.verdict.detail : "";
  const input = JSON.stringify(f.input);
  const shown = input.length > 600 ? `${input.slice(0, 600)}… (${f.input.length} octets)` : input;
  return `${f.verdict.kind} in ${"where" in f.verdict ? f.verdict.where : ""}: ${what}\n  input: ${shown}`;
}
