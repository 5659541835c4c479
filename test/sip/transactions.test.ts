// RFC 3261 §17 transaction state machines and timers (fake timers, T1 = 500 ms defaults unless said), and
// transaction matching (§17.1.3, §17.2.3, RFC 2543 fallback).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { branchOf, cseqOf, headerOf, tagOf, toOf, topVia, vias } from "../../src/sip/messages/header-access.ts";
import type { SipRequest, SipResponse } from "../../src/sip/messages/message.ts";
import { responseTo } from "../../src/sip/transactions/invite-server-transaction.ts";
import { TransactionLayer } from "../../src/sip/transactions/transaction-layer.ts";
import { isRfc3261Branch, serverKey } from "../../src/sip/transactions/transaction-matching.ts";
import { Timers } from "../../src/sip/transactions/transaction-timers.ts";
import { dest, FakeTransport } from "./fake-transport.ts";
import { options, request } from "./sip-samples.ts";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const invite = (branch = "z9hG4bKinv") =>
  request(`INVITE sip:bob@example.com SIP/2.0
Via: SIP/2.0/UDP 192.0.2.9:5060;branch=${branch}
Max-Forwards: 70
Route: <sip:p1.example.com;lr>
From: <sip:alice@example.com>;tag=a1
To: <sip:bob@example.com>
Call-ID: c1@test
CSeq: 7 INVITE
Content-Length: 0

`);

function answer(req: SipRequest, status: number, toTag = "b9"): SipResponse {
  return responseTo(req, status, "X", toTag);
}

function client(reliable = false) {
  const t = new FakeTransport(reliable);
  const layer = new TransactionLayer(t);
  const got: SipResponse[] = [];
  const events: string[] = [];
  const user = {
    onResponse: (r: SipResponse) => got.push(r),
    onTimeout: () => events.push(`timeout@${Date.now()}`),
  };
  return { t, layer, got, events, user };
}

const sends = (t: FakeTransport, method: string) =>
  t.sent.filter((s) => s.message.kind === "request" && s.message.method === method);

describe("RFC 3261 §17.1.1 INVITE client transaction", () => {
  it("Timer A retransmits at T1, 2·T1, 4·T1 … over UDP until Timer B (64·T1) times out", () => {
    const { t, layer, events, user } = client();
    const start = Date.now();
    layer.sendRequest(invite(), dest, user);
    vi.advanceTimersByTime(64 * 500 + 1);
    expect(sends(t, "INVITE").map((s) => s.at - start)).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500]);
    expect(events).toEqual([`timeout@${start + 32000}`]);
    expect(layer.size.clients).toBe(0);
  });

  it("a provisional response stops Timer A; a 486 is ACKed (§17.1.1.3), retransmissions re-ACKed not passed up, Timer D ends it", () => {
    const { t, layer, got, user } = client();
    const tx = layer.sendRequest(invite(), dest, user);
    const sent = tx.request;
    t.deliver(answer(sent, 180));
    vi.advanceTimersByTime(5000);
    expect(sends(t, "INVITE")).toHaveLength(1);
    t.deliver(answer(sent, 486));
    t.deliver(answer(sent, 486));
    const acks = sends(t, "ACK").map((s) => s.message as SipRequest);
    expect(acks).toHaveLength(2);
    expect(branchOf(topVia(acks[0]))).toBe(branchOf(topVia(sent)));
    expect(vias(acks[0])).toHaveLength(1);
    expect(tagOf(toOf(acks[0]))).toBe("b9");
    expect(cseqOf(acks[0])).toEqual({ seq: 7, method: "ACK" });
    expect(got.map((r) => r.status)).toEqual([180, 486]);
    expect(tx.state).toBe("completed");
    vi.advanceTimersByTime(32_000);
    expect(tx.state).toBe("terminated");
  });

  it("over TCP: no retransmission, Timer D is 0", () => {
    const { t, layer, user } = client(true);
    const tx = layer.sendRequest(invite(), { ...dest, transport: "TCP" }, user);
    vi.advanceTimersByTime(10_000);
    expect(sends(t, "INVITE")).toHaveLength(1);
    t.deliver(answer(tx.request, 603));
    vi.advanceTimersByTime(0);
    expect(tx.state).toBe("terminated");
  });

  it("a 2xx terminates it and goes up; its ACK is the TU's (end to end)", () => {
    const { t, layer, got, user } = client();
    const tx = layer.sendRequest(invite(), dest, user);
    t.deliver(answer(tx.request, 200));
    expect([tx.state, got[0].status, sends(t, "ACK").length]).toEqual(["terminated", 200, 0]);
  });

  it("CANCEL (§9.1) carries the INVITE's branch, Call-ID, From, To, CSeq number and Route", () => {
    const { t, layer, user } = client();
    const tx = layer.sendRequest(invite(), dest, user);
    t.deliver(answer(tx.request, 180, "x"));
    const c = layer.cancel(tx);
    const sent = sends(t, "CANCEL")[0].message as SipRequest;
    expect(c?.state).toBe("trying");
    expect(branchOf(topVia(sent))).toBe(branchOf(topVia(tx.request)));
    expect(cseqOf(sent)).toEqual({ seq: 7, method: "CANCEL" });
    expect(sent.headers.map((h) => h.name)).toEqual(["Via", "Max-Forwards", "Route", "From", "To", "Call-ID", "CSeq"]);
  });
});

