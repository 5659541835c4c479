// An application server for tests: a record-routing SIP proxy (RFC 3261 §16) on a loopback port, built on
// cleardown's own SIP stack. The S-CSCF sends it the initial INVITE with a Route back to itself; the AS
// Record-Routes, so it stays on the dialog's route, and keeps a log of every request it proxied.

import { callIdOf, cseqOf, tagOf, toOf } from "../../../src/sip/messages/header-access.ts";
import { ProxyCore } from "../../../src/sip/proxy/proxy-core.ts";
import { TransactionLayer } from "../../../src/sip/transactions/transaction-layer.ts";
import { destinationOf, nextHopUri } from "../../../src/sip/transport/next-hop.ts";
import { createTransportLayer } from "../../../src/sip/transport/transport-layer.ts";

export interface ProxiedRequest {
  method: string;
  callId: string;
  cseq: string;
}

export interface TestAs {
  port: number;
  uri: string;
  /** The Record-Route entry it inserts, as written. */
  entry: string;
  proxied: ProxiedRequest[];
  close(): Promise<void>;
}

export async function startRecordRoutingAs(transport: "udp" | "tcp" = "udp"): Promise<TestAs> {
  const name = transport === "udp" ? "UDP" : "TCP";
  const layer = await createTransportLayer({ listen: [{ transport: name, address: "127.0.0.1", port: 0 }] });
  const port = layer.addresses[0].port;
  const tp = transport === "tcp" ? ";transport=tcp" : "";
  const tl = new TransactionLayer(layer, { T1: 50, T2: 400, T4: 500, D: 3200 });
  const proxied: ProxiedRequest[] = [];
  const entry = `<sip:127.0.0.1:${port}${tp};lr>`;
  new ProxyCore(tl, {
    async onRequest(req) {
      proxied.push({
        method: req.method,
        callId: callIdOf(req) ?? "",
        cseq: `${cseqOf(req)?.seq} ${cseqOf(req)?.method}`,
      });
      const destination = await destinationOf(nextHopUri(req));
      const recordRoute =
        req.method === "INVITE" && tagOf(toOf(req)) === undefined
          ? {
              displayName: null,
              uri: {
                scheme: "sip" as const,
                user: null,
                password: null,
                host: "127.0.0.1",
                port,
                params: [
                  ...(transport === "tcp" ? [["transport", "tcp"] as [string, string]] : []),
                  ["lr", null] as [string, null],
                ],
                headers: [],
              },
              params: [],
            }
          : undefined;
      return { action: "forward", target: { destination, ...(recordRoute ? { recordRoute } : {}) } };
    },
  });
  return {
    port,
    uri: `sip:127.0.0.1:${port}${tp}`,
    entry,
    proxied,
    async close() {
      tl.close();
      await layer.close();
    },
  };
}
