// SIP over TCP connection hygiene (issue 20 item 1) on real loopback sockets: a head or a body that does not
// arrive in time closes its connection (a sender trickling octets does not extend the deadline), a connection
// idle between messages is closed, and a source over its cap — or anyone over the total cap — is closed at
// once. Every close is counted by reason. The caps derive from the process's open-file limit.
import { mkdtempSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openFileLimit, tcpConnectionLimits } from "../../src/nodes/connection-limits.ts";
import { serializeMessage } from "../../src/sip/messages/serialize-message.ts";
import { StreamFramer } from "../../src/sip/transport/stream-framer.ts";
import {
  createTransportLayer,
  type TransportLayer,
  type TransportOptions,
} from "../../src/sip/transport/transport-layer.ts";
import { options } from "./sip-samples.ts";

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function layer(over: Partial<TransportOptions>): Promise<TransportLayer> {
  const l = await createTransportLayer({ listen: [{ transport: "TCP", address: "127.0.0.1", port: 0 }], ...over });
  open.push(l);
  return l;
}

/** A client connection from `localAddress` (any 127/8 address is loopback). */
async function client(l: TransportLayer, localAddress = "127.0.0.1"): Promise<Socket> {
  const sock = connect({ host: "127.0.0.1", port: l.addresses[0].port, localAddress });
  sock.on("error", () => {});
  open.push({ close: () => sock.destroy() });
  await new Promise((r) => sock.once("connect", r));
  return sock;
}

/** Resolves once the server has closed the connection (bounded: a test never waits unbounded). */
function closedByServer(sock: Socket, boundMs = 5000): Promise<"closed"> {
  return new Promise((resolve, reject) => {
    const bound = setTimeout(() => reject(new Error(`connection still open after ${boundMs} ms`)), boundMs);
    sock.once("close", () => {
      clearTimeout(bound);
      resolve("closed");
    });
    sock.resume();
  });
}

