// RFC 3261 §18.2.1 (received), RFC 3581 (rport) on the server side, and §18.2.2 (where a response goes).

import { headerOf, paramOf, withParam } from "../messages/header-access.ts";
import { isIPv4address, isIPv6address } from "../messages/host.ts";
import type { SipRequest, Via } from "../messages/message.ts";
import type { Destination, Flow } from "./transport.ts";

const bare = (host: string) => (host.startsWith("[") ? host.slice(1, -1) : host);

function sameAddress(a: string, b: string): boolean {
  return bare(a).toLowerCase() === bare(b).toLowerCase();
}

/**
 * Stamps the top Via of an inbound request: `received` when its sent-by host is not the packet's source address
 * (§18.2.1), and for an `rport` without value both `rport=<source port>` and `received` (RFC 3581 §4).
 */
export function stampReceived(req: SipRequest, flow: Flow): void {
  const i = req.headers.findIndex((h) => h.name === "Via");
  if (i === -1) return;
  const values = req.headers[i].parsed as Via[];
  const top = values[0];
  let params = top.params;
  const rport = paramOf(params, "rport");
  if (rport === null) {
    params = withParam(params, "rport", String(flow.remote.port));
    params = withParam(params, "received", flow.remote.address);
  } else if (!sameAddress(top.host, flow.remote.address)) {
    params = withParam(params, "received", flow.remote.address);
  }
  if (params !== top.params) req.headers[i] = headerOf("Via", [{ ...top, params }, ...values.slice(1)]);
}

function isIpLiteral(host: string): boolean {
  return isIPv4address(host) || (host.startsWith("[") && isIPv6address(host.slice(1, -1)));
}

export type ResponseTarget =
  | { kind: "connection"; flow: Flow }
  | { kind: "address"; destination: Destination }
  | { kind: "resolve"; host: string; port: number; transport: Destination["transport"] };

/** Where a response to the request whose top Via is `via`, received on `flow`, is sent (RFC 3261 §18.2.2). */
export function responseTarget(via: Via, flow: Flow): ResponseTarget {
  const transport = flow.transport;
  // Reliable transport: back on the connection the request came on while it is open (the caller falls back).
  if (transport === "TCP" && flow.connection !== undefined) return { kind: "connection", flow };
  const received = paramOf(via.params, "received");
  const rport = paramOf(via.params, "rport");
  const maddr = paramOf(via.params, "maddr");
  const defaultPort = 5060;
  if (maddr) return { kind: "resolve", host: maddr, port: via.port ?? defaultPort, transport };
  const port = rport ? Number(rport) : (via.port ?? defaultPort);
  if (received) return { kind: "address", destination: { transport, address: bare(received), port } };
  if (isIpLiteral(via.host)) return { kind: "address", destination: { transport, address: bare(via.host), port } };
  return { kind: "resolve", host: via.host, port, transport };
}
