// The admin HTTP API of a node: its own address, every request authenticated with a bearer token, JSON in
// and out, bodies bounded. Routes are given by the node; this file knows no clause.
import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { hostPort } from "../net/host-port.ts";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** further response headers, e.g. Retry-After with a 503 */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface AdminRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}

export interface AdminResponse {
  status: number;
  body: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface AdminRoute {
  method: "GET" | "POST";
  /** Path pattern with :name segments, e.g. /v1/dialogs/:callId/release */
  path: string;
  handle(req: AdminRequest): Promise<AdminResponse> | AdminResponse;
}

export interface AdminServerOptions {
  token: string;
  routes: AdminRoute[];
  maxBodyBytes?: number;
  /** connections held at once (default 32) */
  maxConnections?: number;
}

/** A path segment's value; one that is not percent-encoded UTF-8 (RFC 3986 §2.1) is the client's error. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(
      400,
      `path segment ${JSON.stringify(segment)}: expected percent-encoded UTF-8 (RFC 3986 §2.1): "%" and two hex digits per octet, the octets a UTF-8 character`,
    );
  }
}

function match(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(":")) params[want[i].slice(1)] = decodeSegment(got[i]);
    else if (want[i] !== got[i]) return undefined;
  }
  return params;
}

function authorised(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? "";
  const given = Buffer.from(header.startsWith("Bearer ") ? header.slice(7) : "");
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function readBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `request body over ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (err) {
    throw new HttpError(400, `request body is not JSON: ${(err as Error).message}`);
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType = "application/json",
  headers: Record<string, string> = {},
): void {
  // A binary body (a pcap capture) goes as it is.
  const text = Buffer.isBuffer(body)
    ? body
    : contentType === "application/json"
      ? `${JSON.stringify(body, null, 2)}\n`
      : String(body);
  res.writeHead(status, { ...headers, "content-type": contentType, "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export interface AdminServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startAdminServer(listen: string, options: AdminServerOptions): Promise<AdminServer> {
  const limit = options.maxBodyBytes ?? 16 * 1024;
  const server = createServer(async (req, res) => {
    try {
      if (!authorised(req, options.token)) {
        res.setHeader("www-authenticate", 'Bearer realm="cleardown"');
        return send(res, 401, { error: "a bearer token is required (Authorization: Bearer <token>)" });
      }
      const url = new URL(req.url ?? "/", "http://admin");
      const method = req.method ?? "GET";
      for (const route of options.routes) {
        const params = route.method === method ? match(route.path, url.pathname) : undefined;
        if (!params) continue;
        const body = method === "POST" ? await readBody(req, limit) : undefined;
        const out = await route.handle({ method, path: url.pathname, params, query: url.searchParams, body });
        return send(res, out.status, out.body, out.contentType, out.headers);
      }
      send(res, 404, { error: `no route for ${method} ${url.pathname}` });
    } catch (err) {
      if (err instanceof HttpError) send(res, err.status, { error: err.message }, undefined, err.headers);
      else send(res, 500, { error: "internal error" });
    }
  });
  // The admin API's share of the node's file descriptors (the reserve kept out of the SIP connection cap): a
  // client beyond it is closed at once, and a client that does not finish its request is not waited for.
  server.maxConnections = options.maxConnections ?? 32;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  const { hostname, port } = new URL(listen);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(Number(port || 0), hostname.replace(/^\[|\]$/g, ""), () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    server,
    url: `http://${hostPort(address.address, address.port)}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
