// The two kinds of UDP endpoint the transport layer uses (a socket on this thread, one on an I/O thread) behave
// the same on real loopback sockets: exact bytes both ways, in order, with the peer's address; one callback per
// send, with the error of a send that fails; bind errors; close. The I/O thread's own failure modes too.
import { spawn } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { openUdpTransportOn } from "../../src/h248/udp-transport.ts";
import { udpIoThreadOf } from "../../src/nodes/node-shell.ts";
import { serializeMessage } from "../../src/sip/messages/serialize-message.ts";
import { createTransportLayer } from "../../src/sip/transport/transport-layer.ts";
import { openUdpSocket, openUdpThread, type UdpEndpoint, UdpIoThread } from "../../src/sip/transport/udp-endpoint.ts";
import { options } from "./sip-samples.ts";

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

const within = <T>(p: Promise<T>, ms = 3000) =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error("timed out")), ms))]);

async function peer(type: "udp4" | "udp6", address: string): Promise<{ socket: Socket; port: number; got: Buffer[] }> {
  const socket = createSocket(type);
  const got: Buffer[] = [];
  socket.on("message", (m) => got.push(m));
  await new Promise<void>((resolve) => socket.bind(0, address, () => resolve()));
  open.push({ close: () => new Promise<void>((resolve) => socket.close(() => resolve())) });
  return { socket, port: socket.address().port, got };
}

async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const kinds = { "this thread": openUdpSocket, "an I/O thread": openUdpThread } as const;

describe.each(Object.entries(kinds))("a UDP endpoint on %s", (_, openEndpoint) => {
  async function endpoint(family: 4 | 6 = 4, port = 0): Promise<UdpEndpoint> {
    const e = await openEndpoint({ family, address: family === 6 ? "::1" : "127.0.0.1", port, bufferBytes: 1 << 20 });
    open.push(e);
    return e;
  }

  it("sends each datagram's exact bytes, in order, with one callback each, and receives with the peer's address", async () => {
    const e = await endpoint();
    const p = await peer("udp4", "127.0.0.1");
    const results: Array<Error | null> = [];
    const sent = Array.from({ length: 200 }, (_, i) => Buffer.from(`datagram ${i} ${"x".repeat(i)}`));
    for (const b of sent) e.send(b, p.port, "127.0.0.1", (err) => results.push(err));
    await until(() => p.got.length === 200 && results.length === 200, "200 datagrams and callbacks");
    expect(p.got.map(String)).toEqual(sent.map(String));
    expect(results.every((r) => r === null)).toBe(true);

    const received: Array<[string, string, number]> = [];
    e.onDatagram((data, address, port) => received.push([String(data), address, port]));
    for (let i = 0; i < 50; i++) p.socket.send(`answer ${i}`, e.port, "127.0.0.1");
    await until(() => received.length === 50, "50 answers");
    expect(received.map(([d]) => d)).toEqual(Array.from({ length: 50 }, (_, i) => `answer ${i}`));
    expect(received.every(([, address, port]) => address === "127.0.0.1" && port === p.port)).toBe(true);
  });

  it("works over IPv6 (::1)", async () => {
    const e = await endpoint(6);
    const p = await peer("udp6", "::1");
    const done = new Promise<Error | null>((resolve) => e.send(Buffer.from("over v6"), p.port, "::1", resolve));
    expect(await within(done)).toBeNull();
    await until(() => p.got.length === 1, "the datagram over ::1");
    expect(String(p.got[0])).toBe("over v6");
  });

  it("reports a send that fails to its callback (EMSGSIZE, a bad port), and sends on after it", async () => {
    const e = await endpoint();
    const p = await peer("udp4", "127.0.0.1");
    const tooBig = new Promise<Error | null>((resolve) => e.send(Buffer.alloc(70_000), p.port, "127.0.0.1", resolve));
    const badPort = new Promise<Error | null>((resolve) => e.send(Buffer.from("x"), 0, "127.0.0.1", resolve));
    const fine = new Promise<Error | null>((resolve) => e.send(Buffer.from("after"), p.port, "127.0.0.1", resolve));
    expect((await within(tooBig))?.message).toMatch(/EMSGSIZE/);
    expect((await within(badPort))?.message).toMatch(/port/i);
    expect(await within(fine)).toBeNull();
    await until(() => p.got.length === 1, "the datagram after the failures");
    expect(String(p.got[0])).toBe("after");
  });

  it("refuses a port in use, naming the error", async () => {
    const first = await endpoint();
    await expect(endpoint(4, first.port)).rejects.toThrow(/EADDRINUSE/);
  });

  it("closes: sends made just before are each called back once, the port is free again", async () => {
    const e = await openEndpoint({ family: 4, address: "127.0.0.1", port: 0, bufferBytes: 1 << 20 });
    const p = await peer("udp4", "127.0.0.1");
    let calls = 0;
    for (let i = 0; i < 20; i++) e.send(Buffer.from(`last ${i}`), p.port, "127.0.0.1", () => calls++);
    await within(e.close());
    await until(() => calls === 20, "20 callbacks");
    const again = await endpoint(4, e.port);
    expect(again.port).toBe(e.port);
  });
});

