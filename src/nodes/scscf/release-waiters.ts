// Who waits for a release to end, each wait with a bound (a bulk release paces itself on these). One timer
// per bound value, armed for the earliest wait, instead of a timer per wait: a bulk release of ten thousand
// dialogs has ten thousand waits under way, all with the node's one bound.

interface Wait {
  readonly callId: string;
  readonly until: number;
  readonly resolve: () => void;
  /** The waits with the same bound, this one among them. */
  readonly queue: Queue;
}

/** The waits with one bound: in the order they began, which is the order they run out. */
interface Queue {
  readonly waits: Set<Wait>;
  timer: NodeJS.Timeout | undefined;
}

export class ReleaseWaiters {
  private readonly byCallId = new Map<string, Wait[]>();
  private readonly queues = new Map<number, Queue>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /**
   * `ended` resolves when `end(callId)` is called, or after `boundMs` at the latest. `cancel` gives the wait up
   * (a release that did not start will not end: its wait should not stay queued until its bound); a wait given
   * up never resolves.
   */
  wait(callId: string, boundMs: number): { ended: Promise<void>; cancel: () => void } {
    let resolve!: () => void;
    const ended = new Promise<void>((r) => {
      resolve = r;
    });
    let q = this.queues.get(boundMs);
    if (!q) {
      q = { waits: new Set(), timer: undefined };
      this.queues.set(boundMs, q);
    }
    const w: Wait = { callId, until: this.now() + boundMs, resolve, queue: q };
    const list = this.byCallId.get(callId);
    if (list) list.push(w);
    else this.byCallId.set(callId, [w]);
    q.waits.add(w);
    if (q.timer === undefined) this.arm(q);
    return { ended, cancel: () => this.remove(w) };
  }

  /** The release of `callId` has ended: everyone waiting for it goes on. */
  end(callId: string): void {
    for (const w of this.byCallId.get(callId) ?? []) {
      this.remove(w);
      w.resolve();
    }
  }

  /** Waits under way. */
  get size(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.waits.size;
    return n;
  }

  private arm(q: Queue): void {
    const first = q.waits.values().next();
    if (first.done) {
      q.timer = undefined;
      return;
    }
    q.timer = setTimeout(() => this.runOut(q), Math.max(0, first.value.until - this.now()));
    q.timer.unref();
  }

  /** The waits whose bound has passed go on as if their release had ended (it may yet end, unseen). */
  private runOut(q: Queue): void {
    const now = this.now();
    for (const w of q.waits) {
      if (w.until > now) break;
      this.remove(w);
      w.resolve();
    }
    this.arm(q);
  }

  /** Takes one wait out of its queue and its call's list; the queue's timer stops when nothing is left. */
  private remove(w: Wait): void {
    const q = w.queue;
    if (!q.waits.delete(w)) return;
    const list = this.byCallId.get(w.callId);
    const rest = list?.filter((x) => x !== w) ?? [];
    if (rest.length > 0) this.byCallId.set(w.callId, rest);
    else this.byCallId.delete(w.callId);
    if (q.waits.size === 0 && q.timer !== undefined) {
      clearTimeout(q.timer);
      q.timer = undefined;
    }
  }
}
