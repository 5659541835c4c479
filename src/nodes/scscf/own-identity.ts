// How this S-CSCF names itself in Record-Route and Route entries, and recognises those entries when they come
// back: its listen addresses (and a configured Record-Route host), with the port 5060 when a URI has none.

import { bracketHost } from "../../net/host-port.ts";
import { makeHeader } from "../../sip/messages/header-access.ts";
import { isSipUri, type NameAddr, type Param, type SipUri } from "../../sip/messages/message.ts";
import type { TransportName } from "../../sip/transport/transport.ts";

export interface OwnAddress {
  transport: TransportName;
  address: string;
  port: number;
}

export class OwnIdentity {
  private readonly mine: Set<string>;

  constructor(
    private readonly addresses: OwnAddress[],
    private readonly recordRouteHost?: string,
  ) {
    const keys = addresses.map((a) => `${bracketHost(a.address).toLowerCase()}:${a.port}`);
    if (recordRouteHost) {
      const [host, port] = splitHostPort(recordRouteHost);
      keys.push(`${host.toLowerCase()}:${port ?? 5060}`);
    }
    this.mine = new Set(keys);
  }

  isOwn(uri: SipUri): boolean {
    return this.mine.has(`${uri.host.toLowerCase()}:${uri.port ?? 5060}`);
  }

  /** Whether a stored Route/Record-Route value (name-addr text) is one of this S-CSCF's entries. */
  isOwnValue(value: string): boolean {
    try {
      const na = makeHeader("Route", value).parsed as NameAddr[];
      return na.length === 1 && isSipUri(na[0].uri) && this.isOwn(na[0].uri);
    } catch {
      return false;
    }
  }

  /** An entry of this S-CSCF for the given transport and address family, with `lr` and extra parameters. */
  entry(transport: TransportName, family: 4 | 6, params: Param[] = []): NameAddr {
    let host: string;
    let port: number | null;
    if (this.recordRouteHost) {
      const [h, p] = splitHostPort(this.recordRouteHost);
      host = h;
      port = p ?? null;
    } else {
      const a =
        this.addresses.find((x) => x.transport === transport && x.address.includes(":") === (family === 6)) ??
        this.addresses.find((x) => x.transport === transport) ??
        this.addresses[0];
      host = bracketHost(a.address);
      port = a.port;
    }
    const uriParams: Param[] = [
      ...(transport === "TCP" ? ([["transport", "tcp"]] as Param[]) : []),
      ["lr", null],
      ...params,
    ];
    return {
      displayName: null,
      uri: { scheme: "sip", user: null, password: null, host, port, params: uriParams, headers: [] },
      params: [],
    };
  }
}

function splitHostPort(hostPort: string): [string, number | undefined] {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostPort.trim());
  if (!m) return [hostPort, undefined];
  return [m[1], m[2] === undefined ? undefined : Number(m[2])];
}
