// The GMSC's routing table (config gmsc.routes): the succeeding node of a call, chosen by the Request-URI's
// user part (a number, by prefix) and/or host. The first matching route wins; one with neither matches all.
import type { NodeConfig } from "../../../generated/types/index.ts";
import { isSipUri, isTelUri, type Uri } from "../../sip/messages/message.ts";
import type { Destination } from "../../sip/transport/transport.ts";
import { parseListen } from "../listen.ts";

type Route = NonNullable<NonNullable<NodeConfig["gmsc"]>["routes"]>[number];

export interface RouteChoice {
  target: string;
  destination: Destination;
}

/** The number a Request-URI carries: the user part of a SIP URI (visual separators dropped), a tel: number. */
function numberOf(uri: Uri): string | undefined {
  if (isTelUri(uri)) return uri.number.replace(/[-.()]/g, "");
  if (isSipUri(uri) && uri.user !== null) return decodeURIComponent(uri.user).replace(/[-.()]/g, "");
  return undefined;
}

const hostOf = (uri: Uri) => (isSipUri(uri) ? uri.host.toLowerCase() : undefined);

export class RoutingTable {
  private readonly routes: Array<Route & { destination: Destination }>;

  constructor(routes: Route[] = []) {
    // parseListen names the route's target and what was expected when it is not udp://ADDRESS:PORT.
    this.routes = routes.map((r, i) => {
      try {
        return { ...r, destination: parseListen(r.target) };
      } catch (err) {
        throw new Error(`gmsc.routes[${i}].target: ${(err as Error).message}`);
      }
    });
  }

  route(uri: Uri): RouteChoice | undefined {
    const number = numberOf(uri);
    const host = hostOf(uri);
    for (const r of this.routes) {
      if (r.prefix !== undefined && (number === undefined || !number.startsWith(r.prefix))) continue;
      if (r.host !== undefined && host !== r.host.toLowerCase()) continue;
      return { target: r.target, destination: r.destination };
    }
    return undefined;
  }
}
