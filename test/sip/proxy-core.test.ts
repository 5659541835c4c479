// RFC 3261 §16 stateful proxy core over real UDP sockets on 127.0.0.1 (T1 = 20 ms): a UAC and a UAS, both
// transaction layers, on either side of the proxy.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  cseqOf,
  headerOf,
  maxForwardsOf,
  recordRoutes,
  setHeader,
  tagOf,
  toOf,
  vias,
} from "../../src/sip/messages/header-access.ts";
import type { SipRequest, SipResponse } from "../../src/sip/messages/message.ts";
import { type ForwardTarget, ProxyCore } from "../../src/sip/proxy/proxy-core.ts";
import type { ClientTransaction } from "../../src/sip/transactions/client-transaction.ts";
import { responseTo } from "../../src/sip/transactions/invite-server-transaction.ts";
import type { ServerTransaction } from "../../src/sip/transactions/server-transaction.ts";
import { TransactionLayer } from "../../src/sip/transactions/transaction-layer.ts";
import { createTransportLayer, type TransportLayer } from "../../src/sip/transport/transport-layer.ts";
import { request } from "./sip-samples.ts";

const T1 = 20;
let opened: TransportLayer[] = [];
let layers: TransactionLayer[] = [];

async function node(t1 = T1): Promise<{ transport: TransportLayer; tl: TransactionLayer; port: number }> {
  const transport = await createTransportLayer({ listen: [{ transport: "UDP", address: "127.0.0.1", port: 0 }] });
  opened.push(transport);
  const tl = new TransactionLayer(transport, { T1: t1, T2: 4 * t1, T4: 5 * t1, D: 10 * t1 });
  layers.push(tl);
  return { transport, tl, port: transport.addresses[0].port };
}

const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 5));
  }
};

let uac: Awaited<ReturnType<typeof node>>;
let uas: Awaited<ReturnType<typeof node>>;
let px: Awaited<ReturnType<typeof node>>;
let proxy: ProxyCore;
let atUas: Array<{ req: SipRequest; tx: ServerTransaction | undefined }>;
let target: (req: SipRequest) => ForwardTarget;

beforeEach(async () => {
  uac = await node(100); // the UAC outlasts the proxy's Timer B, to hear its 408
  uas = await node();
  px = await node();
  atUas = [];
  const to = (port: number) => ({ transport: "UDP" as const, address: "127.0.0.1", port });
  target = () => ({
    destination: to(uas.port),
    recordRoute: {
      displayName: null,
      uri: {
        scheme: "sip",
        user: null,
        password: null,
        host: "127.0.0.1",
        port: px.port,
        params: [["lr", null]],
        headers: [],
      },
      params: [],
    },
  });
  proxy = new ProxyCore(px.tl, { onRequest: (req) => ({ action: "forward", target: target(req) }) });
  uas.tl.setUser({
    onRequest: (req, tx) => {
      atUas.push({ req, tx });
      if (!tx) return;
      if (req.method === "INVITE") {
        tx.respond(responseTo(req, 180, "Ringing", "uas1"));
        if (!req.uri.toString().includes("slow") && (req.uri as { user: string }).user !== "slow") {
          tx.respond(responseTo(req, 200, "OK", "uas1"));
        }
      } else if (req.method === "CANCEL") {
        tx.respond(responseTo(req, 200, "OK", "uas1"));
        const inv = uas.tl.inviteFor(req);
        inv?.respond(responseTo(inv.request, 487, "Request Terminated", "uas1"));
      } else tx.respond(responseTo(req, 200, "OK", "uas1"));
    },
  });
});

afterEach(async () => {
  for (const l of layers) l.close();
  for (const t of opened) await t.close();
  opened = [];
  layers = [];
});

const invite = (user: string, maxForwards = 70) =>
  request(`INVITE sip:${user}@127.0.0.1 SIP/2.0
Max-Forwards: ${maxForwards}
From: <sip:alice@example.com>;tag=a1
To: <sip:${user}@example.com>
Call-ID: ${user}-${Math.random()}@test
CSeq: 1 INVITE
Contact: <sip:alice@127.0.0.1>
Content-Length: 0

`);

function call(req: SipRequest) {
  const got: SipResponse[] = [];
  const tx = uac.tl.sendRequest(
    req,
    { transport: "UDP", address: "127.0.0.1", port: px.port },
    { onResponse: (r) => got.push(r) },
  );
  return { got, tx };
}

