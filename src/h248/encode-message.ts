// Encodes the message model as H.248 text (Annex B.2), with long tokens laid out one item a line ("pretty") or
// with short tokens and no white space ("compact", the form to send when octets matter).
import type {
  ActionReply,
  ActionRequest,
  CommandReply,
  CommandRequest,
  ContextAuditItem,
  ContextId,
  ContextProperty,
  Descriptor,
  DigitMapValue,
  Embed,
  EventParameter,
  MediaItem,
  Message,
  MId,
  ObservedEvent,
  PropertyParm,
  PropertyValue,
  RequestedEvent,
  ServiceChangeParm,
  SignalParameter,
  SignalParm,
  SignalRequest,
  StreamParm,
  Transaction,
} from "./model.ts";
import { isSafeChar } from "./text-cursor.ts";
import { tokenForm } from "./tokens.ts";

export interface EncodeOptions {
  /** Short tokens, no layout (default false: long tokens, one item a line). */
  compact?: boolean;
}

export function encodeMessage(message: Message, options: EncodeOptions = {}): string {
  return new TextWriter(options.compact === true, message.version).message(message);
}

/**
 * VALUE = quotedString / 1*(SafeChar): quoted only when it must be. A quotedString holds no DQUOTE (Annex B),
 * so a value with one cannot be written: that is the caller's error, not a message to send.
 */
export function encodeValue(v: string): string {
  if (v.length === 0) return '""';
  if (v.includes('"')) throw new Error(`H.248 VALUE ${JSON.stringify(v)}: a quotedString cannot hold a DQUOTE`);
  for (let i = 0; i < v.length; i++) if (!isSafeChar(v.charCodeAt(i))) return `"${v}"`;
  return v;
}

export function encodeMId(m: MId): string {
  switch (m.kind) {
    case "ip4":
      return `[${m.address}]${m.port === undefined ? "" : `:${m.port}`}`;
    case "ip6":
      return `[${m.address}]${m.port === undefined ? "" : `:${m.port}`}`;
    case "domain":
      return `<${m.name}>${m.port === undefined ? "" : `:${m.port}`}`;
    case "device":
      return m.name;
    case "mtp":
      return `MTP{${m.address}}`;
  }
}

function contextIdText(id: ContextId): string {
  return String(id);
}

/** Where a descriptor stands, as the decoder reads it (decode-descriptors.ts descriptorAfter). */
type DescriptorPlace = "amm" | "audit" | "reply";

class TextWriter {
  constructor(
    readonly compact: boolean,
    readonly version: number,
  ) {}

  t(long: string): string {
    // H.248.1 v2's ABNF spells this long token "EmergencyOffToken" (v3 corrected it); megaco's v2 parser insists.
    if (long === "EmergencyOff" && !this.compact && this.version < 3) return "EmergencyOffToken";
    return tokenForm(long, this.compact);
  }

  get eq(): string {
    return this.compact ? "=" : " = ";
  }

  /** LBRKT items RBRKT, laid out by depth in the long form. */
  block(items: string[], depth: number): string {
    if (this.compact) return `{${items.join(",")}}`;
    if (items.length === 0) return " { }";
    const inner = "\t".repeat(depth + 1);
    return ` {\n${inner}${items.join(`,\n${inner}`)}\n${"\t".repeat(depth)}}`;
  }

  message(m: Message): string {
    const head = `${this.compact ? "!" : "MEGACO"}/${m.version} ${encodeMId(m.mId)}\r\n`;
    if (m.body.kind === "error") return head + this.error(m.body.error, 0);
    // a Segment reply ends in a word, so the transaction after it needs white space between them
    const ts = m.body.transactions;
    return (
      head +
      ts
        .map(
          (t, i) =>
            this.transaction(t) + (i < ts.length - 1 && (t.kind === "segmentReply" || !this.compact) ? "\n" : ""),
        )
        .join("")
    );
  }

  transaction(t: Transaction): string {
    switch (t.kind) {
      case "request":
        return (
          this.t("Transaction") +
          this.eq +
          t.transactionId +
          this.block(
            t.actions.map((a) => this.actionRequest(a, 1)),
            0,
          )
        );
      case "reply": {
        let id = String(t.transactionId);
        if (t.segmentNumber !== undefined) id += `/${t.segmentNumber}`;
        if (t.segmentationComplete) id += `/${this.t("END")}`;
        const items: string[] = [];
        if (t.immAckRequired) items.push(this.t("ImmAckRequired"));
        if (t.error !== undefined) items.push(this.error(t.error, 1));
        else for (const a of t.actions) items.push(this.actionReply(a, 1));
        return this.t("Reply") + this.eq + id + this.block(items, 0);
      }
      case "pending":
        return this.t("Pending") + this.eq + t.transactionId + (this.compact ? "{}" : " { }");
      case "responseAck":
        return (
          this.t("TransactionResponseAck") +
          this.block(
            t.ranges.map((r) => (r.last === undefined ? String(r.first) : `${r.first}-${r.last}`)),
            0,
          )
        );
      case "segmentReply":
        return (
          this.t("Segment") +
          this.eq +
          `${t.transactionId}/${t.segmentNumber}` +
          (t.segmentationComplete ? `/${this.t("END")}` : "")
        );
    }
  }

