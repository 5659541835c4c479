// Message bodies of SIP-I (ITU-T Q.1912.5): multipart/mixed (RFC 2046 §5.1) holding SDP and encapsulated ISUP
// (application/isup, RFC 3204). A node that must rewrite the SDP finds its octets and replaces exactly those:
// every other octet (ISUP parts, part headers, boundaries) passes unchanged.
export class BodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BodyError";
  }
}

export interface BodyPart {
  /** The part's Content-Type, lower-cased media type with parameters as written ("application/isup;version=…"). */
  contentType: string;
  /** Octet offsets of the part's content in the body (headers and delimiters excluded). */
  start: number;
  end: number;
}

const mediaType = (contentType: string) => contentType.split(";")[0].trim().toLowerCase();

function boundaryOf(contentType: string): string {
  const m = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!m) throw new BodyError(`Content-Type ${contentType}: expected a boundary parameter (RFC 2046 §5.1.1)`);
  return m[1] ?? m[2];
}

/** The parts of a multipart body, in order. */
export function multipartParts(contentType: string, body: Uint8Array): BodyPart[] {
  const boundary = boundaryOf(contentType);
  // latin1: one character per octet, so string offsets are octet offsets.
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("latin1");
  const delimiter = `--${boundary}`;
  const parts: BodyPart[] = [];
  let at = text.startsWith(delimiter) ? 0 : text.indexOf(`\r\n${delimiter}`);
  if (at === -1) throw new BodyError(`multipart body: expected the delimiter ${delimiter}`);
  if (at > 0) at += 2;
  for (;;) {
    const after = at + delimiter.length;
    if (text.startsWith("--", after)) return parts; // close-delimiter
    const lineEnd = text.indexOf("\r\n", after);
    if (lineEnd === -1) throw new BodyError(`multipart body at octet ${after}: expected CRLF after the delimiter`);
    const headersEnd = text.startsWith("\r\n", lineEnd + 2) ? lineEnd + 2 : text.indexOf("\r\n\r\n", lineEnd);
    if (headersEnd === -1) throw new BodyError(`multipart body at octet ${lineEnd}: expected the part's empty line`);
    const headerText = text.slice(lineEnd + 2, headersEnd);
    const start = headersEnd + (headersEnd === lineEnd + 2 ? 2 : 4);
    const next = text.indexOf(`\r\n${delimiter}`, start - 2);
    if (next === -1)
      throw new BodyError(`multipart body at octet ${start}: expected a closing delimiter ${delimiter}--`);
    const ct = /(?:^|\r\n)content-type\s*:\s*([^\r\n]*)/i.exec(headerText);
    parts.push({ contentType: ct ? ct[1].trim() : "text/plain", start, end: Math.max(start, next) });
    at = next + 2;
  }
}

/**
 * The SDP part of a multipart body, found once per body: a B2BUA reads a message's SDP and then writes it into
 * the body it relays (and a relayed answer's SDP is read again for the MGW), so the same body is asked twice or
 * three times. Keyed by the body's octets; a body is not changed once received or built.
 */
const sdpParts = new WeakMap<Uint8Array, { contentType: string; part: BodyPart | undefined }>();

function sdpPartOf(contentType: string, body: Uint8Array): BodyPart | undefined {
  const known = sdpParts.get(body);
  if (known !== undefined && known.contentType === contentType) return known.part;
  const part = multipartParts(contentType, body).find((p) => mediaType(p.contentType) === "application/sdp");
  sdpParts.set(body, { contentType, part });
  return part;
}

/** The SDP of a body (application/sdp itself, or the SDP part of a multipart body), if there is one. */
export function sdpOf(contentType: string | undefined, body: Uint8Array): string | undefined {
  if (contentType === undefined || body.length === 0) return undefined;
  const type = mediaType(contentType);
  if (type === "application/sdp") return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
  if (!type.startsWith("multipart/")) return undefined;
  const part = sdpPartOf(contentType, body);
  return part === undefined
    ? undefined
    : Buffer.from(body.buffer, body.byteOffset + part.start, part.end - part.start).toString("utf8");
}

/** The body with its SDP replaced by `sdp`; every other octet unchanged. A body without SDP is returned as is. */
export function withSdp(contentType: string | undefined, body: Uint8Array, sdp: string): Uint8Array {
  if (contentType === undefined || body.length === 0) return body;
  const type = mediaType(contentType);
  if (type === "application/sdp") return Buffer.from(sdp, "utf8");
  if (!type.startsWith("multipart/")) return body;
  const part = sdpPartOf(contentType, body);
  if (part === undefined) return body;
  return Buffer.concat([body.subarray(0, part.start), Buffer.from(sdp, "utf8"), body.subarray(part.end)]);
}
