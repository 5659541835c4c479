// fast-check arbitraries for SIP message heads: valid ones built from RFC 3261 pieces (with white space, folding,
// compact names and odd characters where the ABNF allows them), and mutations of those for rejections.
import fc from "fast-check";

const chars = (set: string, min = 1, max = 8) =>
  fc.array(fc.constantFrom(...set), { minLength: min, maxLength: max }).map((a) => a.join(""));

const ALNUM = "abcxyzABCZ0129";
export const token = chars(`${ALNUM}-.!%*_+\`'~`);
const escaped = fc.constantFrom("%41", "%2c", "%00", "%3B");
const withEscapes = (set: string) =>
  fc.array(fc.oneof(chars(set, 1, 3), escaped), { minLength: 1, maxLength: 4 }).map((a) => a.join(""));

const sws = fc.constantFrom("", "", " ", "  ", "\t", "\r\n ", " \r\n\t");
const lws = fc.constantFrom(" ", "  ", "\t", "\r\n ", " \r\n  ");

const label = fc.tuple(fc.constantFrom("a", "b", "x1", "ex-am"), fc.constantFrom("", "9", "z")).map(([a, b]) => a + b);
const hostname = fc
  .tuple(fc.array(label, { maxLength: 3 }), fc.constantFrom("com", "net", "a", "b-2"), fc.constantFrom("", "", "."))
  .map(([ls, top, dot]) => [...ls, top].join(".") + dot);
const ipv4 = fc.tuple(fc.nat(255), fc.nat(999), fc.nat(9), fc.nat(255)).map((a) => a.join("."));
const ipv6 = fc.constantFrom(
  "::1",
  "2001:db8::10",
  "::ffff:192.0.2.1",
  "2001:db8:::192.0.2.1",
  "2001:db8::192.0.2.1",
  "fe80::a:b:c",
  "1:2:3:4:5:6:7:8",
);
const host = fc.oneof(
  hostname,
  ipv4,
  ipv6.map((v) => `[${v}]`),
);
const port = fc.option(fc.nat(65535), { nil: undefined }).map((p) => (p === undefined ? "" : `:${p}`));

const uriParams = fc
  .array(
    fc.tuple(withEscapes(`${ALNUM}-_.!~*'()[]/:&+$`), fc.option(withEscapes(`${ALNUM}-_.[]:`), { nil: undefined })),
    {
      maxLength: 3,
    },
  )
  .map((ps) => ps.map(([n, v]) => (v === undefined ? `;${n}` : `;${n}=${v}`)).join(""));
const uriHeaders = fc
  .array(fc.tuple(withEscapes(`${ALNUM}-[]/?:+$`), chars(`${ALNUM}?:+$`, 0, 4)), { maxLength: 2 })
  .map((hs) => (hs.length === 0 ? "" : `?${hs.map(([n, v]) => `${n}=${v}`).join("&")}`));
const userinfo = (bare: boolean) =>
  fc
    .option(
      fc.tuple(
        withEscapes(bare ? `${ALNUM}-_.!~*'()&=+$/` : `${ALNUM}-_.!~*'()&=+$,;?/`),
        fc.option(chars(bare ? `${ALNUM}&=+$` : `${ALNUM}&=+$,`, 0, 4), { nil: undefined }),
      ),
      { nil: undefined },
    )
    .map((u) => (u === undefined ? "" : u[1] === undefined ? `${u[0]}@` : `${u[0]}:${u[1]}@`));

export const fullUri = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(fc.constantFrom("sip", "SIP", "sips"), userinfo(false), host, port, uriParams, uriHeaders)
      .map(([s, u, h, p, ps, hs]) => `${s}:${u}${h}${p}${ps}${hs}`),
  },
  { weight: 1, arbitrary: fc.tuple(chars("0123456789+-.()*#", 1, 8), uriParams).map(([n, ps]) => `tel:${n}${ps}`) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom("http", "urn", "im", "x-y"), chars(`${ALNUM}/:@&=+$;?,`, 1, 10))
      .map(([s, v]) => `${s}:${v}`),
  },
);
const bareUri = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(fc.constantFrom("sip", "sips"), userinfo(true), host, port)
      .map(([s, u, h, p]) => `${s}:${u}${h}${p}`),
  },
  { weight: 1, arbitrary: chars("0123456789+-.", 1, 8).map((n) => `tel:${n}`) },
);