describe("RFC 3261 §17.1.2 non-INVITE client transaction", () => {
  it("Timer E doubles from T1 up to T2 over UDP; Timer F (64·T1) times out", () => {
    const { t, layer, events, user } = client();
    const start = Date.now();
    layer.sendRequest(options("ignored"), dest, user);
    vi.advanceTimersByTime(32_001);
    expect(sends(t, "OPTIONS").map((s) => s.at - start)).toEqual([
      0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500,
    ]);
    expect(events).toHaveLength(1);
  });

  it("after a provisional response Timer E fires every T2; a final response completes it and Timer K (T4) ends it", () => {
    const { t, layer, got, user } = client();
    const start = Date.now();
    // The layer puts its Via on the request it is given; the transaction keeps only its bytes from then on.
    const req = options("ignored");
    const tx = layer.sendRequest(req, dest, user);
    expect(() => tx.request).toThrow(/has let its request go/);
    vi.advanceTimersByTime(600);
    t.deliver(answer(req, 100));
    vi.advanceTimersByTime(9000);
    expect(sends(t, "OPTIONS").map((s) => s.at - start)).toEqual([0, 500, 1500, 5500, 9500]);
    t.deliver(answer(req, 200));
    // Completed absorbs the retransmitted 200 (Timer K only waits).
    t.deliver(answer(req, 200));
    expect(got.map((r) => r.status)).toEqual([100, 200]);
    vi.advanceTimersByTime(4999);
    expect(tx.state).toBe("completed");
    vi.advanceTimersByTime(1);
    expect(tx.state).toBe("terminated");
  });

  it("§8.1.3.1 / §17.1.4: a transport error ends it and reaches the TU after sendRequest returns; no timer is left", async () => {
    const { t, layer, got } = client();
    t.failWith = new Error("ICMP port unreachable");
    const errors: unknown[] = [];
    const tx = layer.sendRequest(options("ignored"), dest, {
      onResponse: (r) => got.push(r),
      onTransportError: (e) => errors.push(e),
    });
    expect([tx.state, errors.length]).toEqual(["trying", 0]);
    await Promise.resolve();
    expect([tx.state, String(errors[0]), layer.size.clients, vi.getTimerCount()]).toEqual([
      "terminated",
      "Error: ICMP port unreachable",
      0,
      0,
    ]);
  });

  it("T1, T2, T4 are configurable (T1 = 20 ms)", () => {
    const t = new FakeTransport();
    const layer = new TransactionLayer(t, { T1: 20, T2: 80, T4: 100 });
    const start = Date.now();
    layer.sendRequest(options("ignored"), dest, { onResponse: () => {} });
    vi.advanceTimersByTime(64 * 20);
    expect(sends(t, "OPTIONS").map((s) => s.at - start)).toEqual([
      0, 20, 60, 140, 220, 300, 380, 460, 540, 620, 700, 780, 860, 940, 1020, 1100, 1180, 1260,
    ]);
  });
});

describe("a transaction's timers", () => {
  it("set again replaces, clear stops one, clearAll stops every one (a third goes past the two inline places)", () => {
    const fired: string[] = [];
    const timers = new Timers();
    for (const n of ["A", "B", "C"]) timers.set(n, 100, () => fired.push(n));
    timers.set("A", 200, () => fired.push("A again"));
    expect(vi.getTimerCount()).toBe(3);
    timers.clear("B");
    vi.advanceTimersByTime(150);
    expect(fired).toEqual(["C"]);
    timers.set("D", 100, () => fired.push("D"));
    timers.clearAll();
    vi.advanceTimersByTime(1000);
    expect([fired, vi.getTimerCount()]).toEqual([["C"], 0]);
  });
});

