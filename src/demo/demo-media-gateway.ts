// A media gateway for the live demo, on cleardown's own H.248 text codec and transactions (H.248.1 clause 7
// commands, clause 8 transactions, Annex D.1 over UDP): it registers with the MGC (ServiceChange Restart on
// ROOT), answers Add ($ in context $: a new context, new ephemeral terminations, the Local descriptor's $ filled
// with its own address), Modify, Subtract and AuditValue, and on demand reports a Bearer Released with a Notify
// of g/cause. It carries no media. The tests use a real third-party MG (Erlang/OTP megaco) instead.
import type {
  ActionReply,
  ActionRequest,
  CommandReply,
  CommandRequest,
  Descriptor,
  ErrorDescriptor,
} from "../h248/model.ts";
import { TransactionLayer } from "../h248/transactions.ts";
import { type H248Peer, openUdpTransport } from "../h248/udp-transport.ts";

export interface MgCommand {
  command: string;
  contextId: number;
  terminationId: string;
}

/** The SDP of a Local descriptor with every $ (H.248.1 Annex C: "the MG chooses") filled in. */
function chosenSdp(offer: string, address: string, port: number): string {
  return offer
    .replace(/^c=IN IP4 \$$/m, `c=IN IP4 ${address}`)
    .replace(/^m=audio \$ /m, `m=audio ${port} `)
    .replace(/\$/g, "0");
}

function localOf(descriptors: Descriptor[]): string | undefined {
  for (const d of descriptors)
    if (d.kind === "media")
      for (const item of d.items) {
        if (item.kind === "local") return item.sdp;
        if (item.kind === "stream") for (const p of item.parms) if (p.kind === "local") return p.sdp;
      }
  return undefined;
}

export class DemoMediaGateway {
  /** Every command it executed, in order (what the demo checks a clearing against). */
  readonly commands: MgCommand[] = [];
  private readonly contexts = new Map<number, Set<string>>();
  private nextContext = 1;
  private nextTermination = 1;
  private nextRtpPort = 30_000;

  private constructor(
    private readonly transactions: TransactionLayer,
    readonly local: H248Peer,
    private readonly mgc: H248Peer,
  ) {
    transactions.onRequest(async (req) =>
      req.actions.flatMap((a) => (a.contextId === "*" ? this.auditAll() : [this.execute(a)])),
    );
  }

  /** Binds a loopback UDP port and registers with the MGC; resolves once the MGC answered. */
  static async register(mgc: H248Peer, address = "127.0.0.1"): Promise<DemoMediaGateway> {
    const transport = await openUdpTransport(address, 0);
    const local = transport.local;
    const transactions = new TransactionLayer(transport, {
      mId: { kind: "ip4", address: local.address, port: local.port },
      timers: { initialRetransmitMs: 100, maxRetransmitMs: 400, maxAttempts: 5 },
    });
    const mg = new DemoMediaGateway(transactions, local, mgc);
    try {
      const reply = await transactions.request(mgc, [
        {
          contextId: "-",
          properties: [],
          commands: [
            {
              command: "ServiceChange",
              terminationIds: ["ROOT"],
              descriptors: [
                {
                  kind: "services",
                  parms: [
                    { kind: "method", method: "Restart" },
                    { kind: "reason", reason: "901 Cold Boot" },
                  ],
                },
              ],
            },
          ],
        },
      ]);
      if (reply.error)
        throw new Error(`the MGC refused the registration: ${reply.error.code} ${reply.error.text ?? ""}`);
    } catch (err) {
      await mg.close();
      throw err;
    }
    return mg;
  }

  /** The terminations of a context, in the order they were added. */
  terminationsOf(contextId: number): string[] {
    return [...(this.contexts.get(contextId) ?? [])];
  }

  /** H.248.1 Annex E.1.2: Notify ObservedEvents = requestId { g/cause { Generalcause = NR } } (a bearer released). */
  async bearerReleased(contextId: number, terminationId: string, requestId = 1): Promise<void> {
    const reply = await this.transactions.request(this.mgc, [
      {
        contextId,
        properties: [],
        commands: [
          {
            command: "Notify",
            terminationIds: [terminationId],
            descriptors: [
              {
                kind: "observedEvents",
                requestId,
                events: [
                  {
                    name: "g/cause",
                    parameters: [
                      { kind: "property", name: "Generalcause", value: { kind: "equal", value: "NR" } },
                      { kind: "property", name: "Failurecause", value: { kind: "equal", value: "bearer lost" } },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      },
    ]);
    if (reply.error || reply.actions.some((a) => a.error))
      throw new Error(`the MGC answered the Notify with an error: ${JSON.stringify(reply)}`);
  }

  async close(): Promise<void> {
    await this.transactions.close();
  }

  private execute(action: ActionRequest): ActionReply {
    let contextId = action.contextId;
    if (contextId === "$") {
      contextId = this.nextContext++;
      this.contexts.set(contextId, new Set());
    }
    const replies: CommandReply[] = [];
    for (const cmd of action.commands) {
      const done = typeof contextId === "number" ? this.command(contextId, cmd) : undefined;
      if (done === undefined || "code" in done) {
        const error: ErrorDescriptor = done ?? { kind: "error", code: 422, text: `no context ${contextId}` };
        return { contextId, properties: [], commands: replies, error };
      }
      replies.push(done);
    }
    return { contextId, properties: [], commands: replies };
  }

  private command(contextId: number, cmd: CommandRequest): CommandReply | ErrorDescriptor {
    const terminations = this.contexts.get(contextId);
    const [requested] = cmd.terminationIds;
    switch (cmd.command) {
      case "Add": {
        if (terminations === undefined) return { kind: "error", code: 411, text: `no context ${contextId}` };
        const id = requested === "$" ? `rtp/${this.nextTermination++}` : requested;
        terminations.add(id);
        this.commands.push({ command: "Add", contextId, terminationId: id });
        const offer = localOf(cmd.descriptors);
        const local =
          offer === undefined
            ? []
            : [{ kind: "local" as const, sdp: chosenSdp(offer, this.local.address, this.nextRtpPort++) }];
        return {
          command: "Add",
          terminationIds: [id],
          descriptors: local.length ? [{ kind: "media", items: [{ kind: "stream", streamId: 1, parms: local }] }] : [],
        };
      }
      case "Modify":
        if (!terminations?.has(requested))
          return { kind: "error", code: 430, text: `unknown termination ${requested}` };
        this.commands.push({ command: "Modify", contextId, terminationId: requested });
        return { command: "Modify", terminationIds: [requested], descriptors: [] };
      case "Subtract": {
        if (!terminations?.delete(requested))
          return { kind: "error", code: 430, text: `unknown termination ${requested}` };
        if (terminations.size === 0) this.contexts.delete(contextId);
        this.commands.push({ command: "Subtract", contextId, terminationId: requested });
        return { command: "Subtract", terminationIds: [requested], descriptors: [] };
      }
      default:
        return { kind: "error", code: 501, text: `${cmd.command} not implemented by the demo MG` };
    }
  }

  /** AuditValue of every termination in every context (Context = *): one action reply per context it holds. */
  private auditAll(): ActionReply[] {
    return [...this.contexts].map(([contextId, terminations]) => ({
      contextId,
      properties: [],
      commands: [{ command: "AuditValue", terminationIds: [...terminations], descriptors: [] }],
    }));
  }
}
