// The MGC's socket on the node's main thread (udpIoThread off) holds a burst of MG replies while the node is busy:
// with the kernel's default buffer (~208 KiB) a burst of 1 MiB is mostly dropped, each drop a retransmission timer
// at the MGC (issue 21: about one MG reply a call under load). 2,000 datagrams of 500 octets, sent by another
// process while this thread is blocked, all arrive with 4 MiB.
import { execFile } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { type H248UdpTransport, openUdpTransport } from "../../src/h248/udp-transport.ts";
import { raiseSocketBufferCaps } from "../support/socket-buffers.ts";

const opened: H248UdpTransport[] = [];
afterEach(async () => {
  for (const t of opened.splice(0)) await t.close();
});

/** `n` datagrams of `size` octets to 127.0.0.1:port from a node process of its own; resolves when it has sent them. */
function burst(port: number, n: number, size: number): Promise<void> {
  const script = `const s=require("dgram").createSocket("udp4");const b=Buffer.alloc(${size},120);let k=0;
    const next=()=>{if(k===${n}){s.close();return}k++;s.send(b,${port},"127.0.0.1",next)};next();`;
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ["-e", script], { timeout: 20_000 }, (err) => (err ? reject(err) : resolve())),
  );
}

describe("H.248 UDP transport on this thread", () => {
  it("a socket of 4 MiB holds a burst of 2,000 datagrams sent while this thread was busy", async () => {
    // The kernel caps a socket's buffer at net.core.rmem_max (208 KiB on a fresh Debian): raised as root.
    expect(raiseSocketBufferCaps(8 * 2 ** 20), "net.core.rmem_max").toBeGreaterThanOrEqual(4 * 2 ** 20);
    const t = await openUdpTransport("127.0.0.1", 0, 4 * 2 ** 20);
    opened.push(t);
    let got = 0;
    t.onMessage(() => got++);
    const sent = burst(t.local.port, 2000, 500);
    // Busy until the other process has sent everything: nothing is read meanwhile, the kernel holds it.
    const until = Date.now() + 20_000;
    let done = false;
    void sent.then(() => {
      done = true;
    });
    while (!done && Date.now() < until) await new Promise((r) => setImmediate(r)).then(() => blockFor(5));
    await sent;
    await new Promise((r) => setTimeout(r, 200));
    expect(got).toBe(2000);
  }, 30_000);
});

function blockFor(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // this thread is busy, as a loaded node's is
  }
}
