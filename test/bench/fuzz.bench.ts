// Fuzzing both codecs (test/fuzz/): a million mutated and generated messages by default (CLEARDOWN_FUZZ_COUNT
// sets another count), half SIP, half H.248: how many ran, how many exceptions escaped (must be 0) and properties
// failed, and the time per message (p99; the maximum as observed, which catches garbage collection and other
// processes too, and the slowest inputs timed again). Then scaling: µs per KiB for a header field of 1 KiB and of
// 60 KiB (and on a stream read 64 octets at a time), µs per message for H.248 nesting 10 and 1000 deep; a linear
// codec shows a ratio near 1 (or below). Then the rule compiler: 4,000 hostile rule files by default
// (CLEARDOWN_FUZZ_GENERATOR_COUNT), each rejected by lint or compiled and checked (test/fuzz/rule-codegen.ts).
// Figures for bench-results.json, never assertions.
import { tryDecodeMessage } from "../../src/h248/decode-message.ts";
import { parseMessage } from "../../src/sip/messages/parse-message.ts";
import { StreamFramer } from "../../src/sip/transport/stream-framer.ts";
import { h248BraceSoup, h248NestedEmbed, longSipHeaders, sipWithLongHeader } from "../fuzz/fuzz-inputs.ts";
import { type CodecStats, describeFailure, fuzzCodecs } from "../fuzz/fuzz-run.ts";
import { fuzzGenerator } from "../fuzz/rule-codegen.ts";
import type { BenchFigure } from "./rules.bench.ts";

/** Best of several runs, in µs (the least disturbed by the rest of the machine). */
function bestMicros(f: () => unknown, runs = 7): number {
  for (let warm = 0; warm < 5; warm++) f();
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    f();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1000);
  }
  return best;
}

const round = (x: number, digits = 2) => Number(x.toFixed(digits));

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

function codecFigures(s: CodecStats, decode: (b: Buffer) => unknown): BenchFigure[] {
  const sorted = Float64Array.from(s.micros).sort();
  const retimed = Math.max(...s.slowest.map((x) => bestMicros(() => decode(x.input), 5)));
  const name = `fuzz: ${s.codec}`;
  return [
    { name: `${name} messages run`, value: s.messages, unit: "messages" },
    { name: `${name} accepted (the rest rejected)`, value: s.accepted, unit: "messages" },
    { name: `${name} exceptions escaped`, value: s.exceptions, unit: "exceptions" },
    { name: `${name} properties failed`, value: s.violations, unit: "messages" },
    { name: `${name} p99 per message`, value: round(percentile(sorted, 0.99)), unit: "µs" },
    { name: `${name} max per message (as observed)`, value: round(sorted[sorted.length - 1]), unit: "µs" },
    { name: `${name} max per message (slowest ${s.slowest.length} timed again)`, value: round(retimed), unit: "µs" },
  ];
}

const perKiB = (micros: number, bytes: number) => micros / (bytes / 1024);

function scaling(label: string, small: Buffer, large: Buffer, run: (b: Buffer) => unknown): BenchFigure[] {
  const a = perKiB(
    bestMicros(() => run(small)),
    small.length,
  );
  const b = perKiB(
    bestMicros(() => run(large)),
    large.length,
  );
  return [
    { name: `fuzz scaling: ${label}, 1 KiB`, value: round(a), unit: "µs/KiB" },
    { name: `fuzz scaling: ${label}, 60 KiB`, value: round(b), unit: "µs/KiB" },
    { name: `fuzz scaling: ${label}, 60 KiB / 1 KiB`, value: round(b / a), unit: "ratio" },
  ];
}

function framed(bytes: Buffer): number {
  const framer = new StreamFramer();
  let frames = 0;
  for (let at = 0; at < bytes.length; at += 64) frames += framer.push(bytes.subarray(at, at + 64)).length;
  return frames;
}

function scalingFigures(): BenchFigure[] {
  const out: BenchFigure[] = [];
  for (const [shape, make] of Object.entries(longSipHeaders)) {
    out.push(
      ...scaling(`SIP ${shape}`, sipWithLongHeader(make(1024)), sipWithLongHeader(make(60 * 1024)), parseMessage),
    );
  }
  out.push(
    ...scaling(
      "SIP stream framing, 64-octet reads",
      sipWithLongHeader(longSipHeaders["extension value"](1024)),
      sipWithLongHeader(longSipHeaders["extension value"](60 * 1024)),
      framed,
    ),
  );
  for (const [shape, make] of [
    ["nested Embed", h248NestedEmbed],
    ["nested braces", h248BraceSoup],
  ] as const) {
    const decode = (b: Buffer) => tryDecodeMessage(b.toString("latin1"));
    const a = bestMicros(() => decode(make(10)));
    const b = bestMicros(() => decode(make(1000)));
    out.push(
      { name: `fuzz scaling: H.248 ${shape}, depth 10`, value: round(a), unit: "µs" },
      { name: `fuzz scaling: H.248 ${shape}, depth 1000`, value: round(b), unit: "µs" },
      { name: `fuzz scaling: H.248 ${shape}, per level, 1000 / 10`, value: round(b / 1000 / (a / 10)), unit: "ratio" },
    );
  }
  return out;
}

/** The rule compiler under hostile rule files (issue 17): each case rejected by lint or compiled and checked. */
async function generatorFigures(): Promise<BenchFigure[]> {
  const g = await fuzzGenerator(Number(process.env.CLEARDOWN_FUZZ_GENERATOR_COUNT ?? 4000));
  for (const f of g.failures) console.log(f);
  return [
    { name: "fuzz: rule generator cases run (hostile rule files)", value: g.cases, unit: "cases" },
    { name: "fuzz: rule generator rejected by lint (file:line:col)", value: g.rejected, unit: "cases" },
    {
      name: "fuzz: rule generator compiled and checked (parse, globals, agree)",
      value: g.compiled,
      unit: "cases",
    },
    { name: "fuzz: rule generator properties failed", value: g.failed, unit: "cases" },
  ];
}

export async function benchFuzz(): Promise<BenchFigure[]> {
  const generator = await generatorFigures();
  const count = Number(process.env.CLEARDOWN_FUZZ_COUNT ?? 1_000_000);
  const { sip, h248 } = fuzzCodecs(count);
  for (const f of [...sip.failures, ...h248.failures]) console.log(describeFailure(f));
  return [
    ...codecFigures(sip, (b) => parseMessage(b)),
    ...codecFigures(h248, (b) => tryDecodeMessage(b.toString("utf8"))),
    { name: "fuzz: exceptions escaped, both codecs", value: sip.exceptions + h248.exceptions, unit: "exceptions" },
    ...scalingFigures(),
    ...generator,
  ];
}
