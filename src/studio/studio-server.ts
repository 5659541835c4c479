// `cleardown studio`: a local web app on 127.0.0.1 over a project's spec/, rules/ and schemas/. One page and a
// small JSON API; every request must name loopback in Host (and Origin, when sent), bodies are JSON only.
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { join } from "node:path";
import { refusal } from "./loopback-guard.ts";
import { bundlePage } from "./page-bundle.ts";
import { pageHtml } from "./page-html.ts";
import { StudioError, Workspace } from "./workspace.ts";

export interface StudioOptions {
  root: string;
  /** 0 picks a free port. */
  port: number;
  /** vitest's JSON report to read test results from (default <root>/test-results/vitest.json). */
  results?: string;
}

export interface Studio {
  url: string;
  port: number;
  close(): Promise<void>;
}

const maxBody = 1 << 20;

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/.test(req.headers["content-type"] ?? ""))
    throw new StudioError(415, "expected a JSON body (content-type: application/json)");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBody) throw new StudioError(413, `expected a body of at most ${maxBody} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    if (body && typeof body === "object" && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {}
  throw new StudioError(400, "expected a JSON object as the body");
}

function stringField(body: Record<string, unknown>, key: string): string {
  const v = body[key];
  if (typeof v !== "string") throw new StudioError(400, `expected "${key}" to be a string`);
  return v;
}

/** A file of one of the project's own folders, by its plain name (no path): anything else is refused. */
function folderFile(root: string, folder: "schemas" | "spec", name: string, suffix: string): string {
  const files = readdirSync(join(root, folder)).filter((f) => f.endsWith(suffix));
  if (!files.includes(name)) throw new StudioError(404, `no ${folder}/${name} in this project`);
  return readFileSync(join(root, folder, name), "utf8");
}

export async function startStudio(options: StudioOptions): Promise<Studio> {
  const workspace = new Workspace(options.root, options.results);
  const script = await bundlePage();
  let port = options.port;

  const send = (res: ServerResponse, status: number, body: string, type: string) => {
    res.writeHead(status, {
      "content-type": type,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "x-frame-options": "DENY",
      "content-security-policy":
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
    });
    res.end(body);
  };
  const json = (res: ServerResponse, status: number, value: unknown) =>
    send(res, status, JSON.stringify(value), "application/json; charset=utf-8");

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    // Routes match the path as sent; a name is decoded only once taken out of it, so "%2F" cannot add a folder.
    const path = url.pathname;
    const name = (m: RegExpExecArray) => decodeURIComponent(m[1]);
    const method = req.method ?? "GET";
    if (method === "GET" && path === "/") return send(res, 200, pageHtml(), "text/html; charset=utf-8");
    if (method === "GET" && path === "/studio.js") return send(res, 200, script, "text/javascript; charset=utf-8");
    if (method === "GET" && path === "/favicon.ico") return send(res, 204, "", "image/x-icon");
    if (method === "GET" && path === "/api/overview") return json(res, 200, workspace.overview());
    if (method === "GET" && path === "/api/rules") return json(res, 200, workspace.files());
    const rule = /^\/api\/rules\/([^/]+)$/.exec(path);
    if (rule) {
      const file = `rules/${name(rule)}`;
      if (method === "GET") return json(res, 200, workspace.source(file));
      if (method === "PUT") {
        const result = workspace.save(file, stringField(await jsonBody(req), "text"));
        return json(res, result.ok ? 200 : 422, result);
      }
    }
    if (method === "POST" && path === "/api/preview") {
      const body = await jsonBody(req);
      return json(res, 200, workspace.preview(stringField(body, "file"), stringField(body, "text")));
    }
    if (method === "PUT" && path === "/api/approvals") {
      const ids = (await jsonBody(req)).ids;
      if (!Array.isArray(ids) || ids.length === 0 || !ids.every((i) => typeof i === "string"))
        throw new StudioError(400, 'expected "ids" to be a non-empty array of clause item ids');
      return json(res, 200, workspace.approve(ids as string[]));
    }
    const schemaFile = /^\/api\/schemas\/([^/]+)$/.exec(path);
    if (method === "GET" && schemaFile)
      return send(res, 200, folderFile(options.root, "schemas", name(schemaFile), ".schema.json"), "application/json");
    const specFile = /^\/api\/spec\/([^/]+)$/.exec(path);
    if (method === "GET" && specFile)
      return send(res, 200, folderFile(options.root, "spec", name(specFile), ".clause"), "text/plain; charset=utf-8");
    throw new StudioError(404, `no ${method} ${path} here`);
  }

  const server: Server = createServer((req, res) => {
    const refused = refusal(req, port);
    if (refused) return json(res, 403, { error: refused });
    route(req, res).catch((err: unknown) => {
      if (err instanceof StudioError) json(res, err.status, { error: err.message });
      else json(res, 500, { error: (err as Error).message });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
