// A UE's SIP edge for SIPp on loopback: SIPp sends every message of a call to one remote address, but a UE must
// send a response where the request's top Via says (RFC 3261 §18.2.2: received/rport, else sent-by). With several
// nodes sharing a store, a BYE may come from a node that did not set the call up; this relay sits between SIPp and
// the nodes, forwards SIPp's requests to its first node, whatever reaches it to SIPp, and SIPp's responses by their
// top Via.
import { createSocket, type Socket } from "node:dgram";

export interface ViaRelay {
  readonly port: number;
  /** Responses forwarded, by the port their top Via named. */
  readonly responsesTo: Map<number, number>;
  close(): Promise<void>;
}

/** Where a response goes: the top Via's received/rport, else its sent-by (RFC 3261 §18.2.2, RFC 3581). */
export function topViaAddress(message: string): { address: string; port: number } | undefined {
  const line = /^(?:Via|v)[ \t]*:[ \t]*([^\r\n]*)/im.exec(message)?.[1];
  const via = line?.split(",")[0].trim();
  const m = via && /^SIP\/2\.0\/[A-Z]+\s+(\[[^\]]+\]|[^;:\s]+)(?::([0-9]+))?(.*)$/i.exec(via);
  if (!m) return undefined;
  const params = new Map(
    m[3]
      .split(";")
      .filter(Boolean)
      .map((p) => {
        const [k, v] = p.trim().split("=");
        return [k.toLowerCase(), v] as const;
      }),
  );
  return {
    address: params.get("received") ?? m[1].replace(/^\[|\]$/g, ""),
    port: Number(params.get("rport") || m[2] || 5060),
  };
}

export async function startViaRelay(ue: { port: number }, node: { port: number }): Promise<ViaRelay> {
  // A release sends hundreds of BYEs at once: buffers as large as the node's, so the relay drops none.
  const buffers = 16 * 1024 * 1024;
  const socket: Socket = createSocket({ type: "udp4", recvBufferSize: buffers, sendBufferSize: buffers });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", () => resolve());
  });
  const responsesTo = new Map<number, number>();
  socket.on("message", (data, from) => {
    if (from.port !== ue.port) return void socket.send(data, ue.port, "127.0.0.1");
    const text = data.toString("latin1");
    const to = text.startsWith("SIP/2.0 ") ? topViaAddress(text) : { address: "127.0.0.1", port: node.port };
    if (!to) return;
    if (text.startsWith("SIP/2.0 ")) responsesTo.set(to.port, (responsesTo.get(to.port) ?? 0) + 1);
    socket.send(data, to.port, to.address);
  });
  return {
    port: socket.address().port,
    responsesTo,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}