const quoted = fc
  .array(
    fc.oneof(chars(`${ALNUM} <>,;:@=`, 1, 4), fc.constantFrom('\\"', "\\\\", "\\\x07", "\r\n ", "\u00e9", "\u4e2d")),
    { maxLength: 4 },
  )
  .map((a) => `"${a.join("")}"`);
const display = fc.oneof(
  fc.constant(""),
  fc.tuple(quoted, sws).map(([q, w]) => q + w),
  fc.tuple(fc.array(token, { minLength: 1, maxLength: 3 }), lws, sws).map(([ts, l, w]) => ts.join(l) + w),
);
const genValue = fc.oneof(
  token,
  quoted,
  ipv6.map((v) => `[${v}]`),
);
const param = (special: fc.Arbitrary<string>) =>
  fc.oneof(
    special,
    token,
    fc.tuple(token, sws, sws, genValue).map(([n, a, b, v]) => `${n}${a}=${b}${v}`),
  );
const params = (special: fc.Arbitrary<string>) =>
  fc
    .array(fc.tuple(sws, sws, param(special)), { maxLength: 3 })
    .map((ps) => ps.map(([a, b, p]) => `${a};${b}${p}`).join(""));

const nameAddr = fc.tuple(display, fullUri).map(([d, u]) => `${d}<${u}>`);
const anyAddr = fc.oneof(nameAddr, bareUri);
const list = (item: fc.Arbitrary<string>) =>
  fc
    .array(fc.tuple(item, sws, sws), { minLength: 1, maxLength: 3 })
    .map((xs) => xs.map(([x, a, b], i) => (i === 0 ? x : `${a},${b}${x}`)).join(""));

const tagP = fc.tuple(fc.constantFrom("tag", "TAG"), token).map(([n, v]) => `${n}=${v}`);
const viaSpecial = fc.oneof(
  token.map((t) => `branch=z9hG4bK${t}`),
  fc
    .oneof(
      ipv4,
      ipv6,
      ipv6.map((v) => `[${v}]`),
    )
    .map((a) => `received=${a}`),
  fc.constantFrom("rport", "rport=5060", "ttl=16", "ttl=1234", "maddr=224.2.0.1", "branch"),
);
const contactSpecial = fc.constantFrom(
  "q=0.5",
  "q=1.000",
  "q=1.5",
  "q=0.1234",
  "expires=3600",
  "expires",
  '+sip.instance="<urn:uuid:1>"',
  'pub-gruu="sip:a@b;gr=x"',
);
const reasonSpecial = fc.constantFrom("cause=503", 'text="Session Terminated"', "cause", "text=abc");

const via = fc
  .tuple(
    fc.constantFrom("SIP", "sip"),
    sws,
    sws,
    fc.constantFrom("2.0", "3.1"),
    sws,
    sws,
    fc.constantFrom("UDP", "tcp", "TLS", "SCTP"),
    lws,
    host,
    port,
    params(viaSpecial),
  )
  .map(([p, a, b, v, c, d, t, l, h, pt, ps]) => `${p}${a}/${b}${v}${c}/${d}${t}${l}${h}${pt}${ps}`);

const field = (names: string[], value: fc.Arbitrary<string>) =>
  fc
    .tuple(fc.constantFrom(...names), fc.constantFrom("", " ", "\t"), sws, value)
    .map(([n, w, s, v]) => `${n}${w}:${s}${v}`);