/** Polls until `ok` holds, for what the server side sees a moment after the client (bounded). */
async function until(ok: () => boolean, what: string, boundMs = 5000): Promise<void> {
  const end = Date.now() + boundMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`${what}: not reached within ${boundMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const head60000 = Buffer.from(
  "MESSAGE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKslow\r\nMax-Forwards: 70\r\n" +
    "From: <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>\r\nCall-ID: slow@test\r\nCSeq: 1 MESSAGE\r\n" +
    "Content-Length: 60000\r\n\r\n",
);

describe("stream phase: what a TCP connection waits for after each read", () => {
  it("between messages, inside a head, inside a body, and a refused body being skipped", () => {
    const f = new StreamFramer(1000);
    expect(f.phase).toBe("between");
    f.push(Buffer.from("\r\n"));
    expect(f.phase).toBe("between");
    f.push(Buffer.from("OPTIONS sip:b@h SIP/2.0\r\nContent-Length: 5\r\n"));
    expect(f.phase).toBe("head");
    f.push(Buffer.from("\r\nab"));
    expect(f.phase).toBe("body");
    expect(f.push(Buffer.from("cde")).map((x) => x.kind)).toEqual(["message"]);
    expect(f.phase).toBe("between");
    f.push(Buffer.from("MESSAGE sip:b@h SIP/2.0\r\nContent-Length: 5000\r\n\r\nxyz"));
    expect(f.phase).toBe("body");
  });
});

describe("read timeouts on SIP over TCP", () => {
  it("a message declaring Content-Length: 60000 that sends 100 octets is dropped at its body timeout, and counted", async () => {
    const closes: string[] = [];
    const l = await layer({ bodyTimeoutMs: 300, headerTimeoutMs: 60_000, onConnectionClosed: (r) => closes.push(r) });
    const received: unknown[] = [];
    l.onMessage((m) => received.push(m));
    const sock = await client(l);
    const closed = closedByServer(sock);
    sock.write(head60000);
    sock.write(Buffer.alloc(100, 0x41));
    // A trickle does not extend the deadline: ten more octets every 50 ms until the close.
    const trickle = setInterval(() => sock.writable && sock.write("A"), 50);
    await closed;
    clearInterval(trickle);
    expect(received).toEqual([]);
    expect(l.connectionsClosed["body-timeout"]).toBe(1);
    expect(closes).toEqual(["body-timeout"]);
    await until(() => l.connectionCount === 0, "the connection forgotten");
  });

  it("a head without its blank line is dropped at the header timeout, however it trickles", async () => {
    const l = await layer({ headerTimeoutMs: 300 });
    const sock = await client(l);
    const closed = closedByServer(sock);
    sock.write("OPTIONS sip:bob@example.com SIP/2.0\r\n");
    const trickle = setInterval(() => sock.writable && sock.write("X-Slow: 1\r\n"), 50);
    await closed;
    clearInterval(trickle);
    expect(l.connectionsClosed).toMatchObject({ "header-timeout": 1, "body-timeout": 0, "idle-timeout": 0 });
  });

  it("a connection that never sends its first message is closed at the header timeout", async () => {
    const l = await layer({ headerTimeoutMs: 300 });
    await closedByServer(await client(l));
    expect(l.connectionsClosed["header-timeout"]).toBe(1);
  });

  it("after a whole message, the idle timeout applies; the next message's head gets its own deadline", async () => {
    const l = await layer({ headerTimeoutMs: 200, idleTimeoutMs: 600 });
    const got: unknown[] = [];
    l.onMessage((m) => got.push(m));
    const sock = await client(l);
    const closed = closedByServer(sock);
    sock.write(serializeMessage(options("z9hG4bKfirst", "127.0.0.1:1")));
    await closed;
    expect(got).toHaveLength(1);
    expect(l.connectionsClosed).toMatchObject({ "idle-timeout": 1, "header-timeout": 0 });
  });
});

describe("connection caps", () => {
  it("the next connection from a source at its cap is closed at once and counted; other sources are not affected", async () => {
    const l = await layer({ maxConnectionsPerSource: 2, headerTimeoutMs: 60_000 });
    const a1 = await client(l, "127.0.0.1");
    const a2 = await client(l, "127.0.0.1");
    const a3 = await client(l, "127.0.0.1");
    await closedByServer(a3);
    expect(l.connectionsClosed["per-source-cap"]).toBe(1);
    // Another source still gets in, and the capped one again once one of its connections is gone.
    const b1 = await client(l, "127.0.0.2");
    a1.destroy();
    await until(() => l.connectionCount === 2, "a1 gone");
    const a4 = await client(l, "127.0.0.1");
    const got: unknown[] = [];
    l.onMessage((m) => got.push(m));
    a4.write(serializeMessage(options("z9hG4bKa4", "127.0.0.1:1")));
    await until(() => got.length === 1, "a4's message taken");
    expect(l.connectionsClosed["per-source-cap"]).toBe(1);
    expect([a2, b1, a4].every((s) => !s.destroyed)).toBe(true);
    expect(l.connectionCount).toBe(3);
  });

  it("a connection beyond the total cap is closed at once, whatever its source", async () => {
    const l = await layer({ maxConnections: 3, maxConnectionsPerSource: 10, headerTimeoutMs: 60_000 });
    for (const a of ["127.0.0.1", "127.0.0.2", "127.0.0.3"]) await client(l, a);
    await closedByServer(await client(l, "127.0.0.4"));
    expect(l.connectionsClosed).toMatchObject({ "total-cap": 1, "per-source-cap": 0 });
    expect(l.connectionCount).toBe(3);
  });
});

describe("the connection cap follows the open-file limit", () => {
  const limitsFile = (soft: string) => {
    const file = join(mkdtempSync(join(tmpdir(), "cleardown-limits-")), "limits");
    writeFileSync(
      file,
      `Limit                     Soft Limit           Hard Limit           Units     \nMax cpu time              unlimited            unlimited            seconds   \nMax open files            ${soft}                 1048576              files     \n`,
    );
    return file;
  };
  it("reads the soft limit of /proc/self/limits (ulimit -n)", () => {
    expect(openFileLimit(limitsFile("1024"))).toBe(1024);
    expect(openFileLimit(limitsFile("unlimited"))).toBeUndefined();
    expect(openFileLimit("/nonexistent/limits")).toBeUndefined();
    expect(openFileLimit()).toBeGreaterThan(0);
  });
  it("cap = limit less the reserve, or the configured cap when smaller; defaults per the config schema", () => {
    expect(tcpConnectionLimits({}, 1024)).toEqual({
      idleTimeoutMs: 180_000,
      headerTimeoutMs: 10_000,
      bodyTimeoutMs: 10_000,
      maxConnections: 896,
      maxConnectionsPerSource: 128,
    });
    expect(tcpConnectionLimits({ limits: { tcp: { fileDescriptorReserve: 24 } } }, 1024).maxConnections).toBe(1000);
    expect(tcpConnectionLimits({ limits: { tcp: { maxConnections: 500 } } }, 1024).maxConnections).toBe(500);
    expect(tcpConnectionLimits({ limits: { tcp: { maxConnections: 5000 } } }, 1024).maxConnections).toBe(896);
    expect(tcpConnectionLimits({}, undefined).maxConnections).toBeUndefined();
  });
});