describe("RFC 3261 §16 proxy core", () => {
  it("§16.2/§16.6/§16.7: 100 Trying, forwarding with Record-Route, Max-Forwards−1 and its Via; responses back without it", async () => {
    const { got } = call(invite("bob"));
    await until(() => got.some((r) => r.status === 200));
    expect(got.map((r) => r.status)).toEqual([100, 180, 200]);
    expect(vias(got[2])).toHaveLength(1);
    const fwd = atUas[0].req;
    expect(maxForwardsOf(fwd)).toBe(69);
    expect(vias(fwd)).toHaveLength(2);
    expect(recordRoutes(fwd).map((r) => (r.uri as { port: number }).port)).toEqual([px.port]);
    expect(tagOf(toOf(got[2]))).toBe("uas1");
  });

  it("§16.6: the ACK for a 2xx passes end to end, reaching the UAS outside any transaction", async () => {
    const { got, tx } = call(invite("bob"));
    await until(() => got.some((r) => r.status === 200));
    const ack = request(`ACK sip:bob@127.0.0.1 SIP/2.0
Max-Forwards: 70
From: <sip:alice@example.com>;tag=a1
To: <sip:bob@example.com>;tag=uas1
Call-ID: ${tx.request.headers.find((h) => h.name === "Call-ID")?.value}
CSeq: 1 ACK
Content-Length: 0

`);
    await uac.tl.sendAck(ack, { transport: "UDP", address: "127.0.0.1", port: px.port });
    await until(() => atUas.some((a) => a.req.method === "ACK"));
    const at = atUas.find((a) => a.req.method === "ACK")!;
    expect([at.tx, vias(at.req).length, maxForwardsOf(at.req)]).toEqual([undefined, 2, 69]);
  });

  it("§16.3 step 3: Max-Forwards 0 → 483, nothing forwarded", async () => {
    const { got } = call(invite("bob", 0));
    await until(() => got.length > 0);
    expect(got.map((r) => r.status)).toEqual([483]);
    expect(atUas).toHaveLength(0);
  });

  it("§16.3 step 4: a request that comes back unchanged through this proxy is a loop → 482", async () => {
    target = () => ({ destination: { transport: "UDP", address: "127.0.0.1", port: px.port } });
    const { got } = call(invite("bob"));
    await until(() => got.some((r) => r.status >= 300));
    expect(got.filter((r) => r.status >= 200).map((r) => r.status)).toEqual([482]);
  });

  it("§16.10: CANCEL hop by hop — 200 to the CANCEL, CANCEL downstream, 487 to the unanswered INVITE", async () => {
    const { got, tx } = call(invite("slow"));
    await until(() => got.some((r) => r.status === 180));
    const cancelled: SipResponse[] = [];
    const cancelTx = uac.tl.cancel(tx as ClientTransaction);
    expect(cancelTx).toBeDefined();
    (cancelTx as unknown as { user: { onResponse: (r: SipResponse) => void } }).user.onResponse = (r) =>
      cancelled.push(r);
    await until(() => got.some((r) => r.status === 487) && cancelled.length > 0);
    expect(cancelled.map((r) => [r.status, cseqOf(r)?.method])).toEqual([[200, "CANCEL"]]);
    await until(() => atUas.some((a) => a.req.method === "CANCEL"));
    expect(got.filter((r) => r.status >= 200).map((r) => r.status)).toEqual([487]);
  });

  it("a node sends its own request (a BYE) through the proxy core and hears the final response", async () => {
    const bye = request(`BYE sip:bob@127.0.0.1 SIP/2.0
From: <sip:alice@example.com>;tag=a1
To: <sip:bob@example.com>;tag=uas1
Call-ID: release-1@test
CSeq: 2 BYE
Reason: SIP;cause=503;text="Session Terminated"
Content-Length: 0

`);
    const finals: number[] = [];
    proxy.sendRequest(
      bye,
      { transport: "UDP", address: "127.0.0.1", port: uas.port },
      { onResponse: (r) => finals.push(r.status) },
    );
    await until(() => finals.length > 0);
    expect(finals).toEqual([200]);
    expect(maxForwardsOf(atUas[0].req)).toBe(70);
  });

  it("§16.8: no answer downstream → 408 upstream after Timer B/F (64·T1)", async () => {
    target = () => ({ destination: { transport: "UDP", address: "127.0.0.1", port: 9 } });
    const req = invite("bob");
    setHeader(req, headerOf("Max-Forwards", 5));
    const { got } = call(req);
    await until(() => got.some((r) => r.status >= 200), 5000);
    expect(got.filter((r) => r.status >= 200).map((r) => r.status)).toEqual([408]);
  });
});