  actionRequest(a: ActionRequest, depth: number): string {
    const items = a.properties.map((p) => this.contextProperty(p, depth + 1));
    if (a.audit !== undefined) items.push(this.contextAudit(a.audit, depth + 1));
    for (const c of a.commands) items.push(this.commandRequest(c, depth + 1));
    return this.t("Context") + this.eq + contextIdText(a.contextId) + this.block(items, depth);
  }

  actionReply(a: ActionReply, depth: number): string {
    const items = a.properties.map((p) => this.contextProperty(p, depth + 1));
    for (const c of a.commands) items.push(this.commandReply(c, depth + 1));
    if (a.error !== undefined) items.push(this.error(a.error, depth + 1));
    return this.t("Context") + this.eq + contextIdText(a.contextId) + this.block(items, depth);
  }

  contextProperty(p: ContextProperty, depth: number): string {
    switch (p.kind) {
      case "topology":
        return (
          this.t("Topology") +
          this.block(
            p.triples.flatMap((x) => [
              x.from,
              x.to,
              this.t(x.direction),
              ...(x.extension === undefined ? [] : [this.t(x.extension)]),
            ]),
            depth,
          )
        );
      case "priority":
        return this.t("Priority") + this.eq + p.priority;
      case "emergency":
        return this.t("Emergency");
      case "emergencyOff":
        return this.t("EmergencyOff");
      case "iepsCall":
        return this.t("IEPSCall") + this.eq + (p.on ? "ON" : "OFF");
      case "contextAttr":
        return (
          this.t("ContextAttr") +
          this.block(
            p.items.map((i) =>
              i.kind === "contextList"
                ? this.t("ContextList") + this.eq + this.block(i.contextIds.map(String), depth + 1)
                : this.property(i),
            ),
            depth,
          )
        );
    }
  }

  contextAudit(items: ContextAuditItem[], depth: number): string {
    return (
      this.t("ContextAudit") +
      this.block(
        items.map((i): string => {
          switch (i.kind) {
            case "token":
              return this.t(i.token);
            case "property":
              return i.name;
            case "priority":
              return this.t("Priority") + this.eq + i.priority;
            case "emergencyValue":
              return this.t("EmergencyValue") + this.eq + this.t(i.value);
            case "iepsCall":
              return this.t("IEPSCall") + this.eq + (i.on ? "ON" : "OFF");
            default:
              return i.logic === "and" ? "ANDLgc" : "ORLgc";
          }
        }),
        depth,
      )
    );
  }

  terminationIds(ids: string[], depth: number): string {
    if (ids.length === 1) return ids[0];
    if (this.compact) return `[${ids.join(",")}]`;
    const inner = "\t".repeat(depth + 1);
    return ` [\n${inner}${ids.join(`,\n${inner}`)}\n${"\t".repeat(depth)}]`;
  }

  commandRequest(c: CommandRequest, depth: number): string {
    const prefix = (c.optional ? "O-" : "") + (c.wildcardReply ? "W-" : "");
    const head = prefix + this.t(c.command) + this.eq + this.terminationIds(c.terminationIds, depth);
    if (c.descriptors.length === 0) return head;
    return head + this.block(this.descriptors(c.descriptors, depth + 1, "amm"), depth);
  }

  commandReply(c: CommandReply, depth: number): string {
    const head = this.t(c.command) + this.eq + this.terminationIds(c.terminationIds, depth);
    if (c.descriptors.length === 0) return head;
    return head + this.block(this.descriptors(c.descriptors, depth + 1, "reply"), depth);
  }

  descriptors(ds: Descriptor[], depth: number, where: DescriptorPlace): string[] {
    return ds.map((d) => this.descriptor(d, depth, where));
  }

