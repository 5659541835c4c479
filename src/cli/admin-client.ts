// The commands that talk to a running node's admin API (token from CLEARDOWN_ADMIN_TOKEN):
//   cleardown release --admin URL --call-id ID [--cause C]    a network-internal release (S-CSCF or GMSC)
//   cleardown trace --admin URL [--json | --svg] CALL-ID      the call's ladder diagram with its clause ids
import { adminRequest } from "../admin/admin-request.ts";

type Result = { exitCode: number; output: string };

function call(admin: string, method: "GET" | "POST", path: string, body?: unknown) {
  const token = process.env.CLEARDOWN_ADMIN_TOKEN;
  if (!token) throw new Error("CLEARDOWN_ADMIN_TOKEN is not set: the admin API needs its bearer token");
  return adminRequest(admin, token, method, path, body);
}

const failed = (r: { status: number; text: string }): Result => ({
  exitCode: 1,
  output: `admin API answered ${r.status}: ${r.text.trim()}`,
});

export async function release(admin: string, callId: string, cause?: string): Promise<Result> {
  const health = await call(admin, "GET", "/v1/health");
  if (health.status !== 200) return failed(health);
  const role = health.json().role;
  const kind = role === "gmsc" ? "calls" : "dialogs";
  const r = await call(admin, "POST", `/v1/${kind}/${encodeURIComponent(callId)}/release`, cause ? { cause } : {});
  if (r.status !== 202) return failed(r);
  const body = r.json() as { plans?: Array<{ kind: string; rule: string; trace: string[] }> };
  const lines = (body.plans ?? []).map((p) => `  ${p.kind.padEnd(14)} ${p.rule}  [${p.trace.join(", ")}]`);
  return { exitCode: 0, output: [`release of ${callId} started (${role})`, ...lines].join("\n") };
}

export async function trace(admin: string, callId: string, format: "text" | "json" | "svg"): Promise<Result> {
  const r = await call(admin, "GET", `/v1/calls/${encodeURIComponent(callId)}/trace?format=${format}`);
  if (r.status !== 200) return failed(r);
  return { exitCode: 0, output: r.text.trimEnd() };
}
