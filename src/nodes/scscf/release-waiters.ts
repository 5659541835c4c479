// Who waits for a release to end, each wait with a bound (a bulk release paces itself on these). One timer
// per bound value, armed for the earliest wait, instead of a timer per wait: a bulk release of ten thousand
// dialogs has ten thousand waits under way, all with the node's one bound. A wait is a callback, not a promise:
// each of those thousands stays alive until its release ends, and the young-generation collections that run
// meanwhile copy whatever they hold.

/** One wait under way (a handle for `cancel`). */
export interface Wait {
  readonly callId: string;
  readonly until: number;
  readonly onEnd: () => void;
  /** The waits with the same bound, this one among them. */
  readonly queue: Queue;
}

/** The waits with one bound: in the order they began, which is the order they run out. */
interface Queue {
  readonly waits: Set<Wait>;
  timer: NodeJS.Timeout | undefined;
}

export class ReleaseWaiters {
  /** The wait on each call (an array only when a call has more than one). */
  private readonly byCallId = new Map<string, Wait | Wait[]>();
  private readonly queues = new Map<number, Queue>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /**
   * `onEnd` runs once: when `end(callId)` is called, or after `boundMs` at the latest. `cancel(wait)` gives the
   * wait up (a release that did not start will not end: its wait should not stay queued until its bound); a
   * wait given up never runs.
   */
  wait(callId: string, boundMs: number, onEnd: () => void): Wait {
    let q = this.queues.get(boundMs);
    if (!q) {
      q = { waits: new Set(), timer: undefined };
      this.queues.set(boundMs, q);
    }
    const w: Wait = { callId, until: this.now() + boundMs, onEnd, queue: q };
    const had = this.byCallId.get(callId);
    if (had === undefined) this.byCallId.set(callId, w);
    else if (Array.isArray(had)) had.push(w);
    else this.byCallId.set(callId, [had, w]);
    q.waits.add(w);
    if (q.timer === undefined) this.arm(q);
    return w;
  }

  /**
   * Gives a wait up: it never runs. True if it was still waiting; false for one that has run (its bound passed)
   * or was given up already.
   */
  cancel(w: Wait): boolean {
    return this.remove(w);
  }

  /** The release of `callId` has ended: everyone waiting for it goes on. */
  end(callId: string): void {
    const had = this.byCallId.get(callId);
    if (had === undefined) return;
    for (const w of Array.isArray(had) ? [...had] : [had]) if (this.remove(w)) w.onEnd();
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
      w.onEnd();
    }
    this.arm(q);
  }

  /**
   * Takes one wait out of its queue and its call's entry; the queue's timer stops when nothing is left. False if
   * it was not there (it has run, or was given up).
   */
  private remove(w: Wait): boolean {
    const q = w.queue;
    if (!q.waits.delete(w)) return false;
    const had = this.byCallId.get(w.callId);
    if (Array.isArray(had)) {
      const rest = had.filter((x) => x !== w);
      this.byCallId.set(w.callId, rest.length === 1 ? rest[0] : rest);
    } else this.byCallId.delete(w.callId);
    if (q.waits.size === 0 && q.timer !== undefined) {
      clearTimeout(q.timer);
      q.timer = undefined;
    }
    return true;
  }
}
