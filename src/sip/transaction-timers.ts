// RFC 3261 §17 timer values (Table 4). T1, T2, T4 are configurable; Timer D too, since RFC 3261 only says
// "at least 32 s" for unreliable transports. Timers E and G double up to T2.

export interface TimerConfig {
  /** RTT estimate (default 500 ms) */
  T1: number;
  /** maximum retransmit interval for non-INVITE requests and INVITE responses (default 4 s) */
  T2: number;
  /** maximum duration a message stays in the network (default 5 s) */
  T4: number;
  /** Timer D on unreliable transports (default 32 s) */
  D: number;
}

export const DEFAULT_TIMERS: TimerConfig = { T1: 500, T2: 4000, T4: 5000, D: 32_000 };

export function timerConfig(partial: Partial<TimerConfig> = {}): TimerConfig {
  return { ...DEFAULT_TIMERS, ...partial };
}

/** 64·T1: Timers B, F, H, and J on unreliable transports. */
export const transactionTimeout = (t: TimerConfig) => 64 * t.T1;

/** The next interval of Timer E or G: doubled, capped at T2. */
export const backoff = (current: number, t: TimerConfig) => Math.min(2 * current, t.T2);

/** Timer D: wait for response retransmissions (unreliable), 0 on a reliable transport. */
export const timerD = (t: TimerConfig, reliable: boolean) => (reliable ? 0 : t.D);

/** Timers I and K: T4 on unreliable transports, 0 on reliable ones. */
export const timerT4 = (t: TimerConfig, reliable: boolean) => (reliable ? 0 : t.T4);

/** Timer J: 64·T1 on unreliable transports, 0 on reliable ones. */
export const timerJ = (t: TimerConfig, reliable: boolean) => (reliable ? 0 : 64 * t.T1);

/**
 * A small set of named timers, cleared together when a transaction terminates. A transaction has two or three
 * at a time: kept in a short list (no Map, no wrapper closure per timer — a node may run thousands at once).
 */
export class Timers {
  private names: string[] = [];
  private handles: NodeJS.Timeout[] = [];

  set(name: string, ms: number, fire: () => void): void {
    this.clear(name);
    this.names.push(name);
    this.handles.push(setTimeout(fire, ms));
  }

  clear(name: string): void {
    const i = this.names.indexOf(name);
    if (i === -1) return;
    clearTimeout(this.handles[i]);
    // Order does not matter: the last takes the freed place (no splice).
    const last = this.names.length - 1;
    this.names[i] = this.names[last];
    this.handles[i] = this.handles[last];
    this.names.pop();
    this.handles.pop();
  }

  clearAll(): void {
    for (const h of this.handles) clearTimeout(h);
    this.names = [];
    this.handles = [];
  }
}