function server(reliable = false) {
  const t = new FakeTransport(reliable);
  const layer = new TransactionLayer(t);
  const seen: Array<{ req: SipRequest; tx: unknown }> = [];
  layer.setUser({ onRequest: (req, tx) => seen.push({ req, tx }) });
  return { t, layer, seen };
}

const responses = (t: FakeTransport) =>
  t.sent.filter((s) => s.message.kind === "response").map((s) => (s.message as SipResponse).status);

describe("RFC 3261 §17.2.2 non-INVITE server transaction", () => {
  it("absorbs retransmissions in Trying, resends the final response in Completed, Timer J (64·T1) ends it", () => {
    const { t, layer, seen } = server();
    t.deliver(options("z9hG4bKs1"));
    t.deliver(options("z9hG4bKs1"));
    expect(seen).toHaveLength(1);
    expect(responses(t)).toEqual([]);
    const tx = seen[0].tx as { respond(r: SipResponse): void; state: string };
    tx.respond(answer(seen[0].req, 200));
    t.deliver(options("z9hG4bKs1"));
    expect(responses(t)).toEqual([200, 200]);
    vi.advanceTimersByTime(32_000);
    expect(tx.state).toBe("terminated");
    expect(layer.size.servers).toBe(0);
  });
  it("Timer J is 0 over TCP", () => {
    const { t, seen } = server(true);
    t.deliver(options("z9hG4bKs2"));
    const tx = seen[0].tx as { respond(r: SipResponse): void; state: string };
    tx.respond(answer(seen[0].req, 200));
    vi.advanceTimersByTime(0);
    expect(tx.state).toBe("terminated");
  });
});

describe("RFC 3261 §17.2.1 INVITE server transaction", () => {
  it("sends 100 Trying itself when the TU is silent for 200 ms, and resends it for a retransmitted INVITE", () => {
    const { t, seen } = server();
    t.deliver(invite("z9hG4bKi1"));
    vi.advanceTimersByTime(200);
    t.deliver(invite("z9hG4bKi1"));
    expect(responses(t)).toEqual([100, 100]);
    expect(seen).toHaveLength(1);
    expect(tagOf(toOf(t.sent[0].message))).toBeUndefined();
  });

  it("Timer G retransmits a non-2xx final response (T1 doubling, capped at T2) until the ACK; Timer I (T4) ends it", () => {
    const { t, seen } = server();
    const start = Date.now();
    t.deliver(invite("z9hG4bKi2"));
    const tx = seen[0].tx as { respond(r: SipResponse): void; state: string };
    tx.respond(answer(seen[0].req, 486));
    vi.advanceTimersByTime(12_000);
    const at = t.sent.filter((s) => s.message.kind === "response").map((s) => s.at - start);
    expect(at).toEqual([0, 500, 1500, 3500, 7500, 11500]);
    const ack = invite("z9hG4bKi2");
    ack.method = "ACK";
    ack.headers = ack.headers.map((h) => (h.name === "CSeq" ? headerOf("CSeq", { seq: 7, method: "ACK" }) : h));
    t.deliver(ack);
    t.deliver(ack);
    expect([tx.state, seen.length]).toEqual(["confirmed", 1]);
    vi.advanceTimersByTime(10_000);
    expect(t.sent.filter((s) => s.message.kind === "response")).toHaveLength(6);
    expect(tx.state).toBe("terminated");
  });

  it("Timer H (64·T1) gives up when no ACK comes", () => {
    const { t, seen } = server();
    t.deliver(invite("z9hG4bKi3"));
    const tx = seen[0].tx as {
      respond(r: SipResponse): void;
      state: string;
      events: { onFailure?: (r: string) => void };
    };
    const failures: string[] = [];
    tx.events.onFailure = (r) => failures.push(r);
    tx.respond(answer(seen[0].req, 500));
    vi.advanceTimersByTime(32_000);
    expect([tx.state, failures]).toEqual(["terminated", ["timeout"]]);
  });

  it("RFC 6026 §7.1 Accepted: after its 2xx the transaction is gone, yet a retransmitted INVITE is absorbed (no new request, no response) until Timer L (64·T1); the ACK still reaches the TU; the 2xx's retransmission is the TU's", () => {
    const { t, layer, seen } = server();
    t.deliver(invite("z9hG4bKi5"));
    const tx = seen[0].tx as { respond(r: SipResponse): void; state: string };
    tx.respond(answer(seen[0].req, 200));
    expect([tx.state, responses(t)]).toEqual(["terminated", [200]]);
    expect(layer.size).toEqual({ clients: 0, servers: 0, accepted: 1 });
    t.deliver(invite("z9hG4bKi5"));
    vi.advanceTimersByTime(31_000);
    t.deliver(invite("z9hG4bKi5"));
    expect([seen.length, responses(t)]).toEqual([1, [200]]);
    const ack = invite("z9hG4bKi5");
    ack.method = "ACK";
    ack.headers = ack.headers.map((h) => (h.name === "CSeq" ? headerOf("CSeq", { seq: 7, method: "ACK" }) : h));
    t.deliver(ack);
    expect(seen.map((s) => [s.req.method, s.tx === undefined])).toEqual([
      ["INVITE", false],
      ["ACK", true],
    ]);
    // Timer L fired: the key is forgotten, and the same branch is a new request again.
    vi.advanceTimersByTime(1_001);
    expect(layer.size.accepted).toBe(0);
    t.deliver(invite("z9hG4bKi5"));
    expect(seen.map((s) => s.req.method)).toEqual(["INVITE", "ACK", "INVITE"]);
  });

  it("RFC 6026 §7.1 over a reliable transport no INVITE is retransmitted: nothing is kept after the 2xx", () => {
    const { layer, seen, t } = server(true);
    t.deliver(invite("z9hG4bKi6"));
    (seen[0].tx as { respond(r: SipResponse): void }).respond(answer(seen[0].req, 200));
    expect(layer.size).toEqual({ clients: 0, servers: 0, accepted: 0 });
  });

  it("RFC 6026 §7.1 a non-2xx final response is no Accepted state: its INVITE's retransmission gets it again (§17.2.1 Completed)", () => {
    const { t, layer, seen } = server();
    t.deliver(invite("z9hG4bKi7"));
    (seen[0].tx as { respond(r: SipResponse): void }).respond(answer(seen[0].req, 486));
    t.deliver(invite("z9hG4bKi7"));
    expect([seen.length, responses(t), layer.size.accepted]).toEqual([1, [486, 486], 0]);
  });

  it("a 2xx ends the transaction; the ACK for it reaches the TU without a transaction (§17.2.3)", () => {
    const { t, seen } = server();
    t.deliver(invite("z9hG4bKi4"));
    (seen[0].tx as { respond(r: SipResponse): void }).respond(answer(seen[0].req, 200));
    const ack = request(`ACK sip:bob@example.com SIP/2.0
Via: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bKack
From: <sip:alice@example.com>;tag=a1
To: <sip:bob@example.com>;tag=b9
Call-ID: c1@test
CSeq: 7 ACK
Content-Length: 0

`);
    t.deliver(ack);
    expect(seen.map((s) => [s.req.method, s.tx === undefined])).toEqual([
      ["INVITE", false],
      ["ACK", true],
    ]);
  });
});

