// Frames SIP messages on a byte stream (RFC 3261 §18.3): each message is a head ending in CRLF CRLF and a body of
// exactly Content-Length octets. Handles several messages per read and messages split across reads; CRLFs
// between messages (RFC 3261 §7.5, RFC 5626 keepalives) are skipped. A head longer than the limit, or a
// message whose declared length exceeds it, is refused without buffering it whole.
export type Framed =
  | { kind: "message"; bytes: Buffer }
  | { kind: "keepalive" }
  /** A message refused: `head` is given when one was read (to answer it); `close` when the stream is lost. */
  | { kind: "fault"; reason: string; head?: Buffer; close: boolean };

const CRLFCRLF = Buffer.from("\r\n\r\n");
const CONTENT_LENGTH = /\r\n(?:content-length|l)[ \t]*:[ \t]*(?:\r\n[ \t]+)?([0-9]+)[ \t]*(?=\r\n)/i;

export class StreamFramer {
  private buf: Buffer = Buffer.alloc(0);
  private skipping = 0;
  private failed = false;

  constructor(private readonly maxMessageBytes = 65536) {}

  push(chunk: Buffer): Framed[] {
    if (this.failed) return [];
    if (this.skipping > 0) {
      const n = Math.min(this.skipping, chunk.length);
      this.skipping -= n;
      chunk = chunk.subarray(n);
    }
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: Framed[] = [];
    for (;;) {
      let start = 0;
      while (start + 1 < this.buf.length && this.buf[start] === 13 && this.buf[start + 1] === 10) start += 2;
      if (start > 0) {
        if (start >= 4) out.push({ kind: "keepalive" });
        this.buf = this.buf.subarray(start);
      }
      if (this.buf.length === 0) break;
      const end = this.buf.indexOf(CRLFCRLF);
      if (end === -1) {
        if (this.buf.length > this.maxMessageBytes) return this.fail(out, "header section larger than the limit");
        break;
      }
      const headLength = end + 4;
      const head = this.buf.subarray(0, headLength);
      const m = CONTENT_LENGTH.exec(head.toString("latin1"));
      if (!m) return this.fail(out, "no Content-Length on a stream transport (RFC 3261 §18.3)", head);
      const bodyLength = Number(m[1]);
      const total = headLength + bodyLength;
      if (total > this.maxMessageBytes) {
        // Answerable from the head; the body is skipped as it arrives, so the stream stays in step.
        out.push({
          kind: "fault",
          reason: `message of ${total} octets exceeds ${this.maxMessageBytes}`,
          head: Buffer.from(head),
          close: false,
        });
        const have = this.buf.length - headLength;
        this.skipping = Math.max(0, bodyLength - have);
        this.buf = have > bodyLength ? this.buf.subarray(total) : Buffer.alloc(0);
        continue;
      }
      if (this.buf.length < total) break;
      out.push({ kind: "message", bytes: Buffer.from(this.buf.subarray(0, total)) });
      this.buf = this.buf.subarray(total);
    }
    return out;
  }

  private fail(out: Framed[], reason: string, head?: Buffer): Framed[] {
    this.failed = true;
    this.buf = Buffer.alloc(0);
    out.push({ kind: "fault", reason, head: head ? Buffer.from(head) : undefined, close: true });
    return out;
  }
}