export const headerLine = fc.oneof(
  field(["Via", "v", "VIA"], list(via)),
  field(
    ["From", "f", "To", "t"],
    fc.tuple(anyAddr, params(tagP)).map(([a, p]) => a + p),
  ),
  field(
    ["Contact", "m"],
    fc.oneof(
      { weight: 1, arbitrary: fc.constant("*") },
      { weight: 6, arbitrary: list(fc.tuple(anyAddr, params(contactSpecial)).map(([a, p]) => a + p)) },
    ),
  ),
  field(["Route", "Record-Route"], list(fc.tuple(nameAddr, params(token)).map(([a, p]) => a + p))),
  field(
    ["Call-ID", "i"],
    fc
      .tuple(chars(`${ALNUM}-.!%*_+\`'~()<>:\\"/[]?{}`, 1, 10), fc.option(token, { nil: undefined }))
      .map(([a, b]) => (b ? `${a}@${b}` : a)),
  ),
  field(
    ["CSeq", "cseq"],
    fc.tuple(fc.nat(99999), lws, fc.constantFrom("INVITE", "BYE", "ACK")).map(([n, l, m]) => `${n}${l}${m}`),
  ),
  field(["Max-Forwards", "Content-Length", "l"], fc.nat(300).map(String)),
  field(
    ["Reason"],
    list(fc.tuple(fc.constantFrom("SIP", "Q.850", "X"), params(reasonSpecial)).map(([p, ps]) => p + ps)),
  ),
  field(
    ["Session-Expires", "x"],
    fc
      .tuple(fc.nat(9999), params(fc.constantFrom("refresher=uac", "refresher=UAS", "refresher=x")))
      .map(([n, p]) => `${n}${p}`),
  ),
  field(
    ["Date"],
    fc.constantFrom("Sat, 13 Nov 2010 23:29:00 GMT", "Fri, 01 Jan 2010 16:00:00 EST", "sun, 02 feb 2020 01:02:03 gmt"),
  ),
  field(["Subject", "s", "X-Custom", "C%6Fntact", "Accept"], chars(`${ALNUM} ;,<>"\\=\t`, 0, 12)),
);

export const startLine = fc.oneof(
  fc
    .tuple(fc.constantFrom("INVITE", "BYE", "x!y"), fullUri, fc.constantFrom("SIP/2.0", "sip/2.0", "SIP/7.1"))
    .map(([m, u, v]) => `${m} ${u} ${v}`),
  fc
    .tuple(fc.constantFrom("SIP/2.0", "SIP/2.1"), fc.integer({ min: 100, max: 699 }), chars(`${ALNUM} %20=*`, 0, 8))
    .map(([v, s, r]) => `${v} ${s} ${r}`),
);

export const validishHead = fc
  .tuple(startLine, fc.array(fc.tuple(headerLine, fc.constantFrom("", "", " ", "\r\n ")), { maxLength: 8 }))
  .map(([s, hs]) => `${s}\r\n${hs.map(([h, trail]) => `${h}${trail}\r\n`).join("")}\r\n`);

/** A whole message: a generated head, its Content-Length replaced by one giving the length of a random body. */
export const messageWithBody = fc.tuple(validishHead, fc.uint8Array({ maxLength: 40 })).map(([h, body]) => {
  const head = h.replace(/\r\n(?:Content-Length|l)[ \t]*:[^\r]*(?:\r\n[ \t][^\r]*)*/gi, "");
  return Buffer.concat([Buffer.from(head.replace(/\r\n\r\n$/, `\r\nContent-Length: ${body.length}\r\n\r\n`)), body]);
});

/** Characters that matter to the head grammar, for mutations (here and in test/fuzz/). */
export const HEAD_PUNCTUATION = [
  " ",
  "\t",
  ";",
  ",",
  ":",
  "<",
  ">",
  '"',
  "\\",
  "@",
  "=",
  "%",
  "[",
  "]",
  "\r\n",
  "/",
  "?",
  "x",
  "0",
  "\x01",
  ".",
];

const edits = fc.array(
  fc.tuple(fc.nat(), fc.constantFrom("del", "ins", "ins", "sub"), fc.constantFrom(...HEAD_PUNCTUATION)),
  { minLength: 1, maxLength: 3 },
);

/** A head with a few characters deleted, inserted or replaced; cut at its first empty line. */
export const mutatedHead = fc.tuple(validishHead, edits).map(([h, es]) => {
  let s = h.slice(0, -4);
  for (const [at, op, ch] of es) {
    const i = at % (s.length + 1);
    if (op === "del") s = s.slice(0, i) + s.slice(i + 1);
    else if (op === "ins") s = s.slice(0, i) + ch + s.slice(i);
    else s = s.slice(0, i) + ch + s.slice(i + 1);
  }
  const head = `${s}\r\n\r\n`;
  return head.slice(0, head.indexOf("\r\n\r\n") + 4);
});
