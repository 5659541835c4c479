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
 * The named timers of one transaction, cleared together when it terminates. A transaction runs at most two at
 * a time (E and F as one, A and B, G and H, then D, I, J or K alone): two inline places, no arrays or Map per
 * transaction (a node may run thousands at once), and a list only if a third is ever set. A timer that has
 * fired keeps its place until it is set again or cleared (the machines do one or the other), so the list is
 * what keeps a third set from ever being lost.
 */
export class Timers {
  private name0: string | undefined;
  private handle0: NodeJS.Timeout | undefined;
  private name1: string | undefined;
  private handle1: NodeJS.Timeout | undefined;
  private more: Array<[string, NodeJS.Timeout]> | undefined;

  set(name: string, ms: number, fire: () => void): void {
    this.clear(name);
    const handle = setTimeout(fire, ms);
    if (this.name0 === undefined) {
      this.name0 = name;
      this.handle0 = handle;
    } else if (this.name1 === undefined) {
      this.name1 = name;
      this.handle1 = handle;
    } else {
      this.more ??= [];
      this.more.push([name, handle]);
    }
  }

  clear(name: string): void {
    if (this.name0 === name) {
      clearTimeout(this.handle0);
      this.name0 = undefined;
      this.handle0 = undefined;
    } else if (this.name1 === name) {
      clearTimeout(this.handle1);
      this.name1 = undefined;
      this.handle1 = undefined;
    } else if (this.more) {
      const i = this.more.findIndex(([n]) => n === name);
      if (i !== -1) clearTimeout(this.more.splice(i, 1)[0][1]);
    }
  }

  clearAll(): void {
    clearTimeout(this.handle0);
    clearTimeout(this.handle1);
    for (const [, h] of this.more ?? []) clearTimeout(h);
    this.name0 = undefined;
    this.handle0 = undefined;
    this.name1 = undefined;
    this.handle1 = undefined;
    this.more = undefined;
  }
}
