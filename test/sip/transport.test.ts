// RFC 3261 §18 transport layer on real loopback sockets (127.0.0.1 and ::1): UDP and TCP, stream framing,
// received/rport (§18.2.1, RFC 3581), response addressing (§18.2.2), malformed input answered or counted.
import { createSocket } from "node:dgram";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { headerValue, topVia } from "../../src/sip/messages/header-access.ts";
import type { SipMessage, SipRequest } from "../../src/sip/messages/message.ts";
import { parseMessage } from "../../src/sip/messages/parse-message.ts";
import { serializeMessage } from "../../src/sip/messages/serialize-message.ts";
import { responseTarget, stampReceived } from "../../src/sip/transport/received-rport.ts";
import { StreamFramer } from "../../src/sip/transport/stream-framer.ts";
import type { Flow } from "../../src/sip/transport/transport.ts";
import { createTransportLayer, type TransportLayer } from "../../src/sip/transport/transport-layer.ts";
import { rfc4475 } from "./corpora.ts";
import { options, response } from "./sip-samples.ts";

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function layer(transport: "UDP" | "TCP", address: string): Promise<TransportLayer> {
  const l = await createTransportLayer({ listen: [{ transport, address, port: 0 }] });
  open.push(l);
  return l;
}

function next(l: TransportLayer): Promise<{ message: SipMessage; flow: Flow }> {
  return new Promise((resolve) => l.onMessage((message, flow) => resolve({ message, flow })));
}

const within = <T>(p: Promise<T>, ms = 3000) =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error("timed out")), ms))]);

const flow = (over: Partial<Flow> = {}): Flow => ({
  transport: "UDP",
  local: { address: "192.0.2.1", port: 5060 },
  remote: { address: "192.0.2.9", port: 40000 },
  ...over,
});

describe("RFC 3261 §18.2.1 / RFC 3581: received and rport on inbound requests", () => {
  it("adds received when the sent-by host is not the source address", () => {
    const req = options("z9hG4bK1", "host.example.com:5060");
    stampReceived(req, flow());
    expect(topVia(req)?.params).toEqual([
      ["branch", "z9hG4bK1"],
      ["received", "192.0.2.9"],
    ]);
  });
  it("leaves the Via alone when the sent-by is the source address", () => {
    const req = options("z9hG4bK1", "192.0.2.9:40000");
    stampReceived(req, flow());
    expect(topVia(req)?.params).toEqual([["branch", "z9hG4bK1"]]);
  });
  it("fills an empty rport with the source port and adds received (RFC 3581 §4)", () => {
    const req = options("z9hG4bK1", "192.0.2.9;rport");
    stampReceived(req, flow());
    expect(topVia(req)?.params).toEqual([
      ["branch", "z9hG4bK1"],
      ["rport", "40000"],
      ["received", "192.0.2.9"],
    ]);
  });
});

describe("RFC 3261 §18.2.2: where a response goes", () => {
  const via = (sentBy: string) => topVia(options("z9hG4bK1", sentBy))!;
  it("reliable transport: the connection the request came on", () => {
    expect(responseTarget(via("h.example.com"), flow({ transport: "TCP", connection: 7 })).kind).toBe("connection");
  });
  it("received and rport: that address and port (RFC 3581 §4)", () => {
    expect(responseTarget(via("h.example.com:5070;received=192.0.2.9;rport=40000"), flow())).toEqual({
      kind: "address",
      destination: { transport: "UDP", address: "192.0.2.9", port: 40000 },
    });
  });
  it("received without rport: that address, the sent-by port", () => {
    expect(responseTarget(via("h.example.com:5070;received=2001:db8::9"), flow())).toMatchObject({
      destination: { address: "2001:db8::9", port: 5070 },
    });
  });
  it("no received: the sent-by (resolved when a name), port 5060 by default", () => {
    expect(responseTarget(via("[2001:db8::1]"), flow())).toMatchObject({
      destination: { address: "2001:db8::1", port: 5060 },
    });
    expect(responseTarget(via("h.example.com"), flow())).toEqual({
      kind: "resolve",
      host: "h.example.com",
      port: 5060,
      transport: "UDP",
    });
  });
});

