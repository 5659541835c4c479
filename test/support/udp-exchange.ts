// One UDP datagram to a node on loopback, and its first reply: for input no real peer would send (malformed SIP,
// garbage), where the answer — or its absence — is what a test checks.
import { createSocket } from "node:dgram";

/** Sends `data` (latin1) from an ephemeral 127.0.0.1 port to `port`; resolves with the first reply, or undefined. */
export function udpExchange(port: number, data: string, timeoutMs = 1000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const sock = createSocket("udp4");
    const done = (v: string | undefined) => {
      clearTimeout(timer);
      sock.close();
      resolve(v);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    sock.on("message", (m) => done(m.toString("latin1")));
    sock.bind(0, "127.0.0.1", () => sock.send(Buffer.from(data, "latin1"), port, "127.0.0.1"));
  });
}