describe("RFC 3261 §17.2.3 matching requests to server transactions", () => {
  it("magic-cookie branch, sent-by and method; an ACK matches its INVITE, a CANCEL finds it with inviteFor", () => {
    const { t, layer, seen } = server();
    t.deliver(invite("z9hG4bKm1"));
    const cancel = invite("z9hG4bKm1");
    cancel.method = "CANCEL";
    cancel.headers = cancel.headers.map((h) =>
      h.name === "CSeq" ? headerOf("CSeq", { seq: 7, method: "CANCEL" }) : h,
    );
    expect(layer.inviteFor(cancel)).toBe(seen[0].tx);
    expect(serverKey(invite("z9hG4bKm1"))).not.toBe(serverKey(invite("z9hG4bKm2")));
  });
  it("RFC 4475 §3.2.1: a branch of just the magic cookie is an RFC 3261 branch", () => {
    expect(isRfc3261Branch("z9hG4bK")).toBe(true);
    expect(isRfc3261Branch("390skdjuw")).toBe(false);
  });
  it("RFC 2543 fallback: a retransmitted INVITE without branch is matched by Request-URI, tags, Call-ID, CSeq, Via", () => {
    const { t, seen } = server();
    const old = () =>
      request(`INVITE sip:UserB@example.com SIP/2.0
Via: SIP/2.0/UDP iftgw.example.com
From: <sip:+13035551111@ift.client.example.net;user=phone>;tag=x
To: sip:+16505552222@ss1.example.net;user=phone
Call-ID: inv2543.1717@ift.client.example.com
CSeq: 56 INVITE
Content-Length: 0

`);
    t.deliver(old());
    t.deliver(old());
    expect(seen).toHaveLength(1);
  });
});
