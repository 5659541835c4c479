// Parse throughput on IMS-like messages (test/fixtures/sip/ims/): this codec, strict (every structured field
// validated against the RFC 3261 ABNF), side by side in the same run with the npm `sip` package's parser,
// each extracting the same fields (top Via branch, From/To tags, Call-ID, CSeq, Request-URI and Contact URIs,
// Route URIs, Reason). Figures for bench-results.json, never assertions.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import {
  branchOf,
  callIdOf,
  contacts,
  cseqOf,
  fromOf,
  headerValue,
  reasons,
  routes,
  tagOf,
  toOf,
  topVia,
} from "../../src/sip/messages/header-access.ts";
import { parseMessage } from "../../src/sip/messages/parse-message.ts";

interface Figure {
  name: string;
  value: number;
  unit: string;
}

const require = createRequire(import.meta.url);
const npmSip = require("sip/sip.js") as {
  parse: (s: string) => Record<string, unknown> & { headers: Record<string, unknown>; uri?: string };
  parseUri: (s: string) => unknown;
};

const dir = resolve(import.meta.dirname, "../fixtures/sip/ims");
export const imsCorpus: Buffer[] = readdirSync(dir)
  .filter((f) => f.endsWith(".sip"))
  .sort()
  .map((f) => readFileSync(join(dir, f)));

let sink = 0;

function ours(buf: Buffer): void {
  const r = parseMessage(buf);
  if (!r.ok) throw new Error(`IMS corpus message rejected: ${JSON.stringify(r.fault)}`);
  const m = r.message;
  const c = contacts(m);
  const fields = [
    branchOf(topVia(m)),
    tagOf(fromOf(m)),
    tagOf(toOf(m)),
    callIdOf(m),
    cseqOf(m)?.seq,
    m.kind === "request" ? m.uri : undefined,
    c === "*" ? c : c[0]?.uri,
    routes(m).map((r) => r.uri),
    reasons(m),
    headerValue(m, "Content-Type"),
  ];
  sink += fields.length;
}

interface NpmAor {
  uri: string;
  params: Record<string, string>;
}

function theirs(buf: Buffer): void {
  // as its transport does: the datagram as a binary string, then parse
  const m = npmSip.parse(buf.toString("binary"));
  if (!m) throw new Error("npm sip rejected an IMS corpus message");
  const h = m.headers as Record<string, unknown> & {
    via: Array<{ params: Record<string, string> }>;
    from: NpmAor;
    to: NpmAor;
    cseq: { seq: number };
    contact?: NpmAor[];
    route?: NpmAor[];
  };
  const fields = [
    h.via[0]?.params.branch,
    h.from.params.tag,
    h.to.params.tag,
    h["call-id"],
    h.cseq.seq,
    m.uri ? npmSip.parseUri(m.uri) : undefined,
    h.contact?.[0] ? npmSip.parseUri(h.contact[0].uri) : undefined,
    (h.route ?? []).map((r) => npmSip.parseUri(r.uri)),
    h.reason,
    h["content-type"],
  ];
  sink += fields.length;
}

function messagesPerSecond(parse: (b: Buffer) => void, seconds: number): number {
  for (let i = 0; i < 2000; i++) for (const b of imsCorpus) parse(b); // warm up the JIT
  let done = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < seconds) {
    for (let i = 0; i < 200; i++) for (const b of imsCorpus) parse(b);
    done += 200 * imsCorpus.length;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  return done / elapsed;
}

export async function benchSipParse(): Promise<Figure[]> {
  // Interleave rounds so that neither parser profits from a warmer machine.
  const a: number[] = [];
  const b: number[] = [];
  for (let round = 0; round < 3; round++) {
    a.push(messagesPerSecond(ours, 0.7));
    b.push(messagesPerSecond(theirs, 0.7));
  }
  const best = (xs: number[]) => Math.max(...xs);
  const oursRate = best(a);
  const theirsRate = best(b);
  if (sink < 0) console.log(sink);
  return [
    { name: "sip-parse: cleardown codec (strict), IMS corpus", value: Math.round(oursRate), unit: "messages/s" },
    { name: "sip-parse: npm sip 0.0.6 parser, IMS corpus", value: Math.round(theirsRate), unit: "messages/s" },
    { name: "sip-parse: cleardown / npm sip", value: Number((oursRate / theirsRate).toFixed(2)), unit: "ratio" },
    { name: "sip-parse: cleardown codec, mean per message", value: Number((1e6 / oursRate).toFixed(2)), unit: "µs" },
  ];
}
