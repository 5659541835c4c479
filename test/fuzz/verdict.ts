// What the fuzzer concludes about one input: the codec accepted or rejected it (both fine), or something escaped
// it (an exception), or a property failed (a violation), naming where.
export type Verdict =
  | { kind: "accepted" }
  | { kind: "rejected" }
  | { kind: "exception"; where: string; error: string }
  | { kind: "violation"; where: string; detail: string };

export const ACCEPTED: Verdict = { kind: "accepted" };
export const REJECTED: Verdict = { kind: "rejected" };

export function exception(where: string, error: unknown): Verdict {
  return {
    kind: "exception",
    where,
    error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  };
}

export function violation(where: string, detail: string): Verdict {
  return { kind: "violation", where, detail };
}

/** Runs `f`, turning an exception escaping it into a Verdict. */
export function guarded<T>(where: string, f: () => T): { value: T } | { verdict: Verdict } {
  try {
    return { value: f() };
  } catch (err) {
    return { verdict: exception(where, err) };
  }
}