describe("the UDP I/O thread stopping by itself", () => {
  it("fails the sends it had not reported and every later one, and reports the stop", async () => {
    const e = await openUdpThread({ family: 4, address: "127.0.0.1", port: 0, bufferBytes: 1 << 20 });
    const errors: string[] = [];
    e.onError((err) => errors.push(err.message));
    const p = await peer("udp4", "127.0.0.1");
    const waiting = new Promise<Error | null>((resolve) => e.send(Buffer.from("lost"), p.port, "127.0.0.1", resolve));
    await e.thread.terminate();
    expect((await within(waiting))?.message).toBe("the UDP I/O thread has stopped");
    const later = new Promise<Error | null>((resolve) => e.send(Buffer.from("later"), p.port, "127.0.0.1", resolve));
    expect((await within(later))?.message).toBe("the UDP I/O thread has stopped");
    expect(errors).toEqual(["the UDP I/O thread has stopped"]);
    await within(e.close());
  });
});

describe("the UDP I/O thread while the node does not read", () => {
  it("holds at most bufferBytes the node has not taken, drops and counts the rest, and takes more once read", async () => {
    const e = await openUdpThread({ family: 4, address: "127.0.0.1", port: 0, bufferBytes: 64 * 1024 });
    open.push(e);
    const got: Buffer[] = [];
    let dropped = 0;
    e.onDatagram((data) => got.push(data));
    e.onOverflow((n) => {
      dropped += n;
    });
    // Another process sends 300 datagrams of 1 KiB while this thread does not read: the I/O thread may hold
    // 64 KiB of them for it.
    const sender = spawn(process.execPath, [
      "-e",
      // Ten at a time, so the I/O thread keeps up with the kernel: the drops are the thread's own.
      `const s = require("node:dgram").createSocket("udp4"); let sent = 0;
       const ten = () => { for (let i = 0; i < 10; i++) s.send(Buffer.alloc(1024, 97), ${e.port}, "127.0.0.1");
         sent += 10; if (sent < 300) setTimeout(ten, 1); else s.close(); };
       ten();`,
    ]);
    const senderDone = new Promise((resolve) => sender.once("exit", resolve));
    const spinUntil = Date.now() + 1500;
    while (Date.now() < spinUntil && sender.exitCode === null);
    await within(senderDone, 5000);
    const spinMore = Date.now() + 200;
    while (Date.now() < spinMore);
    await until(() => got.length >= 64 && dropped > 0, "64 datagrams taken and the rest dropped");
    await new Promise((r) => setTimeout(r, 100));
    expect(got.length).toBe(64);
    // Dropped by the thread, and counted (the kernel drops more before the thread reads them, uncounted: its
    // socket buffer is 64 KiB too).
    expect(dropped).toBeGreaterThan(0);
    expect(got.length + dropped).toBeLessThanOrEqual(300);
    // Taken: the thread holds as much again.
    const p = await peer("udp4", "127.0.0.1");
    got.length = 0;
    for (let i = 0; i < 40; i++) p.socket.send(Buffer.alloc(1024, 98), e.port, "127.0.0.1");
    await until(() => got.length === 40, "the next 40 datagrams");
  });
});

