// Reading what a UDP tap saw, independently of cleardown's codec: a SIP message split into start line, header
// fields and body octets, and a multipart body into its parts (RFC 2046), so tests compare exact octets.
export interface WireMessage {
  start: string;
  headers: Array<[name: string, value: string]>;
  body: Buffer;
  text: string;
}

export function wireMessage(datagram: string): WireMessage {
  const end = datagram.indexOf("\r\n\r\n");
  const head = datagram.slice(0, end).split("\r\n");
  return {
    start: head[0],
    headers: head.slice(1).map((l) => {
      const colon = l.indexOf(":");
      return [l.slice(0, colon).trim(), l.slice(colon + 1).trim()] as [string, string];
    }),
    body: Buffer.from(datagram.slice(end + 4), "latin1"),
    text: datagram,
  };
}

export const headerOf = (m: WireMessage, name: string): string | undefined =>
  m.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];

/** The datagrams without retransmissions (a datagram equal to one sent before it). */
export function distinct(datagrams: string[]): string[] {
  const seen = new Set<string>();
  return datagrams.filter((d) => !seen.has(d) && seen.add(d) !== undefined);
}

/** Messages whose start line matches, in the order the tap saw them. */
export function messages(datagrams: string[], start: RegExp): WireMessage[] {
  return distinct(datagrams)
    .map(wireMessage)
    .filter((m) => start.test(m.start));
}

/** The start lines, with the CSeq method for responses: ["INVITE", "180 Ringing (INVITE)", …]. */
export function ladder(datagrams: string[]): string[] {
  return distinct(datagrams)
    .map(wireMessage)
    .map((m) => {
      if (m.start.startsWith("SIP/2.0 ")) return `${m.start.slice(8)} (${headerOf(m, "CSeq")?.split(" ")[1]})`;
      return m.start.split(" ")[0];
    });
}

/** The parts of a multipart body: each part's Content-Type and content octets. */
export function bodyParts(m: WireMessage): Array<{ type: string; content: Buffer }> {
  const ct = headerOf(m, "Content-Type") ?? "";
  const boundary = /boundary=("?)([^";]+)\1/.exec(ct)?.[2];
  if (boundary === undefined) return [{ type: ct, content: m.body }];
  const delimiter = Buffer.from(`--${boundary}`, "latin1");
  const out: Array<{ type: string; content: Buffer }> = [];
  let at = m.body.indexOf(delimiter);
  while (at !== -1) {
    const lineEnd = m.body.indexOf("\r\n", at);
    if (m.body.subarray(at + delimiter.length, at + delimiter.length + 2).toString() === "--") break;
    const headEnd = m.body.indexOf("\r\n\r\n", lineEnd);
    const next = m.body.indexOf(Buffer.concat([Buffer.from("\r\n"), delimiter]), headEnd);
    const head = m.body.subarray(lineEnd + 2, headEnd).toString("latin1");
    out.push({
      type: /content-type:\s*([^\r\n]+)/i.exec(head)?.[1] ?? "",
      content: m.body.subarray(headEnd + 4, next),
    });
    at = next + 2;
  }
  return out;
}

export const sdpPart = (m: WireMessage) =>
  bodyParts(m)
    .find((p) => p.type.startsWith("application/sdp"))
    ?.content.toString();
export const isupPart = (m: WireMessage) => bodyParts(m).find((p) => p.type.startsWith("application/isup"))?.content;
