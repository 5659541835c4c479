// The live demo's network, all on loopback with ports chosen free: an S-CSCF with two UEs (alice, bob), and a
// GMSC between two SIP-I nodes (MSC-A preceding, MSC-B succeeding) with its media gateway. The nodes run from the
// embedded defaults (memory store, a generated admin token); the peers are the demo's own (demo-user-agent.ts,
// demo-media-gateway.ts), so nothing needs installing.
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import type { Logger } from "pino";
import type { NodeConfig } from "../../generated/types/index.ts";
import { type AdminAnswer, adminRequest } from "../admin/admin-request.ts";
import { validateConfig } from "../config/node-config.ts";
import { startGmscNode } from "../nodes/gmsc/gmsc-node.ts";
import type { RunningNode } from "../nodes/running-node.ts";
import { startScscfNode } from "../nodes/scscf/scscf-node.ts";
import type { TraceEntry } from "../trace/call-trace.ts";
import { DemoMediaGateway } from "./demo-media-gateway.ts";
import { DemoUserAgent } from "./demo-user-agent.ts";

export const HOME = "home.demo";
export const ALICE = `sip:alice@${HOME}`;
export const BOB = `sip:bob@${HOME}`;
/** The number MSC-A dials through the GMSC. */
export const CALLED_NUMBER = "4917325";

export interface DemoNode {
  node: RunningNode;
  /** "127.0.0.1:port" of its SIP listener. */
  sip: string;
  admin(method: "GET" | "POST", path: string, body?: unknown): Promise<AdminAnswer>;
  /** The call's runtime audit trail as the admin API serves it (JSON). */
  trace(callId: string): Promise<TraceEntry[]>;
}

export interface DemoNetwork {
  token: string;
  scscf: DemoNode;
  gmsc: DemoNode;
  alice: DemoUserAgent;
  bob: DemoUserAgent;
  mscA: DemoUserAgent;
  mscB: DemoUserAgent;
  mg: DemoMediaGateway;
  close(): Promise<void>;
}

/** A UDP port free on loopback now (the MGC's listener must be known before the GMSC starts: its mId names it). */
function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket("udp4");
    s.once("error", reject);
    s.bind(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function demoNode(node: RunningNode, token: string): DemoNode {
  const [listen] = node.shell.transportLayer.addresses;
  const admin = (method: "GET" | "POST", path: string, body?: unknown) =>
    adminRequest(node.adminUrl, token, method, path, body, 5000);
  return {
    node,
    sip: `${listen.address}:${listen.port}`,
    admin,
    async trace(callId) {
      const r = await admin("GET", `/v1/calls/${encodeURIComponent(callId)}/trace?format=json`);
      if (r.status === 404) return [];
      if (r.status !== 200) throw new Error(`trace of ${callId}: admin API answered ${r.status} ${r.text}`);
      return (r.json() as { entries: TraceEntry[] }).entries;
    },
  };
}

/**
 * `config`: a node config (cleardown demo --config FILE) both nodes take, e.g. a policy that switches a recorded
 * deviation to the seed's literal reading; the demo's own addresses, token, store and peers stay.
 */
export async function startDemoNetwork(logger: Logger, config: NodeConfig = {}): Promise<DemoNetwork> {
  const token = randomBytes(18).toString("base64url");
  const opened: Array<{ close(): Promise<void> }> = [];
  const close = async () => {
    for (const o of opened.splice(0).reverse()) await o.close().catch(() => {});
  };
  try {
    const [alice, bob, mscA, mscB] = await Promise.all(
      ["alice", "bob", "msc-a", "msc-b"].map((u) => DemoUserAgent.start(u)),
    );
    opened.push(alice, bob, mscA, mscB);
    const common = { sip: ["udp://127.0.0.1:0"], admin: "http://127.0.0.1:0", adminToken: token, store: "memory" };

    const scscf = await startScscfNode({
      config: validateConfig(
        { ...config, ...common, role: "scscf", scscf: { ...config.scscf, registrarTrusted: ["127.0.0.1"] } },
        "demo S-CSCF",
      ),
      logger,
      partyNames: { [alice.hostPort]: "UE alice", [bob.hostPort]: "UE bob" },
    });
    opened.push(scscf);

    const mgcPort = await freeUdpPort();
    const gmsc = await startGmscNode({
      config: validateConfig(
        {
          ...config,
          ...common,
          role: "gmsc",
          gmsc: { ...config.gmsc, mgc: `udp://127.0.0.1:${mgcPort}`, routes: [{ target: `udp://${mscB.hostPort}` }] },
        },
        "demo GMSC",
      ),
      logger,
      partyNames: { [mscA.hostPort]: "MSC-A", [mscB.hostPort]: "MSC-B" },
    });
    opened.push(gmsc);
    const mg = await DemoMediaGateway.register({ address: "127.0.0.1", port: mgcPort });
    opened.push(mg);

    // The nodes start on the compiled runtime; the demo runs what rules/ says now, so an editor's change shows in
    // the next `npm start` (broken rules stop the demo with the lint's errors).
    for (const node of [scscf, gmsc]) {
      const loaded = node.shell.reloadRules("start");
      if (!loaded.ok) throw new Error(`rules/ rejected:\n${loaded.errors.join("\n")}`);
    }
    const net: DemoNetwork = {
      token,
      scscf: demoNode(scscf, token),
      gmsc: demoNode(gmsc, token),
      alice,
      bob,
      mscA,
      mscB,
      mg,
      close,
    };
    // bob is reachable through the registrar (the S-CSCF serving the called user finds his contact there).
    const [host, port] = net.scscf.sip.split(":");
    await bob.register({ transport: "UDP", address: host, port: Number(port) }, BOB);
    return net;
  } catch (err) {
    await close();
    throw err;
  }
}
