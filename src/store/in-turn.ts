// Work on one key, one piece at a time, in the order it came: a queue per key that goes with its last piece.
// The store runs a node's writes to one record so; the GMSC runs a call's events so.

const idle = Promise.resolve();

export class InTurn {
  /** Per key: the last piece's settling (one promise, not a catch and then a then). */
  private readonly last = new Map<string, Promise<unknown>>();

  /**
   * Runs `job` once every job queued before it for `key` has settled, either way; its result as it is. Never at
   * once, even with nothing queued: the job is queued before any of it runs, so a job that queues another for its
   * key (before its first await) does not run beside it.
   */
  run<R>(key: string, job: () => Promise<R>): Promise<R> {
    const result = (this.last.get(key) ?? idle).then(job, job);
    const settled: Promise<unknown> = result.then(
      () => this.done(key, settled),
      () => this.done(key, settled),
    );
    this.last.set(key, settled);
    return result;
  }

  private done(key: string, settled: Promise<unknown>): void {
    if (this.last.get(key) === settled) this.last.delete(key);
  }
}
