// A burst of UDP datagrams sent by another process while this thread waits for it, blocked: what a socket read
// on this thread gets meanwhile is held (or dropped) by the kernel, as for a node too busy to read.
import { execFileSync } from "node:child_process";

/** Sends `n` datagrams of `size` octets to address:port from a node process of its own; returns once all went. */
export function blockedBurst(port: number, n: number, size: number, address = "127.0.0.1"): void {
  const script = `const s=require("node:dgram").createSocket("${address.includes(":") ? "udp6" : "udp4"}");
    const b=Buffer.alloc(${size},120);let k=0;
    const next=()=>{if(k===${n}){s.close();return}k++;s.send(b,${port},"${address}",next)};next();`;
  execFileSync(process.execPath, ["-e", script], { timeout: 20_000 });
}
