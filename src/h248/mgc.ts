// A media gateway controller (H.248.1 clause 11 registration, clause 7.2 commands) for a node that seizes and
// releases MG terminations: Add in a new context, Modify, Subtract (Release Termination), audit of contexts,
// Notify delivery, ServiceChange handling, MG reachability as events. Generic: it knows no call and no rule.
import type {
  ActionReply,
  ActionRequest,
  CommandReply,
  ContextId,
  Descriptor,
  ErrorDescriptor,
  Message,
  MId,
  ObservedEvent,
  PropertyParm,
  ServiceChangeMethod,
  StreamMode,
  TransactionReply,
  TransactionRequest,
} from "./model.ts";
import { H248TimeoutError, TransactionLayer, type TransactionTimers } from "./transactions.ts";
import {
  type DatagramSocketOpener,
  H248_TEXT_PORT,
  type H248Peer,
  type H248UdpTransport,
  openUdpTransport,
  openUdpTransportOn,
  peerKey,
} from "./udp-transport.ts";

export { H248TimeoutError } from "./transactions.ts";
export type { H248Peer } from "./udp-transport.ts";

/** An error the MG answered with (an ErrorDescriptor at transaction, action or command level). */
export class H248ReplyError extends Error {
  constructor(
    readonly code: number,
    readonly text: string | undefined,
  ) {
    super(`MG answered error ${code}${text ? ` "${text}"` : ""}`);
    this.name = "H248ReplyError";
  }
}

export type MgcEvent =
  /** The MG registered (ServiceChange on ROOT, Restart/Disconnected/Failover/HandOff) and was answered. */
  | { type: "mg-registered"; mg: H248Peer; mId: MId; method: ServiceChangeMethod | undefined; reason?: string }
  /**
   * The MG registered again after it had been registered or unreachable: it may have lost contexts the node still
   * holds (or kept ones the node forgot); audit with auditContexts() and Subtract what is unknown.
   */
  | { type: "mg-returned"; mg: H248Peer; method: ServiceChangeMethod | undefined; wasUnreachable: boolean }
  /** A request to the MG got no reply after the bounded retries: the MG is taken as unreachable. */
  | { type: "mg-unreachable"; mg: H248Peer; transactionId: number }
  /** ServiceChange Forced/Graceful on ROOT: the whole MG goes out of service. */
  | { type: "mg-out-of-service"; mg: H248Peer; method: ServiceChangeMethod | undefined; reason?: string }
  /** ServiceChange (Forced/Graceful) on terminations: their bearers are lost. */
  | {
      type: "terminations-out-of-service";
      mg: H248Peer;
      contextId: ContextId;
      terminationIds: string[];
      method: ServiceChangeMethod | undefined;
      reason?: string;
    };

/** A Notify from the MG (ObservedEvents of one termination). */
export interface NotifyIndication {
  mg: H248Peer;
  transactionId: number;
  contextId: ContextId;
  terminationId: string;
  requestId: number;
  events: ObservedEvent[];
}

/** The handler's resolution is the Notify reply: nothing (success) or an ErrorDescriptor. */
export type NotifyHandler = (
  notify: NotifyIndication,
) => undefined | ErrorDescriptor | Promise<undefined | ErrorDescriptor>;

export interface AddTermination {
  /** "$" (the MG chooses, an ephemeral termination) or a physical termination id. */
  terminationId?: string;
  /** Arm events: Events = requestId { names } (default names: g/cause, so a bearer release is reported). */
  events?: { requestId: number; names?: string[] };
  localSdp?: string;
  remoteSdp?: string;
  mode?: StreamMode;
}

export interface AddResult {
  contextId: number;
  terminations: Array<{ terminationId: string; localSdp?: string }>;
}

export interface SubtractResult {
  terminationIds: string[];
  statistics: PropertyParm[];
}

export interface ContextAudit {
  contextId: number;
  terminationIds: string[];
}

export interface MgcOptions {
  /** Where to listen (default 0.0.0.0:2944). */
  address?: string;
  port?: number;
  /** Opens the socket (the node's UDP I/O thread); default: a socket on this thread, of bufferBytes. */
  socket?: DatagramSocketOpener;
  /** The kernel buffers of a socket on this thread (default the kernel's). */
  bufferBytes?: number;
  /** The MGC's mId in message headers (default [listen address]:port). */
  mId?: MId;
  version?: number;
  /** Short tokens on the wire (default true). */
  compact?: boolean;
  /** A fixed MG; otherwise the MG is the one that registered last. */
  mg?: H248Peer;
  timers?: Partial<TransactionTimers>;
  /**
   * The first TransactionId sent (default 1). An MGC that restarts on the same address should not start where it
   * started before: the MG still holds replies to those ids (at-most-once) and would answer new requests with them.
   */
  firstTransactionId?: number;
  /** Every message received and decoded (for logs and traces). */
  onMessage?: (from: H248Peer, message: Message) => void;
  /** A request was retransmitted (no reply yet). */
  onRetransmission?: (to: H248Peer, transactionId: number) => void;
  /** A datagram that is no H.248 text message (dropped, Annex D.1 gives no reply to garbage). */
  onMalformed?: (from: H248Peer, error: Error) => void;
  /** Every datagram's text as it is sent or received, with both ends (captures, HEP mirroring). */
  tap?: (direction: "sent" | "received", text: string, local: H248Peer, peer: H248Peer) => void;
}