describe("the transport layer over the I/O thread", () => {
  it("receives a request stamped with received/rport and answers it to the source (RFC 3581 §4)", async () => {
    const layer = await createTransportLayer({
      listen: [{ transport: "UDP", address: "127.0.0.1", port: 0 }],
      udpIoThread: true,
    });
    open.push(layer);
    const p = await peer("udp4", "127.0.0.1");
    layer.onMessage((message, flow) => {
      if (message.kind !== "request") return;
      void layer.sendResponse(
        {
          kind: "response",
          version: "SIP/2.0",
          status: 200,
          reason: "OK",
          headers: message.headers,
          body: Buffer.alloc(0),
        },
        flow,
      );
    });
    const req = options("z9hG4bKthread", `127.0.0.1:${p.port};rport`);
    p.socket.send(serializeMessage(req), layer.addresses[0].port, "127.0.0.1");
    await until(() => p.got.length === 1, "the 200 OK");
    const text = String(p.got[0]);
    expect(text.startsWith("SIP/2.0 200 OK\r\n")).toBe(true);
    expect(text).toContain(
      `Via: SIP/2.0/UDP 127.0.0.1:${p.port};branch=z9hG4bKthread;rport=${p.port};received=127.0.0.1\r\n`,
    );
    expect(layer.counters.received).toBe(1);
    await until(() => layer.counters.sent === 1, "the send counted");
  });
});

/** Counts the messages the node posts to a worker (each one a batch of sends, or the bytes taken). */
function countPosts(worker: { postMessage: (...a: never[]) => void }): { n: number } {
  const posts = { n: 0 };
  const post = worker.postMessage.bind(worker);
  worker.postMessage = (...a: never[]) => {
    posts.n++;
    post(...a);
  };
  return posts;
}

