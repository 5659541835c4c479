// The client side of a node's admin API: one request with the bearer token, the answer as status and text
// (JSON on demand). `cleardown release`/`trace` and the live demo's driver speak to the nodes through it.

export interface AdminAnswer {
  status: number;
  text: string;
  json(): Record<string, unknown>;
}

export async function adminRequest(
  admin: string,
  token: string,
  method: "GET" | "POST",
  path: string,
  body?: unknown,
  /** Give up after this long (the live demo never waits unbounded); default: no limit. */
  timeoutMs?: number,
): Promise<AdminAnswer> {
  const res = await fetch(new URL(path, admin), {
    method,
    ...(timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(timeoutMs) }),
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
}