describe("RFC 3261 §18.3 stream framing by Content-Length", () => {
  const msg = (b: string) => serializeMessage(options(b));
  it("splits several messages in one read and joins a message split across reads", () => {
    const f = new StreamFramer();
    const two = Buffer.concat([msg("z9hG4bKa"), Buffer.from("\r\n\r\n"), msg("z9hG4bKb")]);
    const out = f.push(two);
    expect(out.map((x) => x.kind)).toEqual(["message", "keepalive", "message"]);
    const one = msg("z9hG4bKc");
    const got = [];
    for (const byte of one) got.push(...f.push(Buffer.from([byte])));
    expect(got).toHaveLength(1);
    expect(got[0].kind === "message" && got[0].bytes.equals(one)).toBe(true);
  });
  it("refuses a message larger than the limit from its head, then stays in step", () => {
    const f = new StreamFramer(300);
    const big = Buffer.from(
      "MESSAGE sip:b@h SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bKbig\r\nContent-Length: 1000\r\n\r\n",
    );
    const out = f.push(big);
    expect(out).toMatchObject([{ kind: "fault", close: false }]);
    f.push(Buffer.alloc(600, 0x41));
    expect(f.push(Buffer.concat([Buffer.alloc(400, 0x41), msg("z9hG4bKafter")])).map((x) => x.kind)).toEqual([
      "message",
    ]);
  });
  it("a stream without Content-Length cannot be framed: the connection is closed", () => {
    const f = new StreamFramer();
    expect(f.push(Buffer.from("OPTIONS sip:b@h SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n\r\n"))).toMatchObject([
      { kind: "fault", close: true },
    ]);
  });
});

describe.each([
  ["127.0.0.1", 4],
  ["::1", 6],
])("UDP and TCP on %s", (address, family) => {
  it("UDP: a request arrives stamped, its response goes back to the source (§18.2.1, §18.2.2)", async () => {
    const a = await layer("UDP", address);
    const b = await layer("UDP", address);
    const got = next(b);
    const req = options("z9hG4bKudp", "client.invalid;rport");
    await a.send(req, { transport: "UDP", address, port: b.addresses[0].port });
    const { message, flow } = await within(got);
    expect(topVia(message)?.params).toEqual([
      ["branch", "z9hG4bKudp"],
      ["rport", String(a.addresses[0].port)],
      ["received", address],
    ]);
    expect(a.sentBy("UDP", family as 4 | 6).port).toBe(a.addresses[0].port);
    const back = next(a);
    const res = response(`SIP/2.0 200 OK
Via: ${headerValue(message, "Via")}
From: <sip:alice@example.com>;tag=a1
To: <sip:bob@example.com>;tag=b1
Call-ID: z9hG4bKudp@test
CSeq: 1 OPTIONS
Content-Length: 0

`);
    await b.sendResponse(res, flow);
    expect(((await within(back)).message as { status: number }).status).toBe(200);
  });

  it("UDP: a retransmittable request goes again as the same bytes, whatever becomes of the message (§17.1.2.2)", async () => {
    const a = await layer("UDP", address);
    const raw = createSocket(family === 4 ? "udp4" : "udp6");
    open.push({ close: () => new Promise<void>((r) => raw.close(() => r())) });
    await new Promise<void>((r) => raw.bind(0, address, () => r()));
    const datagrams: Buffer[] = [];
    const arrived = (n: number) =>
      new Promise<void>((r) => {
        const check = () => (datagrams.length >= n ? r() : setTimeout(check, 5));
        check();
      });
    raw.on("message", (d) => datagrams.push(d));
    const sentBy = a.sentBy("UDP", family as 4 | 6).host;
    const req = options("z9hG4bKagain", sentBy);
    const errors: unknown[] = [];
    const out = a.sendRetransmittable(
      req,
      { transport: "UDP", address, port: raw.address().port },
      { transportError: (e) => errors.push(e) },
    );
    await within(arrived(1));
    // The transaction lets the parsed request go; a change to it must not reach a retransmission.
    req.headers = [];
    out.again();
    await within(arrived(2));
    expect(datagrams[1].equals(datagrams[0])).toBe(true);
    expect(datagrams[0].toString("latin1")).toBe(serializeMessage(options("z9hG4bKagain", sentBy)).toString("latin1"));
    expect(errors).toEqual([]);
  });

  it("UDP: a transport error on a retransmittable request reaches its listener (§8.1.3.1)", async () => {
    const a = await layer("UDP", address);
    // No socket of the other family: the send fails at once, and says why.
    const other = family === 4 ? "::1" : "127.0.0.1";
    const errors: unknown[] = [];
    a.sendRetransmittable(
      options("z9hG4bKfail", "client.invalid"),
      { transport: "UDP", address: other, port: 5060 },
      { transportError: (e) => errors.push(e) },
    );
    // Not from inside the call (the transaction has not finished starting), but straight after.
    expect(errors).toEqual([]);
    await Promise.resolve();
    expect(String(errors[0])).toMatch(/no UDP socket for IPv(4|6)/);
    expect(a.counters.sendErrors).toBe(1);
  });

  it("TCP: several messages in one write, one split over writes; the response on the same connection", async () => {
    const b = await layer("TCP", address);
    const seen: SipRequest[] = [];
    let flowSeen: Flow | undefined;
    const all = new Promise<void>((resolve) =>
      b.onMessage((m, f) => {
        seen.push(m as SipRequest);
        flowSeen = f;
        if (seen.length === 3) resolve();
      }),
    );
    const sock = connect({ host: address, port: b.addresses[0].port });
    open.push({ close: () => sock.destroy() });
    await new Promise((r) => sock.once("connect", r));
    const m = (br: string) => serializeMessage(options(br, `${address.includes(":") ? `[${address}]` : address}:1`));
    sock.write(Buffer.concat([m("z9hG4bK1"), m("z9hG4bK2")]));
    const third = m("z9hG4bK3");
    sock.write(third.subarray(0, 10));
    await new Promise((r) => setTimeout(r, 20));
    sock.write(third.subarray(10));
    await within(all);
    expect(seen.map((r) => topVia(r)?.params[0][1])).toEqual(["z9hG4bK1", "z9hG4bK2", "z9hG4bK3"]);
    const reply = new Promise<Buffer>((resolve) => sock.once("data", resolve));
    await b.sendResponse(
      response(`SIP/2.0 200 OK
Via: ${headerValue(seen[2], "Via")}
From: <sip:alice@example.com>;tag=a1
To: <sip:bob@example.com>;tag=b1
Call-ID: z9hG4bK3@test
CSeq: 1 OPTIONS
Content-Length: 0

`),
      flowSeen!,
    );
    const parsed = parseMessage(await within(reply));
    expect(parsed.ok && parsed.message.kind === "response" && parsed.message.status).toBe(200);
  });
});

