// Where a node listens: a config's `listen` URLs as the transport layer's listen specs.
import { ConfigError } from "../config/node-config.ts";
import type { ListenSpec } from "../sip/transport/transport-layer.ts";

/** `udp://127.0.0.1:5060`, `tcp://[::1]:5060` → a listen spec. */
export function parseListen(url: string): ListenSpec {
  const m = /^(udp|tcp):\/\/(\[[0-9a-fA-F:.]+\]|[^:/\s]+)(?::(\d+))?\/?$/.exec(url);
  if (!m) throw new ConfigError([`${url}: expected udp://ADDRESS:PORT or tcp://ADDRESS:PORT`]);
  const port = m[3] === undefined ? 5060 : Number(m[3]);
  if (port > 65535) throw new ConfigError([`${url}: expected a port in 0..65535`]);
  return {
    transport: m[1] === "udp" ? "UDP" : "TCP",
    address: m[2].replace(/^\[|\]$/g, ""),
    port,
  };
}
