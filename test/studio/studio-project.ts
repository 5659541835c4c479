// A temporary copy of the project's spec/, rules/ and schemas/ for a studio to open and edit (never the real
// rules/), and a raw HTTP client that can send any Host or Origin header.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../../src/rules/schema-registry.ts";

export interface StudioProject {
  root: string;
  read(file: string): string;
  replaceText(file: string, from: string, to: string): void;
  remove(): void;
}

export function studioProject(): StudioProject {
  const root = mkdtempSync(join(tmpdir(), "cleardown-studio-"));
  for (const dir of ["spec", "rules", "schemas"]) cpSync(join(projectRoot, dir), join(root, dir), { recursive: true });
  return {
    root,
    read: (file) => readFileSync(join(root, file), "utf8"),
    replaceText(file, from, to) {
      const text = readFileSync(join(root, file), "utf8");
      if (!text.includes(from)) throw new Error(`${file}: no ${JSON.stringify(from)} to replace`);
      writeFileSync(join(root, file), text.replace(from, to));
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

export interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the test reads the API's JSON freely
  body: any;
}

/** One HTTP request to 127.0.0.1:port with exactly the headers given (Host included). */
export function send(
  port: number,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = {
    host: `127.0.0.1:${port}`,
    ...(payload === undefined ? {} : { "content-type": "application/json" }),
    ...options.headers,
  };
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {}
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on("error", reject);
    req.end(payload);
  });
}
