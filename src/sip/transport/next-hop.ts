// Where a request goes next (RFC 3261 §16.6 steps 6–7, §8.1.2): the first Route if it is a loose router,
// else the Request-URI; host, port (5060 by default) and transport (the URI's transport parameter, else UDP).
// Names are resolved with the system resolver (RFC 3263 NAPTR/SRV selection is not done).
import { lookup } from "node:dns/promises";
import { routes } from "../messages/header-access.ts";
import { isIPv4address, isIPv6address } from "../messages/host.ts";
import { isSipUri, type SipRequest, type SipUri, type Uri } from "../messages/message.ts";
import { uriParam } from "../messages/uri.ts";
import type { Destination, TransportName } from "./transport.ts";

export function nextHopUri(req: SipRequest): Uri {
  const top = routes(req)[0];
  return top ? top.uri : req.uri;
}

export function transportOf(uri: SipUri): TransportName {
  const t = uriParam(uri, "transport");
  return typeof t === "string" && t.toLowerCase() === "tcp" ? "TCP" : "UDP";
}

/** The host a SIP URI's request goes to (maddr wins over the host, §19.1.1), without IPv6 brackets. */
function targetHost(uri: SipUri): string {
  const maddr = uriParam(uri, "maddr");
  const host = typeof maddr === "string" ? maddr : uri.host;
  return host.startsWith("[") ? host.slice(1, -1) : host;
}

/** The destination of a SIP URI whose target host is an IP address: no resolver needed. */
export function literalDestination(uri: Uri): Destination | undefined {
  if (!isSipUri(uri)) return undefined;
  const host = targetHost(uri);
  if (!isIPv4address(host) && !isIPv6address(host)) return undefined;
  return { transport: transportOf(uri), address: host, port: uri.port ?? 5060 };
}

/** The destination of a SIP URI, a name resolved with the system resolver. */
export async function destinationOf(uri: Uri): Promise<Destination> {
  const literal = literalDestination(uri);
  if (literal) return literal;
  if (!isSipUri(uri)) throw new Error(`cannot route to a ${uri.scheme}: URI`);
  return { transport: transportOf(uri), address: (await lookup(targetHost(uri))).address, port: uri.port ?? 5060 };
}

/** The same, at once when the host is an IP address (most next hops): a promise only when a name needs resolving. */
export function destinationNow(uri: Uri): Destination | Promise<Destination> {
  return literalDestination(uri) ?? destinationOf(uri);
}
