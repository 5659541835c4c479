// A turn's script as the Redis client sends it, its bytes written straight into one buffer. Built the client's way,
// each argument is joined into one string of the whole command, which the socket write then copies flat and
// encodes again: in a bulk release that was 8 KB of garbage per release, close to half of what the store
// allocated, and young-generation collections with it. Replies are the client's as before (its decoder, UTF-8 strings).
import { createHash } from "node:crypto";
import { Command } from "ioredis";

/** A Lua script and the sockets that have run it (there EVALSHA names it; elsewhere EVAL carries it). */
export class LuaScript {
  readonly sha: string;
  private readonly loadedOn = new WeakSet<object>();

  constructor(readonly lua: string) {
    this.sha = createHash("sha1").update(lua).digest("hex");
  }

  /** The script's text for a connection that has not run it yet, else its SHA1; either way it has it after. */
  nameFor(socket: object): { command: "eval" | "evalsha"; text: string } {
    if (this.loadedOn.has(socket)) return { command: "evalsha", text: this.sha };
    this.loadedOn.add(socket);
    return { command: "eval", text: this.lua };
  }

  /** The server answered NOSCRIPT (restarted, or its scripts flushed): the next command carries the text again. */
  forget(socket: object | undefined): void {
    if (socket) this.loadedOn.delete(socket);
  }
}

export class TurnScriptCommand extends Command {
  /** The socket the command was last written to, for `LuaScript.forget`. */
  socket: object | undefined;

  /**
   * `keys` as the script's KEYS (the client routes a Cluster command by the first); `argv` its ARGV, in order.
   */
  constructor(
    private readonly script: LuaScript,
    keys: readonly string[],
    private readonly argv: readonly string[],
  ) {
    super("evalsha", [script.sha, keys.length, ...keys], { replyEncoding: "utf8" });
  }

  override toWritable(socket: object): Buffer {
    this.socket = socket;
    const { command, text } = this.script.nameFor(socket);
    // The client's args after its own handling of the keys (a key prefix, say) are [sha, numkeys, ...keys]: the
    // script's name or text takes the sha's place. Read where they are, not copied into one list (a script of a
    // busy turn has hundreds of arguments).
    const head = this.args as (string | number)[];
    const { argv } = this;
    const count = 1 + head.length + argv.length;
    const arg = (i: number): string =>
      i === 0
        ? command
        : i === 1
          ? text
          : i <= head.length
            ? String(head[i - 1])
            : (argv[i - 1 - head.length] as string);
    if (lengths.length < count) lengths = new Int32Array(2 * count);
    let size = 3 + digits(count);
    for (let i = 0; i < count; i++) {
      const n = Buffer.byteLength(arg(i));
      lengths[i] = n;
      size += bulkSize(n);
    }
    const out = Buffer.allocUnsafe(size);
    let at = header(out, 0, 42 /* * */, count);
    for (let i = 0; i < count; i++) at = bulk(out, at, arg(i), lengths[i] as number);
    return out;
  }
}

/** The arguments' byte lengths, between the two passes of one command (kept: no list per command). */
let lengths = new Int32Array(1024);

function digits(n: number): number {
  let d = 1;
  for (let m = n; m >= 10; m = Math.floor(m / 10)) d++;
  return d;
}

/** `$N\r\n` + N bytes + `\r\n`. */
function bulkSize(n: number): number {
  return 5 + digits(n) + n;
}

/** `*N\r\n` or `$N\r\n`, byte by byte (a string for each would be garbage, and a call into the encoder). */
function header(out: Buffer, at: number, mark: number, n: number): number {
  out[at] = mark;
  let end = at + 1 + digits(n);
  for (let m = n, i = end - 1; i > at; i--, m = Math.floor(m / 10)) out[i] = 48 + (m % 10);
  out[end++] = 13;
  out[end++] = 10;
  return end;
}

function bulk(out: Buffer, at: number, s: string, n: number): number {
  let i = header(out, at, 36 /* $ */, n);
  if (n > 0) i += out.write(s, i, "utf8");
  out[i] = 13;
  out[i + 1] = 10;
  return i + 2;
}