/** The transport with every datagram shown to `tap` first. */
function tapped(inner: H248UdpTransport, tap: NonNullable<MgcOptions["tap"]>): H248UdpTransport {
  return {
    local: inner.local,
    ...(inner.buffers === undefined ? {} : { buffers: inner.buffers }),
    send(text, to) {
      tap("sent", text, inner.local, to);
      inner.send(text, to);
    },
    onMessage(handler) {
      inner.onMessage((text, from) => {
        tap("received", text, inner.local, from);
        handler(text, from);
      });
    },
    close: () => inner.close(),
  };
}

type MgState = { peer: H248Peer; mId: MId; state: "up" | "unreachable" | "out-of-service" };

export class MediaGatewayController {
  private readonly listeners = new Set<(e: MgcEvent) => void>();
  private notifyHandler: NotifyHandler = () => undefined;
  private readonly mgs = new Map<string, MgState>();
  private current: H248Peer | undefined;

  private constructor(
    private readonly transport: H248UdpTransport,
    readonly transactions: TransactionLayer,
    fixedMg: H248Peer | undefined,
    private readonly version: number,
  ) {
    this.current = fixedMg;
    transactions.onRequest((req, from) => this.handleRequest(req, from));
  }

  static async start(options: MgcOptions = {}): Promise<MediaGatewayController> {
    const address = options.address ?? "0.0.0.0";
    const port = options.port ?? H248_TEXT_PORT;
    const opened = options.socket
      ? await openUdpTransportOn(options.socket, address, port)
      : await openUdpTransport(address, port, options.bufferBytes);
    const transport = options.tap ? tapped(opened, options.tap) : opened;
    const local = transport.local;
    const mId: MId =
      options.mId ??
      (local.address.includes(":")
        ? { kind: "ip6", address: local.address, port: local.port }
        : { kind: "ip4", address: local.address === "0.0.0.0" ? "127.0.0.1" : local.address, port: local.port });
    let mgc: MediaGatewayController | undefined;
    const transactions = new TransactionLayer(transport, {
      mId,
      version: options.version ?? 1,
      compact: options.compact ?? true,
      timers: options.timers,
      ...(options.firstTransactionId === undefined ? {} : { firstTransactionId: options.firstTransactionId }),
      events: {
        timeout: (peer, id) => mgc?.markUnreachable(peer, id),
        received: options.onMessage,
        retransmitted: options.onRetransmission,
        malformed: options.onMalformed,
      },
    });
    mgc = new MediaGatewayController(transport, transactions, options.mg, options.version ?? 1);
    return mgc;
  }

  /** The UDP address the MGC listens on. */
  get local(): H248Peer {
    return this.transport.local;
  }

  /** The socket's buffers as the kernel reports them (where its opener tells them). */
  get buffers(): H248UdpTransport["buffers"] {
    return this.transport.buffers;
  }

  /** The MG requests go to: the fixed one, or the last that registered. */
  get mg(): H248Peer | undefined {
    return this.current;
  }

