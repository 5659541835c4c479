// How many TCP connections a node may hold: the configured cap, and never more than the process's open-file
// limit (`ulimit -n`, read from /proc/self/limits at start) less the descriptors held in reserve for UDP, the
// admin API and the store, so a flood of connections cannot take the descriptors those need.
import { readFileSync } from "node:fs";
import type { NodeConfig } from "../../generated/types/index.ts";

/** The soft open-file limit of this process, or undefined where /proc is not there or says "unlimited". */
export function openFileLimit(limits = "/proc/self/limits"): number | undefined {
  let text: string;
  try {
    text = readFileSync(limits, "utf8");
  } catch {
    return undefined;
  }
  const m = /^Max open files\s+(\d+)/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

export interface TcpConnectionLimits {
  idleTimeoutMs: number;
  headerTimeoutMs: number;
  bodyTimeoutMs: number;
  maxConnections?: number;
  maxConnectionsPerSource: number;
}

/** The limits in force from `limits.tcp` and the open-file limit. */
export function tcpConnectionLimits(config: NodeConfig, fileLimit: number | undefined): TcpConnectionLimits {
  const tcp = config.limits?.tcp ?? {};
  const reserve = tcp.fileDescriptorReserve ?? 128;
  const byFiles = fileLimit === undefined ? undefined : Math.max(1, fileLimit - reserve);
  const caps = [tcp.maxConnections, byFiles].filter((n): n is number => n !== undefined);
  return {
    idleTimeoutMs: tcp.idleTimeoutMs ?? 180_000,
    headerTimeoutMs: tcp.headerTimeoutMs ?? 10_000,
    bodyTimeoutMs: tcp.bodyTimeoutMs ?? 10_000,
    ...(caps.length > 0 ? { maxConnections: Math.min(...caps) } : {}),
    maxConnectionsPerSource: tcp.maxConnectionsPerSource ?? 128,
  };
}
