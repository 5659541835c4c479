// Every store command a node issues in one event-loop turn goes to Redis as one script: each command through the
// client costs the node about as much CPU as the work in it (its command object, promise, encoding and reply),
// and a node under load issues many per turn (the datagrams of a turn are handled together). Each entry keeps
// its own meaning: a read, a write that checks the record is still the node's copy, or a plain write.
//
// One script touches many keys, which one server (or a Sentinel's master) runs as it runs one; a Cluster runs a
// script only on keys of one slot, so there each entry is a script of its own.
import type { Cluster } from "ioredis";
import { type RedisConnection, type WriteAcks, writeAcksOf } from "./redis-connection.ts";
import { StoreRecordError } from "./store.ts";
import { LuaScript, TurnScriptCommand } from "./turn-script-command.ts";

/** What an entry asks of its key's value before it writes. */
export type Check =
  /** Nothing: the entry writes whatever is stored. */
  | { kind: "none" }
  /** The value must be exactly this text ("" for none stored). */
  | { kind: "equals"; text: string }
  /**
   * The value must begin with this text (not empty): the write stamp that opens every record a node writes by
   * compare-and-set, unique to that write (redis-store.ts), so the server reads and compares a few bytes, not the
   * record, and the node sends them.
   */
  | { kind: "begins"; text: string }
  /** Only read the value. */
  | { kind: "read" };

/** What an entry writes when its check holds: a text, a delete, or nothing. */
export type Write = { kind: "set"; text: string; ttlMs: number } | { kind: "delete" } | { kind: "keep" };

export type Outcome =
  /**
   * The check held. `changed`: the entry wrote (a delete of nothing did not; a keep counts, as the caller acts on
   * the value as stored, which the replicas must hold as well).
   */
  | { held: true; changed: boolean }
  /** The check failed, or the entry only read: the value as it is (null: none). */
  | { held: false; current: string | null };

// Per key, four arguments: what to do (the check: '*' none, '?' read, '=' equals the text, '^' begins with it; then
// the write: '+' set, '-' delete, '=' keep), the text the value must equal or begin with, the text to set, and the
// time to live in ms (0: none). The texts go as they are: no copy of a record is made in the script. Per key two
// replies: 1 changed, 2 held without a change, 0 failed or read, with the value (false: none), or 3 with the error
// of a command on that key alone (a key of another type, say: the other entries go on).
const script = `
local out = {}
local function call(i, ...)
  local r = redis.pcall(...)
  if type(r) == 'table' and r.err then
    out[2 * i - 1] = 3
    out[2 * i] = r.err
    return nil, true
  end
  return r, false
end
for i = 1, #KEYS do
  local op, want, text, ttl = ARGV[4 * i - 3], ARGV[4 * i - 2], ARGV[4 * i - 1], ARGV[4 * i]
  local check, write = string.byte(op, 1), string.byte(op, 2)
  local held, failed = true, false
  if check ~= 42 then -- '*': no check
    local cur, differs
    if check == 94 then -- '^': only the value's first bytes are read; the whole value only if they differ
      local start
      start, failed = call(i, 'GETRANGE', KEYS[i], 0, #want - 1)
      differs = not failed and start ~= want
      if differs then cur, failed = call(i, 'GET', KEYS[i]) end
    else
      cur, failed = call(i, 'GET', KEYS[i])
      differs = check == 63 or (cur or '') ~= want -- '?': a read answers the value
    end
    if differs and not failed then
      held = false
      out[2 * i - 1] = 0
      out[2 * i] = cur or false
    end
  end
  if held and not failed then
    local changed, set = 1, nil
    if write == 45 then -- '-'
      changed, failed = call(i, 'DEL', KEYS[i])
    elseif write == 43 then -- '+'
      if ttl ~= '0' then
        set, failed = call(i, 'SET', KEYS[i], text, 'PX', ttl)
      else
        set, failed = call(i, 'SET', KEYS[i], text)
      end
    end
    if not failed then
      out[2 * i - 1] = changed == 1 and 1 or 2
      out[2 * i] = false
    end
  end
end
return out`;

/** What an entry asks: its check and the write that follows when the check holds. */
export interface Step {
  check: Check;
  write: Write;
}

type Args = [string, string, string, string];

interface Entry {
  key: string;
  /** Set when the entry is queued, or from `prepare` when the turn ends. */
  args?: Args;
  /** Decides the entry's step when the turn ends (undefined: nothing to send, held as it is). */
  prepare?: () => Step | undefined;
  resolve: (o: Outcome) => void;
  reject: (err: unknown) => void;
  /** Told when the entry leaves the batch for its script: from then on, what is asked of the key is another entry. */
  sent?: () => void;
}

const checkMark = { none: "*", read: "?", equals: "=", begins: "^" } as const;
const writeMark = { set: "+", delete: "-", keep: "=" } as const;

const argsOf = ({ check, write }: Step): Args => [
  checkMark[check.kind] + writeMark[write.kind],
  check.kind === "equals" || check.kind === "begins" ? check.text : "",
  write.kind === "set" ? write.text : "",
  write.kind === "set" && write.ttlMs > 0 ? String(write.ttlMs) : "0",
];

/**
 * Entries per script. A turn that issues more (a bulk release starting a thousand releases) sends a script each
 * time this many are waiting, so Redis runs them while the node goes on producing the rest, instead of idling
 * until the turn ends; a script also blocks Redis while it runs. Writes that may still be joined wait for the
 * turn's end (then go this many to a script).
 */
const maxEntries = 64;

const turnScript = new LuaScript(script);

type Reply = (number | string | null)[];

