// What the codec fuzzer starts from: the public corpora (RFC 4475, RFC 5118 as extracted and normalised, the IMS
// fixtures; Erlang megaco's H.248 messages in both token forms) and messages generated from the codecs' own
// fast-check arbitraries (test/sip/head-arbitraries.ts, test/h248/message-arbitraries.ts); plus the pathological
// shapes the benchmark times: long header values and deeply nested H.248 braces.
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import fc from "fast-check";
import { encodeMessage } from "../../src/h248/encode-message.ts";
import { megacoNames, megacoPath } from "../h248/megaco-corpus.ts";
import { message as h248Message } from "../h248/message-arbitraries.ts";
import { rfc4475, rfc4475Names, rfc5118Names, rfc5118Normalised, rfc5118Raw } from "../sip/corpora.ts";
import { messageWithBody } from "../sip/head-arbitraries.ts";

const imsDir = resolve(import.meta.dirname, "../fixtures/sip/ims");

export function sipCorpus(): Buffer[] {
  const ims = readdirSync(imsDir)
    .filter((f) => f.endsWith(".sip"))
    .sort()
    .map((f) => readFileSync(resolve(imsDir, f)));
  return [
    ...rfc4475Names().map(rfc4475),
    ...rfc5118Names().map(rfc5118Raw),
    ...rfc5118Names().map(rfc5118Normalised),
    ...ims,
  ];
}

export function h248Corpus(): Buffer[] {
  return megacoNames().flatMap((n) => [readFileSync(megacoPath("pretty", n)), readFileSync(megacoPath("compact", n))]);
}

/** Generated SIP messages (heads with white space, folding, compact names; a body framed by Content-Length). */
export const generatedSip: fc.Arbitrary<Buffer> = messageWithBody;

/** Generated H.248 messages of every transaction kind, in the long or the compact form. */
export const generatedH248: fc.Arbitrary<Buffer> = fc
  .tuple(h248Message, fc.boolean())
  .map(([m, compact]) => Buffer.from(encodeMessage(m, { compact }), "utf8"));

// ---- shapes whose cost must grow linearly with their size --------------------------------------------------

const SIP_START =
  "INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n" +
  "From: <sip:a@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\n";

/** Ways to make one SIP header field about `bytes` long, by name. */
export const longSipHeaders: Record<string, (bytes: number) => string> = {
  "extension value": (n) => `Subject: ${"x".repeat(n)}`,
  "Route list": (n) =>
    `Route: ${Array(Math.ceil(n / 24))
      .fill("<sip:p1.example.com;lr>")
      .join(",")}`,
  "Via parameters": (n) => `Via: SIP/2.0/UDP p.example.com${";x=1".repeat(Math.ceil(n / 4))}`,
  "quoted display name": (n) => `Contact: "${"d".repeat(n)}" <sip:a@example.com>`,
  "folded value": (n) => `Subject: a${"\r\n b".repeat(Math.ceil(n / 4))}`,
};

export function sipWithLongHeader(header: string): Buffer {
  return Buffer.from(`${SIP_START}${header}\r\nContent-Length: 0\r\n\r\n`, "latin1");
}

/** An H.248 request whose event nests `depth` Embed descriptors (RFC-wise only one is allowed). */
export function h248NestedEmbed(depth: number): Buffer {
  const open = "a/b{Embed{Events=1{".repeat(depth);
  const close = "}}}".repeat(depth);
  return Buffer.from(`!/1 [1.2.3.4]:2944 T=1{C=1{MF=t1{E=1{${open}a/c${close}}}}}`, "latin1");
}

/** An H.248 request with `depth` unmatched braces where a descriptor should be. */
export function h248BraceSoup(depth: number): Buffer {
  return Buffer.from(`!/1 [1.2.3.4]:2944 T=1{C=1{MF=t1{${"{".repeat(depth)}${"}".repeat(depth)}}}}`, "latin1");
}
