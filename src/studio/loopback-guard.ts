// DNS-rebinding and cross-site safety for a server on loopback: a browser sends the Host it was pointed at and,
// on a cross-origin request, the Origin of the page asking. Both must name this machine's loopback address.
import type { IncomingMessage } from "node:http";

const loopbackHost = /^(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$/i;

/** Why the request is refused, or undefined when it comes from a loopback page to a loopback name. */
export function refusal(req: IncomingMessage, port: number): string | undefined {
  const host = req.headers.host ?? "";
  const m = loopbackHost.exec(host);
  if (!m || (m[2] !== undefined && m[2] !== `:${port}`))
    return `expected a Host header naming this loopback server (127.0.0.1:${port}), found "${host}"`;
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {}
    if (url?.protocol !== "http:" || !loopbackHost.test(url.host) || url.port !== String(port))
      return `expected an Origin on this loopback server (http://127.0.0.1:${port}), found "${origin}"`;
  }
  const fetchSite = req.headers["sec-fetch-site"];
  if (fetchSite === "cross-site") return "expected a request from the studio's own page, found a cross-site one";
  return undefined;
}