  descriptor(d: Descriptor, depth: number, where: DescriptorPlace): string {
    switch (d.kind) {
      case "token":
        return this.t(d.token);
      case "media":
        return (
          this.t("Media") +
          this.block(
            d.items.map((i) => this.mediaItem(i, depth + 1)),
            depth,
          )
        );
      case "localControl":
      case "local":
      case "remote":
      case "statistics":
        return this.streamParm(d, depth);
      case "terminationState":
        return this.mediaItem(d, depth);
      case "events":
        return this.events(d, depth);
      case "signals":
        // In an audit or a reply a bare "Signals" is the audit token: an empty descriptor there needs its braces.
        if (d.signals.length === 0 && where !== "amm") return this.t("Signals") + (this.compact ? "{}" : " { }");
        return this.signals(d.signals, depth);
      case "digitMap":
        return this.digitMap(d.name, d.value, depth);
      case "eventBuffer":
        return (
          this.t("EventBuffer") +
          (d.events.length === 0
            ? ""
            : this.block(
                d.events.map((e) => this.requestedEvent(e, depth + 1)),
                depth,
              ))
        );
      case "observedEvents":
        return (
          this.t("ObservedEvents") +
          this.eq +
          d.requestId +
          this.block(
            d.events.map((e) => this.observedEvent(e, depth + 1)),
            depth,
          )
        );
      case "packages":
        return (
          this.t("Packages") +
          this.block(
            d.packages.map((p) => `${p.name}-${p.version}`),
            depth,
          )
        );
      case "error":
        return this.error(d, depth);
      case "audit":
        return (
          this.t("Audit") +
          (d.items.length === 0
            ? this.compact
              ? "{}"
              : " { }"
            : this.block(this.descriptors(d.items, depth + 1, "audit"), depth))
        );
      case "services":
        return (
          this.t("Services") +
          this.block(
            d.parms.map((p) => this.serviceChangeParm(p)),
            depth,
          )
        );
    }
  }

  error(e: { code: number; text?: string }, _depth: number): string {
    const body =
      e.text === undefined ? (this.compact ? "{}" : " { }") : this.compact ? `{"${e.text}"}` : ` { "${e.text}" }`;
    return this.t("Error") + this.eq + e.code + body;
  }

  mediaItem(i: MediaItem, depth: number): string {
    switch (i.kind) {
      case "stream":
        return (
          this.t("Stream") +
          this.eq +
          i.streamId +
          this.block(
            i.parms.map((p) => this.streamParm(p, depth + 1)),
            depth,
          )
        );
      case "terminationState":
        return (
          this.t("TerminationState") +
          this.block(
            i.items.map((x) => {
              if (x.kind === "serviceStates")
                return this.t("ServiceStates") + (x.state === undefined ? "" : this.eq + this.t(x.state));
              if (x.kind === "buffer")
                return this.t("Buffer") + (x.control === undefined ? "" : this.eq + this.t(x.control));
              return this.property(x);
            }),
            depth,
          )
        );
      default:
        return this.streamParm(i, depth);
    }
  }

  streamParm(p: StreamParm, depth: number): string {
    switch (p.kind) {
      case "localControl":
        return (
          this.t("LocalControl") +
          this.block(
            p.items.map((x) => {
              if (x.kind === "mode") return this.t("Mode") + (x.mode === undefined ? "" : this.eq + this.t(x.mode));
              if (x.kind === "reservedValue" || x.kind === "reservedGroup")
                return (
                  this.t(x.kind === "reservedValue" ? "ReservedValue" : "ReservedGroup") +
                  (x.on === undefined ? "" : this.eq + (x.on ? "ON" : "OFF"))
                );
              return this.property(x);
            }),
            depth,
          )
        );
      case "local":
      case "remote": {
        // octetString: a "}" inside the SDP is escaped as "\}"
        const sdp = p.sdp.replaceAll("}", "\\}");
        const open = this.compact ? "{" : " {";
        const close = this.compact ? "}" : `${"\t".repeat(depth)}}`;
        return this.t(p.kind === "local" ? "Local" : "Remote") + `${open}\r\n${sdp}${close}`;
      }
      case "statistics":
        return (
          this.t("Statistics") +
          this.block(
            p.statistics.map((s) => this.property(s)),
            depth,
          )
        );
    }
  }

  property(p: PropertyParm): string {
    return p.name + (p.value === undefined ? "" : this.propertyValue(p.value));
  }

  propertyValue(v: PropertyValue): string {
    switch (v.kind) {
      case "equal":
        return `=${encodeValue(v.value)}`;
      case "inequal":
        return `${v.op}${encodeValue(v.value)}`;
      case "all":
        return `=[${v.values.map(encodeValue).join(",")}]`;
      case "oneOf":
        return `={${v.values.map(encodeValue).join(",")}}`;
      case "range":
        return `=[${encodeValue(v.low)}:${encodeValue(v.high)}]`;
    }
  }

  events(d: { requestId?: number; events: RequestedEvent[] }, depth: number): string {
    if (d.requestId === undefined) return this.t("Events");
    return (
      this.t("Events") +
      this.eq +
      d.requestId +
      this.block(
        d.events.map((e) => this.requestedEvent(e, depth + 1)),
        depth,
      )
    );
  }