class TurnBatch {
  /** Entries whose step is known, sent when the turn ends or when `maxEntries` are waiting. */
  private pending: Entry[] = [];
  /** Entries decided when the turn ends (runPrepared): what the node asks of their keys until then joins them. */
  private prepared: Entry[] = [];
  private flushing = false;

  constructor(private readonly redis: RedisConnection) {}

  run(key: string, check: Check, write: Write, sent?: () => void): Promise<Outcome> {
    return new Promise<Outcome>((resolve, reject) => {
      this.atTurnEnd();
      this.pending.push({ key, args: argsOf({ check, write }), resolve, reject, sent });
      if (this.pending.length >= maxEntries) this.send(this.take());
    });
  }

  /**
   * An entry whose step is decided only when the turn ends (`prepare`): what the node asks of the key until then
   * can still join it. Undefined from `prepare`: nothing is sent, and the outcome is the check held without a
   * change. A `prepare` that throws fails its entry alone.
   */
  runPrepared(key: string, prepare: () => Step | undefined): Promise<Outcome> {
    return new Promise<Outcome>((resolve, reject) => {
      this.atTurnEnd();
      this.prepared.push({ key, prepare, resolve, reject });
    });
  }

  /** At the end of the loop's turn (after its I/O callbacks: a turn's datagrams are handled in several). */
  private atTurnEnd(): void {
    if (this.flushing) return;
    this.flushing = true;
    setImmediate(() => {
      this.flushing = false;
      this.flush();
    });
  }

  private take(): Entry[] {
    const entries = this.pending;
    this.pending = [];
    return entries;
  }

  private flush(): void {
    const prepared = this.prepared;
    this.prepared = [];
    for (const e of prepared) {
      let step: Step | undefined;
      try {
        step = (e.prepare as () => Step | undefined)();
      } catch (err) {
        e.reject(err);
        continue;
      }
      if (step === undefined) {
        e.resolve({ held: true, changed: false });
        continue;
      }
      e.args = argsOf(step);
      this.pending.push(e);
      if (this.pending.length >= maxEntries) this.send(this.take());
    }
    if (this.pending.length > 0) this.send(this.take());
  }

  /** On a cluster each entry is a script of its own (one slot per script); else the entries go as one. */
  private send(entries: Entry[]): void {
    for (const e of entries) e.sent?.();
    if (this.redis.isCluster) for (const e of entries) void this.sendScript([e]);
    else void this.sendScript(entries);
  }

  /** The script's command for `entries`: its keys, then each entry's four arguments. */
  private command(entries: Entry[]): TurnScriptCommand {
    const n = entries.length;
    const keys = new Array<string>(n);
    const argv = new Array<string>(4 * n);
    for (let i = 0; i < n; i++) {
      const e = entries[i] as Entry;
      keys[i] = e.key;
      [argv[4 * i], argv[4 * i + 1], argv[4 * i + 2], argv[4 * i + 3]] = e.args as Args;
    }
    return new TurnScriptCommand(turnScript, keys, argv);
  }

  /** Runs the script once; again with its text if the server no longer has it (NOSCRIPT: restarted, flushed). */
  private async runScript(entries: Entry[], acks: WriteAcks | undefined): Promise<{ replies: Reply; held: number }> {
    for (let attempt = 0; ; attempt++) {
      const command = this.command(entries);
      try {
        if (acks === undefined) {
          this.redis.sendCommand(command);
          return { replies: (await command.promise) as Reply, held: Number.POSITIVE_INFINITY };
        }
        // On a cluster, a pipeline goes to the master of its first key: here a batch is one key.
        const pipeline = (this.redis as Cluster).pipeline();
        // A pipeline queues any command so (its typings leave the method out).
        (pipeline as unknown as { sendCommand(c: TurnScriptCommand): void }).sendCommand(command);
        pipeline.wait(acks.replicas, acks.timeoutMs);
        const [[scriptError, out], [waitError, n]] = (await pipeline.exec()) ?? [[new Error("pipeline discarded")], []];
        if (scriptError) throw scriptError;
        if (waitError) throw waitError;
        return { replies: out as Reply, held: n as number };
      } catch (err) {
        if (attempt > 0 || !String((err as Error).message).includes("NOSCRIPT")) throw err;
        turnScript.forget(command.socket);
      }
    }
  }

  /**
   * One script for `entries`. With acknowledgements asked for (`wait=N` in the URL), WAIT follows it in one
   * pipeline, and an entry's change fewer replicas hold in time is an error: the caller must not act on it as if
   * it were safe. A script that fails fails each of its entries.
   */
  private async sendScript(entries: Entry[]): Promise<void> {
    try {
      const acks = writeAcksOf(this.redis);
      const { replies, held } = await this.runScript(entries, acks);
      for (const [i, e] of entries.entries()) {
        const code = replies[2 * i];
        const changed = code === 1;
        if (code === 0) e.resolve({ held: false, current: replies[2 * i + 1] as string | null });
        else if (code === 3) e.reject(new Error(`${e.key}: ${replies[2 * i + 1]}`));
        else if (changed && acks !== undefined && held < acks.replicas)
          e.reject(
            new StoreRecordError(
              `${e.key}: written, but held by ${held} of ${acks.replicas} replicas after ${acks.timeoutMs} ms (wait=${acks.replicas})`,
            ),
          );
        else e.resolve({ held: true, changed });
      }
    } catch (err) {
      for (const e of entries) e.reject(err);
    }
  }
}

const batches = new WeakMap<RedisConnection, TurnBatch>();

/** The turn's batch of a connection: shared by every store on it, so one script carries all their entries. */
export function turnBatchOf(redis: RedisConnection): TurnBatch {
  let batch = batches.get(redis);
  if (batch === undefined) {
    batch = new TurnBatch(redis);
    batches.set(redis, batch);
  }
  return batch;
}