describe("the UDP I/O thread's batches", () => {
  it("sends the datagrams of one turn in one crossing, each whole and in order, of every size", async () => {
    const e = await openUdpThread({ family: 4, address: "127.0.0.1", port: 0, bufferBytes: 4 << 20 });
    open.push(e);
    const p = await peer("udp4", "127.0.0.1");
    const posts = countPosts(e.thread);
    // 60 datagrams (below the early hand-over at 64): empty, one byte, multi-byte UTF-8 text, 1,500 and 60,000
    // bytes (one only: the peer's socket buffer is the kernel's default).
    const sent: Array<Buffer | string> = Array.from({ length: 60 }, (_, i) =>
      i % 4 === 0
        ? Buffer.alloc(0)
        : i % 4 === 1
          ? Buffer.from([i])
          : i % 4 === 2
            ? `datagram ${i} ü€𝄞`
            : Buffer.alloc(i === 3 ? 60_000 : 1500, i),
    );
    const results: Array<Error | null> = [];
    for (const d of sent) e.send(d, p.port, "127.0.0.1", (err) => results.push(err));
    expect(posts.n).toBe(0);
    await new Promise((r) => setImmediate(r));
    expect(posts.n).toBe(1);
    await until(() => p.got.length === 60 && results.length === 60, "60 datagrams and callbacks");
    expect(p.got.map((b) => b.toString("hex"))).toEqual(sent.map((d) => Buffer.from(d).toString("hex")));
    expect(results).toEqual(sent.map(() => null));
  });

  it("hands a lone datagram over at the end of the turn it was sent in, not later", async () => {
    const e = await openUdpThread({ family: 4, address: "127.0.0.1", port: 0, bufferBytes: 1 << 20 });
    open.push(e);
    const p = await peer("udp4", "127.0.0.1");
    const posts = countPosts(e.thread);
    e.send(Buffer.from("alone"), p.port, "127.0.0.1", () => {});
    // The hand-over is queued for the end of this turn, before anything the turn schedules after it.
    await new Promise((r) => setImmediate(r));
    expect(posts.n).toBe(1);
    await until(() => p.got.length === 1, "the lone datagram");
    expect(String(p.got[0])).toBe("alone");
    // A lone datagram received is handed up without another behind it to push it.
    const got: string[] = [];
    e.onDatagram((d) => got.push(String(d)));
    p.socket.send("one back", e.port, "127.0.0.1");
    await until(() => got.length === 1, "the lone datagram received");
    expect(got).toEqual(["one back"]);
  });

  it("receives a burst from several sources whole and in arrival order, each with its source", async () => {
    const e = await openUdpThread({ family: 4, address: "127.0.0.1", port: 0, bufferBytes: 4 << 20 });
    open.push(e);
    const a = await peer("udp4", "127.0.0.1");
    const b = await peer("udp4", "127.0.0.1");
    const received: string[] = [];
    e.onDatagram((data, address, port) => received.push(`${address}:${port} ${data.length} ${data.at(-1)}`));
    const expected: string[] = [];
    // Loopback delivers each send at once: the arrival order is the order sent, across the two sources (60 KiB in
    // all, within the kernel's default socket buffer should the thread be slow to read).
    for (let i = 0; i < 300; i++) {
      const from = i % 3 === 0 ? b : a;
      const size = 1 + ((i * 97) % 400);
      from.socket.send(Buffer.alloc(size, i % 256), e.port, "127.0.0.1");
      expected.push(`127.0.0.1:${from.port} ${size} ${i % 256}`);
    }
    await until(() => received.length === 300, "300 datagrams");
    expect(received).toEqual(expected);
  });

  it("carries several sockets: sends on both in one turn leave in the order made, answers reach their own", async () => {
    const io = new UdpIoThread();
    open.push(io);
    const sip = await io.open({ family: 4, address: "127.0.0.1", port: 0, bufferBytes: 1 << 20 });
    const h248 = await openUdpTransportOn(
      (address, port) => io.open({ family: 4, address, port, bufferBytes: 1 << 20 }),
      "127.0.0.1",
      0,
    );
    expect(h248.local).toEqual({ address: "127.0.0.1", port: expect.any(Number) });
    const sources: number[] = [];
    const p = createSocket("udp4");
    const got: string[] = [];
    p.on("message", (m, rinfo) => {
      got.push(String(m));
      sources.push(rinfo.port);
    });
    await new Promise<void>((resolve) => p.bind(0, "127.0.0.1", () => resolve()));
    open.push({ close: () => new Promise<void>((resolve) => p.close(() => resolve())) });
    const port = p.address().port;
    // An H.248 Subtract, then the SIP request the node sends after it, then more of each.
    h248.send("!/1 [127.0.0.1]:2944 T=1{C=1{S=*}}", { address: "127.0.0.1", port });
    sip.send(Buffer.from("BYE sip:a@b SIP/2.0"), port, "127.0.0.1", () => {});
    h248.send("!/1 [127.0.0.1]:2944 T=2{C=2{S=*}}", { address: "127.0.0.1", port });
    sip.send("BYE sip:c@d SIP/2.0", port, "127.0.0.1", () => {});
    await until(() => got.length === 4, "4 datagrams");
    expect(got).toEqual([
      "!/1 [127.0.0.1]:2944 T=1{C=1{S=*}}",
      "BYE sip:a@b SIP/2.0",
      "!/1 [127.0.0.1]:2944 T=2{C=2{S=*}}",
      "BYE sip:c@d SIP/2.0",
    ]);
    expect(sources).toEqual([h248.local.port, sip.port, h248.local.port, sip.port]);

    const toSip: string[] = [];
    const toH248: Array<[string, string, number]> = [];
    sip.onDatagram((d) => toSip.push(String(d)));
    h248.onMessage((text, from) => toH248.push([text, from.address, from.port]));
    p.send("P=1{C=1{S=T1}}", h248.local.port, "127.0.0.1");
    p.send("SIP/2.0 200 OK", sip.port, "127.0.0.1");
    p.send("P=2{C=2{S=T2}}", h248.local.port, "127.0.0.1");
    await until(() => toSip.length === 1 && toH248.length === 2, "the answers");
    expect(toSip).toEqual(["SIP/2.0 200 OK"]);
    expect(toH248).toEqual([
      ["P=1{C=1{S=T1}}", "127.0.0.1", port],
      ["P=2{C=2{S=T2}}", "127.0.0.1", port],
    ]);
    // One socket closed, the other goes on.
    await h248.close();
    const after = new Promise<Error | null>((resolve) => sip.send("after", port, "127.0.0.1", resolve));
    expect(await within(after)).toBeNull();
    await until(() => got.length === 5, "the datagram after the other socket closed");
    expect(got[4]).toBe("after");
  });
});

describe("udpIoThread setting", () => {
  it("auto is on with a second CPU, off with one; on and off are as said", () => {
    expect(udpIoThreadOf("auto", 2)).toBe(true);
    expect(udpIoThreadOf(undefined, 4)).toBe(true);
    expect(udpIoThreadOf("auto", 1)).toBe(false);
    expect(udpIoThreadOf("on", 1)).toBe(true);
    expect(udpIoThreadOf("off", 8)).toBe(false);
  });
});
