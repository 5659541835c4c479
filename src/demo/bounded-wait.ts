// Every wait of the live demo is bounded: a step that does not happen in time fails the scenario with what was
// awaited, so `npm start` ends with a clear error and exit 1 instead of hanging.

export class DemoTimeout extends Error {
  constructor(what: string, ms: number) {
    super(`${what}: did not happen within ${ms} ms`);
    this.name = "DemoTimeout";
  }
}

/** Polls `probe` until it returns a value (not undefined or false), at most `timeoutMs`. */
export async function waitUntil<T>(
  what: string,
  timeoutMs: number,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= until) throw new DemoTimeout(what, timeoutMs);
    await new Promise((r) => setTimeout(r, 10));
  }
}