  on(listener: (e: MgcEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onNotify(handler: NotifyHandler): void {
    this.notifyHandler = handler;
  }

  /** Sends one transaction with these actions to the MG; rejects on timeout (H248TimeoutError). */
  async execute(actions: ActionRequest[], mg = this.current): Promise<TransactionReply> {
    if (mg === undefined) throw new Error("no MG has registered and none is configured");
    const reply = await this.transactions.request(mg, actions);
    if (reply.error !== undefined) throw new H248ReplyError(reply.error.code, reply.error.text);
    return reply;
  }

  /** Add terminations to a context ("$": a new one), each with its media and armed events. */
  async add(contextId: ContextId, terminations: AddTermination[]): Promise<AddResult> {
    const commands = terminations.map((t) => ({
      command: "Add" as const,
      terminationIds: [t.terminationId ?? "$"],
      descriptors: termDescriptors(t),
    }));
    const reply = await this.execute([{ contextId, properties: [], commands }]);
    const action = singleAction(reply);
    if (typeof action.contextId !== "number") throw new Error(`MG answered Add with context ${action.contextId}`);
    return {
      contextId: action.contextId,
      terminations: action.commands.map((c) => {
        const localSdp = localSdpOf(c.descriptors);
        return localSdp === undefined
          ? { terminationId: c.terminationIds[0] }
          : { terminationId: c.terminationIds[0], localSdp };
      }),
    };
  }

  /** Modify one termination (remote SDP, mode, events). */
  async modify(
    contextId: ContextId,
    terminationId: string,
    change: Omit<AddTermination, "terminationId">,
  ): Promise<void> {
    const reply = await this.execute([
      {
        contextId,
        properties: [],
        commands: [{ command: "Modify", terminationIds: [terminationId], descriptors: termDescriptors(change) }],
      },
    ]);
    singleAction(reply);
  }

  /**
   * Release Termination (TS 29.232): Subtract the termination from its context. `Audit{}` asks for no statistics
   * unless `statistics` is set.
   */
  async subtract(
    contextId: ContextId,
    terminationId: string,
    options: { statistics?: boolean } = {},
  ): Promise<SubtractResult> {
    const descriptors: Descriptor[] = options.statistics
      ? [{ kind: "audit", items: [{ kind: "token", token: "Statistics" }] }]
      : [{ kind: "audit", items: [] }];
    const reply = await this.execute([
      { contextId, properties: [], commands: [{ command: "Subtract", terminationIds: [terminationId], descriptors }] },
    ]);
    const action = singleAction(reply);
    const statistics = action.commands.flatMap((c) =>
      c.descriptors.flatMap((d) => (d.kind === "statistics" ? d.statistics : [])),
    );
    return { terminationIds: action.commands.flatMap((c) => c.terminationIds), statistics };
  }

  /** Every context the MG holds and its terminations: AuditValue of all terminations in all contexts. */
  async auditContexts(): Promise<ContextAudit[]> {
    const reply = await this.execute([
      {
        contextId: "*",
        properties: [],
        commands: [{ command: "AuditValue", terminationIds: ["*"], descriptors: [{ kind: "audit", items: [] }] }],
      },
    ]);
    const out: ContextAudit[] = [];
    for (const a of reply.actions) {
      if (a.error !== undefined) throw new H248ReplyError(a.error.code, a.error.text);
      if (typeof a.contextId !== "number" || a.contextId === 0) continue;
      out.push({ contextId: a.contextId, terminationIds: a.commands.flatMap((c) => c.terminationIds) });
    }
    return out;
  }

  async close(): Promise<void> {
    await this.transactions.close();
    await this.transport.close();
  }

  private emit(e: MgcEvent): void {
    for (const l of this.listeners) l(e);
  }

  private markUnreachable(peer: H248Peer, transactionId: number): void {
    const s = this.mgs.get(peerKey(peer));
    if (s?.state === "unreachable") return;
    if (s !== undefined) s.state = "unreachable";
    else this.mgs.set(peerKey(peer), { peer, mId: { kind: "ip4", address: peer.address }, state: "unreachable" });
    this.emit({ type: "mg-unreachable", mg: peer, transactionId });
  }

  private async handleRequest(req: TransactionRequest, from: H248Peer): Promise<ActionReply[] | ErrorDescriptor> {
    const replies: ActionReply[] = [];
    for (const action of req.actions) {
      const commands: CommandReply[] = [];
      let error: ErrorDescriptor | undefined;
      for (const cmd of action.commands) {
        if (cmd.command === "ServiceChange") {
          commands.push(this.serviceChange(action.contextId, cmd.terminationIds, cmd.descriptors, from));
        } else if (cmd.command === "Notify") {
          const result = await this.notify(
            action.contextId,
            cmd.terminationIds,
            cmd.descriptors,
            from,
            req.transactionId,
          );
          commands.push(
            result === undefined
              ? { command: "Notify", terminationIds: cmd.terminationIds, descriptors: [] }
              : { command: "Notify", terminationIds: cmd.terminationIds, descriptors: [result] },
          );
        } else {
          error = { kind: "error", code: 501, text: `${cmd.command} not implemented at the MGC` };
          break;
        }
      }
      replies.push(
        error === undefined
          ? { contextId: action.contextId, properties: [], commands }
          : { contextId: action.contextId, properties: [], commands, error },
      );
    }
    return replies;
  }

  private serviceChange(
    contextId: ContextId,
    terminationIds: string[],
    descriptors: Descriptor[],
    from: H248Peer,
  ): CommandReply {
    const services = descriptors.find((d) => d.kind === "services");
    const parms = services?.kind === "services" ? services.parms : [];
    let method: ServiceChangeMethod | undefined;
    let reason: string | undefined;
    let version: number | undefined;
    for (const p of parms) {
      if (p.kind === "method") method = p.method;
      else if (p.kind === "reason") reason = p.reason;
      else if (p.kind === "version") version = p.version;
    }
    const onRoot = terminationIds.length === 1 && terminationIds[0].toUpperCase() === "ROOT";
    if (onRoot) {
      if (method === "Forced" || method === "Graceful") {
        const s = this.mgs.get(peerKey(from));
        if (s !== undefined) s.state = "out-of-service";
        this.emit({ type: "mg-out-of-service", mg: from, method, ...(reason === undefined ? {} : { reason }) });
      } else {
        const known = this.mgs.get(peerKey(from));
        const mId: MId = { kind: "ip4", address: from.address, port: from.port };
        this.mgs.set(peerKey(from), { peer: from, mId, state: "up" });
        this.current = from;
        this.emit({ type: "mg-registered", mg: from, mId, method, ...(reason === undefined ? {} : { reason }) });
        if (known !== undefined)
          this.emit({ type: "mg-returned", mg: from, method, wasUnreachable: known.state === "unreachable" });
      }
    } else if (method === "Forced" || method === "Graceful") {
      this.emit({
        type: "terminations-out-of-service",
        mg: from,
        contextId,
        terminationIds,
        method,
        ...(reason === undefined ? {} : { reason }),
      });
    }
    // 11.3: the reply carries the ServiceChangeReply; Version only when the MG offered one
    return {
      command: "ServiceChange",
      terminationIds,
      descriptors:
        version === undefined
          ? []
          : [{ kind: "services", parms: [{ kind: "version", version: Math.min(version, this.version) }] }],
    };
  }

  private async notify(
    contextId: ContextId,
    terminationIds: string[],
    descriptors: Descriptor[],
    from: H248Peer,
    transactionId: number,
  ): Promise<ErrorDescriptor | undefined> {
    const observed = descriptors.find((d) => d.kind === "observedEvents");
    if (observed?.kind !== "observedEvents") return { kind: "error", code: 400, text: "Notify without ObservedEvents" };
    const s = this.mgs.get(peerKey(from));
    if (s?.state === "unreachable") s.state = "up";
    return (
      (await this.notifyHandler({
        mg: from,
        transactionId,
        contextId,
        terminationId: terminationIds[0],
        requestId: observed.requestId,
        events: observed.events,
      })) ?? undefined
    );
  }
}

/** The descriptors of an Add/Modify for one termination: Media (mode, Local, Remote) and Events. */
function termDescriptors(t: Omit<AddTermination, "terminationId">): Descriptor[] {
  const out: Descriptor[] = [];
  const parms: Array<Extract<Descriptor, { kind: "localControl" | "local" | "remote" }>> = [];
  if (t.mode !== undefined) parms.push({ kind: "localControl", items: [{ kind: "mode", mode: t.mode }] });
  if (t.localSdp !== undefined) parms.push({ kind: "local", sdp: t.localSdp });
  if (t.remoteSdp !== undefined) parms.push({ kind: "remote", sdp: t.remoteSdp });
  if (parms.length > 0) out.push({ kind: "media", items: [{ kind: "stream", streamId: 1, parms }] });
  if (t.events !== undefined)
    out.push({
      kind: "events",
      requestId: t.events.requestId,
      events: (t.events.names ?? ["g/cause"]).map((name) => ({ name, parameters: [] })),
    });
  return out;
}

function singleAction(reply: TransactionReply): ActionReply {
  const action = reply.actions[0];
  if (action === undefined) throw new Error(`MG reply ${reply.transactionId} holds no action`);
  if (action.error !== undefined) throw new H248ReplyError(action.error.code, action.error.text);
  for (const c of action.commands)
    for (const d of c.descriptors) if (d.kind === "error") throw new H248ReplyError(d.code, d.text);
  return action;
}

function localSdpOf(descriptors: Descriptor[]): string | undefined {
  for (const d of descriptors) {
    if (d.kind !== "media") continue;
    for (const item of d.items) {
      if (item.kind === "local") return item.sdp;
      if (item.kind === "stream") for (const p of item.parms) if (p.kind === "local") return p.sdp;
    }
  }
  return undefined;
}

/** Generalcause and Failurecause of an observed g/cause event (H.248.1 Annex E.1.2), when present. */
export function generalCauseOf(event: ObservedEvent): { generalCause?: string; failureCause?: string } | undefined {
  if (event.name.toLowerCase() !== "g/cause") return undefined;
  const out: { generalCause?: string; failureCause?: string } = {};
  for (const p of event.parameters) {
    if (p.kind !== "property" || p.value?.kind !== "equal") continue;
    const n = p.name.toLowerCase();
    if (n === "generalcause") out.generalCause = p.value.value;
    else if (n === "failurecause") out.failureCause = p.value.value;
  }
  return out;
}

export { H248TimeoutError as MgUnreachableError };
