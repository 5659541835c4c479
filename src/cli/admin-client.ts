// A running node's admin API as the CLI reaches it: the address (--admin, CLEARDOWN_ADMIN, or the default a node
// listens on), the bearer token (--token or CLEARDOWN_ADMIN_TOKEN), and every way a request can fail turned into one
// line naming the problem and the fix, with the exit code of the README's table.
import { adminRequest } from "../admin/admin-request.ts";
import { CliError, exitCodes, type OptionSpec } from "./command-line.ts";

export const defaultAdminUrl = "http://127.0.0.1:8080";

/** The options every command that talks to a node takes. */
export const adminOptions: Record<string, OptionSpec> = {
  admin: {
    type: "string",
    value: "URL",
    help: `the node's admin API (default $CLEARDOWN_ADMIN, else ${defaultAdminUrl})`,
  },
  token: { type: "string", value: "TOKEN", help: "the admin bearer token (default $CLEARDOWN_ADMIN_TOKEN)" },
};

export const adminNotes = [
  "environment: CLEARDOWN_ADMIN (the admin URL), CLEARDOWN_ADMIN_TOKEN (the bearer token)",
  "exit codes: 0 ok, 1 the node answered no (e.g. 404), 2 usage, 3 node unreachable or token refused",
];

export interface AdminAnswerJson {
  status: number;
  text: string;
  json(): Record<string, unknown>;
}

export class AdminClient {
  readonly url: string;
  private readonly token: string;

  constructor(values: Record<string, unknown>) {
    const url = (values.admin as string | undefined) ?? process.env.CLEARDOWN_ADMIN ?? defaultAdminUrl;
    if (!/^https?:\/\/[^/]+/.test(url))
      throw new CliError(`--admin: expected an http:// URL such as ${defaultAdminUrl}, found "${url}"`);
    const token = (values.token as string | undefined) ?? process.env.CLEARDOWN_ADMIN_TOKEN;
    if (!token)
      throw new CliError(
        "no admin token: pass --token TOKEN or set CLEARDOWN_ADMIN_TOKEN (the node's adminToken or its CLEARDOWN_ADMIN_TOKEN)",
      );
    this.url = url;
    this.token = token;
  }

  /** One request; unreachable or refused is a CliError (exit 3). Other statuses are the caller's to judge. */
  async request(method: "GET" | "POST", path: string, body?: unknown, timeoutMs?: number): Promise<AdminAnswerJson> {
    let answer: AdminAnswerJson;
    try {
      answer = await adminRequest(this.url, this.token, method, path, body, timeoutMs);
    } catch (err) {
      throw new CliError(unreachable(this.url, err as Error), exitCodes.unreachable);
    }
    if (answer.status === 401 || answer.status === 403)
      throw new CliError(
        `the node at ${this.url} refused the token (${answer.status}): check --token or CLEARDOWN_ADMIN_TOKEN against the node's adminToken`,
        exitCodes.unreachable,
      );
    return answer;
  }

  /** A request that must answer `ok` (200 by default): its JSON; any other status is a failure (exit 1). */
  async json<T = Record<string, unknown>>(
    method: "GET" | "POST",
    path: string,
    body?: unknown,
    ok: number[] = [200],
    timeoutMs?: number,
  ): Promise<T> {
    const r = await this.request(method, path, body, timeoutMs);
    if (!ok.includes(r.status)) throw new CliError(nodeSaid(r), exitCodes.failure);
    try {
      return r.json() as T;
    } catch {
      throw new CliError(`the node at ${this.url} answered ${r.status} with no JSON (is it a cleardown admin API?)`, 3);
    }
  }
}

/** "the node answered 404: no dialog with Call-ID x" — the error text of the node's JSON body, else its text. */
export function nodeSaid(r: { status: number; text: string }): string {
  let detail = r.text.trim();
  try {
    const body = JSON.parse(r.text) as { error?: unknown; errors?: unknown };
    if (typeof body.error === "string") detail = body.error;
    else if (Array.isArray(body.errors)) detail = body.errors.join("; ");
  } catch {
    // not JSON: the text as it came
  }
  return `the node answered ${r.status}: ${detail}`;
}

function unreachable(url: string, err: Error): string {
  const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? (err.name === "TimeoutError" ? "timeout" : undefined);
  const fix = "is the node running, and is --admin (or CLEARDOWN_ADMIN) its admin URL?";
  if (code === "ECONNREFUSED") return `cannot reach the admin API at ${url} (connection refused): ${fix}`;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `cannot resolve the host of ${url}: check --admin`;
  if (code === "timeout" || code === "UND_ERR_CONNECT_TIMEOUT" || code === "ETIMEDOUT")
    return `the admin API at ${url} did not answer in time: ${fix}`;
  return `cannot reach the admin API at ${url} (${code ?? cause?.message ?? err.message}): ${fix}`;
}
