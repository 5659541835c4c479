// Reads the public RFC 4475 / RFC 5118 corpora from ../shared/corpora (relative to the repository root) at test
// time; the files are never copied or edited. RFC 5118's known extraction quirks are normalised here, by name.
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";

export const repoRoot = resolve(import.meta.dirname, "../..");
export const corporaDir = resolve(repoRoot, "../shared/corpora");

export function rfc4475(name: string): Buffer {
  return readFileSync(resolve(corporaDir, "rfc4475", `${name}.dat`));
}

export function rfc4475Names(): string[] {
  return readdirSync(resolve(corporaDir, "rfc4475"))
    .filter((f) => f.endsWith(".dat") && f !== "test.dat")
    .map((f) => f.slice(0, -4));
}

export function rfc5118Raw(name: string): Buffer {
  return readFileSync(resolve(corporaDir, "rfc5118", name));
}

export function rfc5118Names(): string[] {
  return readdirSync(resolve(corporaDir, "rfc5118")).sort();
}

/**
 * RFC 5118 files as extracted have bare LF line ends, two lack the empty line ending the headers, and two declare
 * a Content-Length that is not their body's. Normalised: CRLF line ends in the head, the empty line added, the
 * body kept (its lines CRLF too, as the RFC's SDP shows) and Content-Length set to its length.
 */
export function rfc5118Normalised(name: string): Buffer {
  const text = rfc5118Raw(name).toString("latin1").replace(/\r?\n/g, "\n");
  const split = text.indexOf("\n\n");
  const headText = split === -1 ? text.replace(/\n*$/, "") : text.slice(0, split);
  const bodyText = split === -1 ? "" : text.slice(split + 2);
  const body = Buffer.from(bodyText.replace(/\n/g, "\r\n"), "latin1");
  const head = headText
    .split("\n")
    .map((l) => (/^content-length\s*:/i.test(l) ? `Content-Length: ${body.length}` : l))
    .join("\r\n");
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`, "latin1"), body]);
}

/** The head of a raw message (through CRLF CRLF), decoded, or undefined if it has none. */
export function headOf(buf: Buffer): string | undefined {
  const end = buf.indexOf("\r\n\r\n");
  return end === -1 ? undefined : buf.toString("utf8", 0, end + 4);
}