describe("malformed input: 400 when it can be formed, else dropped and counted; never a crash", () => {
  it("RFC 4475 §3.1.2.7 ltgtruri over UDP is answered 400 with Warning 399; a malformed response is dropped", async () => {
    const b = await layer("UDP", "127.0.0.1");
    const raw = createSocket("udp4");
    open.push({ close: () => new Promise<void>((r) => raw.close(() => r())) });
    await new Promise<void>((r) => raw.bind(0, "127.0.0.1", () => r()));
    const answer = new Promise<Buffer>((resolve) => raw.once("message", (d) => resolve(d)));
    raw.send(rfc4475("ltgtruri"), b.addresses[0].port, "127.0.0.1");
    const got = parseMessage(await within(answer));
    expect(got.ok && got.message.kind === "response" && got.message.status).toBe(400);
    if (got.ok)
      expect(headerValue(got.message, "Warning")).toMatch(
        /^399 127\.0\.0\.1 "1:8: start line: expected a URI scheme"$/,
      );
    raw.send(rfc4475("bigcode"), b.addresses[0].port, "127.0.0.1");
    raw.send(Buffer.from([0, 1, 2, 3, 255, 13, 10, 13, 10]), b.addresses[0].port, "127.0.0.1");
    await new Promise((r) => setTimeout(r, 100));
    expect(b.counters).toMatchObject({ malformedAnswered: 1, malformedDropped: 2 });
  });

  it("an oversized message on TCP is answered 513 from its head and the connection goes on", async () => {
    const b = await createTransportLayer({
      listen: [{ transport: "TCP", address: "127.0.0.1", port: 0 }],
      maxMessageBytes: 600,
    });
    open.push(b);
    const ok = next(b);
    const sock = connect({ host: "127.0.0.1", port: b.addresses[0].port });
    open.push({ close: () => sock.destroy() });
    await new Promise((r) => sock.once("connect", r));
    const answer = new Promise<Buffer>((resolve) => sock.once("data", resolve));
    const big = options("z9hG4bKbig", "127.0.0.1:1", "MESSAGE");
    big.body = Buffer.alloc(2000, 0x41);
    sock.write(serializeMessage(big));
    const got = parseMessage(await within(answer));
    expect(got.ok && got.message.kind === "response" && got.message.status).toBe(513);
    sock.write(serializeMessage(options("z9hG4bKnext", "127.0.0.1:1")));
    expect(topVia((await within(ok)).message)?.params[0]).toEqual(["branch", "z9hG4bKnext"]);
  });
});
