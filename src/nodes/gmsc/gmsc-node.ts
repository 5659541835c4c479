// The GMSC role: a SIP-I B2BUA between a preceding and a succeeding node, controlling a media gateway over H.248,
// clearing calls per TS 23.231 §7.3 from the rules in force. `cleardown serve --role gmsc` starts it.
import { randomBytes, randomInt } from "node:crypto";
import type { CallIndexRecord, CallRecord } from "../../../generated/types/index.ts";
import { ConfigError } from "../../config/node-config.ts";
import { MediaGatewayController } from "../../h248/mgc.ts";
import type { MId } from "../../h248/model.ts";
import { addressFilter } from "../address-filter.ts";
import { NodeShell } from "../node-shell.ts";
import type { RunningNode, StartNodeOptions } from "../running-node.ts";
import { reportUdpSocket } from "../udp-socket-report.ts";
import { gmscAdminRoutes } from "./admin-routes.ts";
import { watchMediaGateway } from "./bearer-events.ts";
import { CallRecords } from "./call-records.ts";
import { CallTable } from "./call-table.ts";
import { GmscCore } from "./gmsc-core.ts";
import { H248Capture } from "./h248-capture.ts";
import { gmscLiveCallRoutes } from "./live-calls-routes.ts";
import { defaultMedia, MediaGateway } from "./media-gateway.ts";
import { RoutingTable } from "./routing-table.ts";
import { gmscTransactionUser } from "./sip-requests.ts";

/** `udp://ADDRESS:PORT` (IPv6 in brackets) → address and port; `what` names the setting in the error. */
export function udpAddress(url: string, what: string): { address: string; port: number } {
  const m = /^udp:\/\/(\[[0-9a-fA-F:.]+\]|[^:/\s]+)(?::(\d+))?\/?$/.exec(url);
  const port = m?.[2] === undefined ? 2944 : Number(m[2]);
  if (!m || port > 65535) throw new ConfigError([`${what}: expected udp://ADDRESS:PORT, found ${url}`]);
  return { address: m[1].replace(/^\[|\]$/g, ""), port };
}

/**
 * The H.248 socket's buffers, and what the I/O thread holds for the node: a burst of the MG's replies while the
 * node is busy waits instead of being dropped and retransmitted.
 */
const H248_BUFFER_BYTES = 4 * 1024 * 1024;

export async function startGmscNode(options: StartNodeOptions): Promise<RunningNode> {
  const { config } = options;
  const gmsc = config.gmsc ?? {};
  const routes = new RoutingTable(gmsc.routes ?? []);
  const listen = udpAddress(gmsc.mgc ?? "udp://127.0.0.1:2944", "gmsc.mgc");
  const fixedMg = gmsc.mg === undefined ? undefined : udpAddress(gmsc.mg, "gmsc.mg");
  const shell = await NodeShell.start({
    role: "gmsc",
    name: options.name ?? "GMSC",
    config,
    ...(options.root === undefined ? {} : { root: options.root }),
    ...(options.watchRules === undefined ? {} : { watchRules: options.watchRules }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.partyNames === undefined ? {} : { partyNames: options.partyNames }),
    ...(options.traceRetention === undefined ? {} : { traceRetention: options.traceRetention }),
  });
  try {
    const mId: MId = listen.address.includes(":")
      ? { kind: "ip6", address: listen.address, port: listen.port }
      : { kind: "ip4", address: listen.address === "0.0.0.0" ? "127.0.0.1" : listen.address, port: listen.port };
    const { metrics } = shell;
    const capture = new H248Capture(shell.hep);
    const io = shell.transportLayer.udpThread;
    const mgc = await MediaGatewayController.start({
      address: listen.address,
      port: listen.port,
      // On the node's UDP I/O thread, with its SIP sockets (udpIoThread): the H.248 sends and receives off this
      // thread, crossing with the SIP datagrams of the same turn, in the order the node sent them.
      ...(io === undefined
        ? { bufferBytes: H248_BUFFER_BYTES }
        : {
            socket: async (address: string, port: number) => {
              const family = address.includes(":") ? 6 : 4;
              const socket = await io.open({ family, address, port, bufferBytes: H248_BUFFER_BYTES });
              socket.onOverflow((n) => metrics.udp.nodeDropped("H.248", socket, n));
              return socket;
            },
          }),
      mId,
      ...(fixedMg === undefined ? {} : { mg: fixedMg }),
      ...(gmsc.mgcTimers === undefined ? {} : { timers: gmsc.mgcTimers }),
      // A restarted GMSC must not reuse the TransactionIds it sent before: the MGW would answer them from its
      // reply cache (at-most-once) without executing them.
      firstTransactionId: randomInt(1, 2 ** 31),
      onRetransmission: () => metrics.retransmissions.inc({ protocol: "H.248" }),
      onMalformed: (from, err) => {
        metrics.malformed.inc({ protocol: "H.248", outcome: "dropped" });
        shell.log.warn({ from: `${from.address}:${from.port}`, why: err.message }, "malformed H.248 message");
      },
      tap: capture.tap,
    });
    shell.onClose(() => mgc.close());
    const { buffers } = mgc;
    if (buffers)
      reportUdpSocket(shell.log, metrics.udp, "H.248", { ...mgc.local, askedBytes: H248_BUFFER_BYTES, buffers });
    const media = new MediaGateway(
      mgc,
      shell.log,
      capture.recorder(shell.traces),
      shell.name,
      { ...defaultMedia, ...(gmsc.media ?? {}) },
      metrics,
    );
    const records = new CallRecords(
      shell.store<CallRecord>("call", "CallRecord"),
      shell.store<CallIndexRecord>("call-index", "CallIndexRecord"),
      undefined,
      // A lease per call where another node could act on it too: a shared store (issue 20 item 4).
      (config.store ?? "memory") === "memory"
        ? undefined
        : { owner: `${shell.name}/${randomBytes(6).toString("hex")}`, ms: 2000 },
    );
    const calls = new CallTable(records);
    shell.onClose(() => calls.close());
    metrics.storeGauge("cleardown_calls_in_store", "Calls the GMSC nodes sharing the store hold", () => calls.size());
    const core = new GmscCore(shell, calls, media, routes);
    shell.transactions.setUser(gmscTransactionUser(core, addressFilter(config.trustedPeers, "trustedPeers")));
    watchMediaGateway(core, mgc);
    shell.stateOf = async (callId) => {
      const found = await calls.find(callId);
      const r = found && (await calls.get(found.key));
      if (!r) return "ended";
      return r.call.clearing ? "clearing" : `${r.call.preceding.state}/${r.call.succeeding.state}`;
    };
    const admin = await shell.startAdmin([...gmscLiveCallRoutes(core), ...gmscAdminRoutes(core)]);
    shell.log.info({ mgc: mgc.local, mg: fixedMg ?? "the MGW that registers" }, "GMSC ready");
    return { shell, adminUrl: admin.url, close: () => shell.close() };
  } catch (err) {
    await shell.close();
    throw err;
  }
}