  requestedEvent(e: RequestedEvent, depth: number): string {
    if (e.parameters.length === 0) return e.name;
    return (
      e.name +
      this.block(
        e.parameters.map((p) => this.eventParameter(p, depth + 1)),
        depth,
      )
    );
  }

  eventParameter(p: EventParameter, depth: number): string {
    switch (p.kind) {
      case "stream":
        return this.t("Stream") + this.eq + p.streamId;
      case "keepActive":
        return this.t("KeepActive");
      case "digitMap":
        return this.digitMap(p.name, p.value, depth);
      case "embed":
        return this.embed(p, depth);
      case "notifyBehaviour":
        return this.t(p.behaviour) + (p.embed === undefined ? "" : this.block([this.embed(p.embed, depth + 1)], depth));
      case "resetEventsDescriptor":
        return this.t("ResetEventsDescriptor");
      case "property":
        return this.property(p);
    }
  }

  embed(e: Embed, depth: number): string {
    const items: string[] = [];
    if (e.signals !== undefined) items.push(this.signals(e.signals.signals, depth + 1));
    if (e.events !== undefined) items.push(this.events(e.events, depth + 1));
    return this.t("Embed") + this.block(items, depth);
  }

  signals(signals: SignalParm[], depth: number): string {
    if (signals.length === 0) return this.t("Signals");
    return (
      this.t("Signals") +
      this.block(
        signals.map((s) =>
          s.kind === "signal"
            ? this.signalRequest(s, depth + 1)
            : this.t("SignalList") +
              this.eq +
              s.listId +
              this.block(
                s.signals.map((x) => this.signalRequest(x, depth + 2)),
                depth + 1,
              ),
        ),
        depth,
      )
    );
  }

  signalRequest(s: SignalRequest, depth: number): string {
    if (s.parameters.length === 0) return s.name;
    return (
      s.name +
      this.block(
        s.parameters.map((p) => this.signalParameter(p, depth + 1)),
        depth,
      )
    );
  }

  signalParameter(p: SignalParameter, depth: number): string {
    switch (p.kind) {
      case "stream":
        return this.t("Stream") + this.eq + p.streamId;
      case "signalType":
        return this.t("SignalType") + this.eq + this.t(p.type);
      case "duration":
        return this.t("Duration") + this.eq + p.duration;
      case "notifyCompletion":
        return (
          this.t("NotifyCompletion") +
          this.eq +
          this.block(
            p.reasons.map((r) => this.t(r)),
            depth,
          ).trimStart()
        );
      case "keepActive":
        return this.t("KeepActive");
      case "direction":
        return this.t("SPADirection") + this.eq + this.t(p.direction);
      case "requestId":
        return this.t("SPARequestID") + this.eq + p.requestId;
      case "intersignalDelay":
        return this.t("Intersignal") + this.eq + p.delay;
      case "property":
        return this.property(p);
    }
  }

  digitMap(name: string | undefined, value: DigitMapValue | undefined, depth: number): string {
    let out = this.t("DigitMap") + this.eq.trimEnd();
    if (name !== undefined) out += (this.compact ? "" : " ") + name;
    if (value === undefined) return out;
    const items: string[] = [];
    if (value.start !== undefined) items.push(`T:${value.start}`);
    if (value.short !== undefined) items.push(`S:${value.short}`);
    if (value.long !== undefined) items.push(`L:${value.long}`);
    if (value.duration !== undefined) items.push(`Z:${value.duration}`);
    items.push(value.body);
    const b = this.block(items, depth);
    return out + (name === undefined ? b.trimStart() : b);
  }

  observedEvent(e: ObservedEvent, depth: number): string {
    const head = (e.timestamp === undefined ? "" : `${e.timestamp}:`) + e.name;
    if (e.parameters.length === 0) return head;
    return (
      head +
      this.block(
        e.parameters.map((p) => (p.kind === "stream" ? this.t("Stream") + this.eq + p.streamId : this.property(p))),
        depth,
      )
    );
  }

  serviceChangeParm(p: ServiceChangeParm): string {
    switch (p.kind) {
      case "method":
        return this.t("Method") + this.eq + this.t(p.method);
      case "reason":
        return this.t("Reason") + this.eq + encodeValue(p.reason);
      case "delay":
        return this.t("Delay") + this.eq + p.delay;
      case "address":
        return (
          this.t("ServiceChangeAddress") +
          this.eq +
          (typeof p.address === "number" ? String(p.address) : encodeMId(p.address))
        );
      case "profile":
        return this.t("Profile") + this.eq + p.profile;
      case "version":
        return this.t("Version") + this.eq + p.version;
      case "mgcId":
        return this.t("MgcIdToTry") + this.eq + encodeMId(p.mId);
      case "timestamp":
        return p.timestamp;
      case "incomplete":
        return this.t("ServiceChangeInc");
      case "property":
        return this.property(p);
    }
  }
}
