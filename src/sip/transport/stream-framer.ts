// Frames SIP messages on a byte stream (RFC 3261 §18.3): each message is a head ending in CRLF CRLF and a body of
// exactly Content-Length octets. Handles several messages per read and messages split across reads; CRLFs
// between messages (RFC 3261 §7.5, RFC 5626 keepalives) are skipped, each CRLF CRLF counted as one ping. A head
// longer than the limit, or a message whose declared length exceeds it, is refused without buffering it whole.
// What comes out depends only on the octets, never on how the reads cut them; the work is linear in the octets
// (received data is appended to a buffer that doubles, and the search for CRLF CRLF never goes back over octets
// it has looked at).
export type Framed =
  | { kind: "message"; bytes: Buffer }
  | { kind: "keepalive" }
  /** A message refused: `head` is given when one was read (to answer it); `close` when the stream is lost. */
  | { kind: "fault"; reason: string; head?: Buffer; close: boolean };

/**
 * What the stream waits for after a read: the start of a message (only CRLFs or nothing held), the rest of a
 * head (no CRLF CRLF yet), or the rest of a body. The transport times each out differently.
 */
export type StreamPhase = "between" | "head" | "body";

const CRLFCRLF = Buffer.from("\r\n\r\n");
const CONTENT_LENGTH = /\r\n(?:content-length|l)[ \t]*:[ \t]*(?:\r\n[ \t]+)?([0-9]+)[ \t]*(?=\r\n)/i;

export class StreamFramer {
  private store: Buffer = Buffer.alloc(0);
  /** unframed octets are store[start, end) */
  private start = 0;
  private end = 0;
  /** no CRLF CRLF begins in store[start, searched) */
  private searched = 0;
  /** body octets of a refused message still to skip */
  private skipping = 0;
  /** CRLF pairs skipped since the last message, for pings that arrive in pieces */
  private crlfPairs = 0;
  private failed = false;
  private waiting: StreamPhase = "between";

  constructor(private readonly maxMessageBytes = 65536) {}

  push(chunk: Buffer): Framed[] {
    if (this.failed) return [];
    if (this.skipping > 0) {
      const n = Math.min(this.skipping, chunk.length);
      this.skipping -= n;
      chunk = chunk.subarray(n);
    }
    this.append(chunk);
    const out: Framed[] = [];
    for (;;) {
      const s = this.store;
      while (this.end - this.start >= 2 && s[this.start] === 13 && s[this.start + 1] === 10) {
        this.start += 2;
        if (++this.crlfPairs === 2) {
          out.push({ kind: "keepalive" });
          this.crlfPairs = 0;
        }
      }
      this.waiting = "between";
      // a lone CR may be the first half of a CRLF still to come
      if (this.end - this.start === 1 && s[this.start] === 13) break;
      if (this.start === this.end) break;
      this.waiting = "head";
      this.crlfPairs = 0;
      if (this.searched < this.start) this.searched = this.start;
      const found = s.subarray(0, this.end).indexOf(CRLFCRLF, this.searched);
      if (found === -1) {
        this.searched = Math.max(this.start, this.end - 3);
        if (this.end - this.start > this.maxMessageBytes) return this.fail(out, "header section larger than the limit");
        break;
      }
      const headLength = found + 4 - this.start;
      if (headLength > this.maxMessageBytes) return this.fail(out, "header section larger than the limit");
      const head = s.subarray(this.start, this.start + headLength);
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
        const have = this.end - this.start - headLength;
        this.skipping = Math.max(0, bodyLength - have);
        this.start = have > bodyLength ? this.start + total : this.end;
        continue;
      }
      if (this.end - this.start < total) {
        this.waiting = "body";
        break;
      }
      out.push({ kind: "message", bytes: Buffer.from(s.subarray(this.start, this.start + total)) });
      this.start += total;
    }
    return out;
  }

  /** What the stream waits for now; a refused message's body still being skipped counts as a body. */
  get phase(): StreamPhase {
    if (this.failed) return "between";
    return this.skipping > 0 ? "body" : this.waiting;
  }

  /** Appends a read, moving what is held to the front (or to a buffer twice as large) when it does not fit. */
  private append(chunk: Buffer): void {
    if (chunk.length === 0) return;
    const held = this.end - this.start;
    if (this.end + chunk.length > this.store.length) {
      const target =
        this.store.length >= 2 * (held + chunk.length) ? this.store : Buffer.alloc(2 * (held + chunk.length));
      this.store.copy(target, 0, this.start, this.end);
      this.store = target;
      this.searched -= this.start;
      this.end = held;
      this.start = 0;
    }
    chunk.copy(this.store, this.end);
    this.end += chunk.length;
  }

  private fail(out: Framed[], reason: string, head?: Buffer): Framed[] {
    this.failed = true;
    this.store = Buffer.alloc(0);
    this.start = this.end = this.searched = 0;
    out.push({ kind: "fault", reason, head: head ? Buffer.from(head) : undefined, close: true });
    return out;
  }
}
