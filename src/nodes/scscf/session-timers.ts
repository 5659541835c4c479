// RFC 4028 session timers the S-CSCF asked for: one timer per dialog, re-armed by each refresh. An unrefreshed
// session is a network-internal indication to release it (cause "session-timer"). Like the side that does not
// refresh (§10), it acts min(32 s, interval/3) before the expiry, so the BYEs go out while the session exists.
import type { DialogRecord } from "../../../generated/types/index.ts";

/** Time for timers: the node's clock (tests may run it faster), never the core's. */
export interface Clock {
  now(): number;
  setTimer(fn: () => void, ms: number): NodeJS.Timeout;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
};

type Session = NonNullable<DialogRecord["sessionExpires"]>;

export class SessionTimers {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly clock: Clock,
    /** Reads the stored session (another node may have seen the refresh) and releases if it has expired. */
    private readonly expire: (callId: string) => Promise<void>,
  ) {}

  static releaseAt(session: Session): number {
    return session.expiresAt - Math.min(32, session.interval / 3) * 1000;
  }

  arm(callId: string, session: Session): void {
    this.disarm(callId);
    const ms = Math.max(0, SessionTimers.releaseAt(session) - this.clock.now());
    const t = this.clock.setTimer(() => {
      this.timers.delete(callId);
      void this.expire(callId);
    }, ms);
    t.unref?.();
    this.timers.set(callId, t);
  }

  disarm(callId: string): void {
    const t = this.timers.get(callId);
    if (t) clearTimeout(t);
    this.timers.delete(callId);
  }

  get size(): number {
    return this.timers.size;
  }

  close(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
