// The S-CSCF role on the proxy core: it Record-Routes itself, routes loosely (Route, else a registered contact
// of the served user, else the Request-URI), hands an initial INVITE to the application servers of its session
// case, and learns from what passes the dialog state TS 24.229 §5.4.5.1.2 reads (INVITE, 2xx, in-dialog
// requests). The top Route's `orig` says it serves the calling user; otherwise the called user.
import type { DialogRecord, NodeConfig, Party } from "../../../generated/types/index.ts";
import { contactBoundToGruu, gruuKind } from "../../rules/gruu.ts";
import {
  callIdOf,
  contacts,
  cseqOf,
  headerValue,
  headerValues,
  makeHeader,
  paramOf,
  recordRoutes,
  routes,
  sessionExpiresOf,
  setHeader,
  shiftListValue,
  tagOf,
  toOf,
  vias,
} from "../../sip/messages/header-access.ts";
import {
  isSipUri,
  type NameAddr,
  type Param,
  type SipRequest,
  type SipResponse,
  type SipUri,
  type Uri,
} from "../../sip/messages/message.ts";
import { formatNameAddr } from "../../sip/messages/name-addr.ts";
import { reasonPhrase } from "../../sip/messages/reason-phrases.ts";
import { formatUri, parseUri, sentByUri, uriParam } from "../../sip/messages/uri.ts";
import type { ForwardTarget, ProxyDecision, ProxyHooks, RouteContext } from "../../sip/proxy/proxy-core.ts";
import type { ServerTransaction } from "../../sip/transactions/server-transaction.ts";
import { destinationOf, literalDestination, nextHopUri } from "../../sip/transport/next-hop.ts";
import type { Destination, Flow, TransportName } from "../../sip/transport/transport.ts";
import { ownStrings } from "../../store/own-strings.ts";
import type { AddressFilter } from "../address-filter.ts";
import type { NodeShell } from "../node-shell.ts";
import type { DialogRecords } from "./dialog-records.ts";
import { confirmedDialog, directionOf, earlyDialog, withRequestCSeq } from "./dialog-tracking.ts";
import type { OwnIdentity } from "./own-identity.ts";
import { aorOfUri } from "./party-identity.ts";
import { handleRegister } from "./register-handler.ts";
import type { Registrar } from "./registrar.ts";
import type { ScscfReleases } from "./releases.ts";
import type { SessionTimers } from "./session-timers.ts";

export interface ScscfProxyDeps {
  shell: NodeShell;
  dialogs: DialogRecords;
  registrar: Registrar;
  own: OwnIdentity;
  config: NonNullable<NodeConfig["scscf"]>;
  pendingInvites: Map<string, ServerTransaction>;
  sessionTimers: SessionTimers;
  trusted: AddressFilter;
  registrarTrusted: AddressFilter;
  now: () => number;
}

const respond = (status: number, warning?: string): ProxyDecision => ({
  action: "respond",
  status,
  reason: reasonPhrase(status),
  ...(warning ? { headers: [["Warning", `399 cleardown "${warning.replace(/["\\\r\n]/g, "")}"`]] } : {}),
});

const familyOf = (flow: Flow): 4 | 6 => (flow.remote.address.includes(":") ? 6 : 4);

/** `orig` marks the originating session case, as a URI parameter of the Route (or, leniently, a header one). */
function servedUserOf(routed: RouteContext): Party {
  const r = routed.ownRoute;
  if (!r) return "called";
  const inUri = isSipUri(r.uri) && uriParam(r.uri, "orig") !== undefined;
  return inUri || paramOf(r.params, "orig") !== undefined ? "calling" : "called";
}

/** How many application servers of this session case have been passed (our Route back carries it as `odi`). */
function asPassed(routed: RouteContext): number {
  const r = routed.ownRoute;
  const v = r && isSipUri(r.uri) ? uriParam(r.uri, "odi") : undefined;
  return typeof v === "string" && /^\d{1,3}$/.test(v) ? Number(v) : 0;
}

export class ScscfProxy implements ProxyHooks {
  releases!: ScscfReleases;

  constructor(private readonly deps: ScscfProxyDeps) {}

  private get log() {
    return this.deps.shell.log;
  }

  async onRequest(
    req: SipRequest,
    tx: ServerTransaction | undefined,
    flow: Flow,
    routed: RouteContext,
  ): Promise<ProxyDecision> {
    if (req.method !== "ACK" && !this.deps.trusted.allows(flow.remote.address))
      return respond(403, `${flow.remote.address} is not a trusted peer`);
    if (req.method === "REGISTER") {
      if (!this.deps.registrarTrusted.allows(flow.remote.address))
        return respond(403, "REGISTER is accepted from trusted addresses only");
      return handleRegister(req, this.deps.registrar);
    }
    // OPTIONS addressed to this S-CSCF itself (a peer's keepalive ping, RFC 3261 §11): answered here.
    if (req.method === "OPTIONS" && routes(req).length === 0 && isSipUri(req.uri) && this.deps.own.isOwn(req.uri))
      return {
        action: "respond",
        status: 200,
        reason: "OK",
        headers: [
          ["Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, UPDATE, INFO, PRACK"],
          ["Supported", "gruu, path, timer"],
        ],
      };
    if (tagOf(toOf(req)) !== undefined) return this.inDialog(req);
    if (req.method === "INVITE" && tx) return this.initialInvite(req, tx, flow, routed);
    return this.towards(req, servedUserOf(routed));
  }

  onRejected(req: SipRequest, status: number, why: string): void {
    this.log.info({ method: req.method, callId: callIdOf(req), status, why }, "request rejected");
  }

  // ---- routing ----

  /** Where an out-of-dialog request goes: its Route, else the served called user's contact, else the R-URI. */
  private async towards(req: SipRequest, served: Party): Promise<ProxyDecision> {
    if (routes(req).length === 0 && served === "called") {
      const contact = await this.registeredContact(req.uri);
      if (contact) return this.forwardTo(contact, { uri: contact });
    }
    return this.forwardTo(nextHopUri(req), {});
  }

  private async forwardTo(uri: Uri, extra: Partial<ForwardTarget>): Promise<ProxyDecision> {
    try {
      return { action: "forward", target: { destination: await destinationOf(uri), ...extra } };
    } catch (err) {
      return respond(isSipUri(uri) ? 503 : 416, `no route to ${formatUri(uri)}: ${(err as Error).message}`);
    }
  }

  /** The contact registered for the Request-URI's user (RFC 3261 §10), or the one bound to a GRUU (RFC 5627). */
  private async registeredContact(uri: Uri): Promise<Uri | undefined> {
    if (!isSipUri(uri)) return undefined;
    const aor = aorOfUri(uri);
    let contact: string | undefined;
    if (gruuKind(formatUri(uri)) !== "none") {
      const bindings = await this.deps.registrar.bindingsForGruu(formatUri(uri));
      contact = contactBoundToGruu(formatUri(uri), bindings);
    } else {
      contact = (await this.deps.registrar.contactsOf(aor))[0];
    }
    if (!contact) return undefined;
    const parsed = parseUri(contact);
    return parsed.ok ? parsed.uri : undefined;
  }

  /** Record-Route entries for a request forwarded from `flow` over `out` (two when the transport changes). */
  private recordRoute(flow: Flow, out: TransportName): NameAddr[] {
    const own = this.deps.own;
    const family = familyOf(flow);
    return flow.transport === out
      ? [own.entry(out, family)]
      : [own.entry(out, family), own.entry(flow.transport, family)];
  }

  // ---- the initial INVITE ----

  private async initialInvite(
    req: SipRequest,
    tx: ServerTransaction,
    flow: Flow,
    routed: RouteContext,
  ): Promise<ProxyDecision> {
    const served = servedUserOf(routed);
    const passed = asPassed(routed);
    const ases = (this.deps.config.applicationServers ?? []).filter(
      (a) => a.sessionCase === (served === "calling" ? "originating" : "terminating"),
    );
    this.askForSessionTimer(req);
    let decision: ProxyDecision;
    if (passed < ases.length) {
      // Service control: to the AS, with a Route back to this S-CSCF saying how far the chain has come.
      const as = parseUri(ases[passed].uri);
      if (!as.ok || !isSipUri(as.uri)) return respond(500, `application server URI ${ases[passed].uri} is invalid`);
      const lr: Param = ["lr", null];
      const asUri: SipUri =
        uriParam(as.uri, "lr") === undefined ? { ...as.uri, params: [...as.uri.params, lr] } : as.uri;
      const dest = await destinationOf(asUri).catch(() => undefined);
      if (!dest) return respond(503, `application server ${ases[passed].uri} cannot be resolved`);
      const back = this.deps.own.entry(dest.transport, familyOf(flow), [
        ...(served === "calling" ? ([["orig", null]] as Array<[string, null]>) : []),
        ["odi", String(passed + 1)],
      ]);
      decision = {
        action: "forward",
        target: {
          destination: dest,
          pushRoutes: [{ displayName: null, uri: asUri, params: [] }, back],
          recordRoute: this.recordRoute(flow, dest.transport),
        },
      };
    } else {
      decision = await this.towards(req, served);
      if (decision.action === "forward")
        decision.target.recordRoute = this.recordRoute(flow, decision.target.destination.transport);
    }
    if (decision.action === "forward") await this.learnInvite(req, tx, served, decision.target);
    return decision;
  }

  /** The early dialog, from the INVITE as forwarded (own Record-Route included); first pass only. */
  private async learnInvite(req: SipRequest, tx: ServerTransaction, served: Party, target: ForwardTarget) {
    const callId = callIdOf(req)!;
    const contact = contacts(req);
    const rr = target.recordRoute
      ? Array.isArray(target.recordRoute)
        ? target.recordRoute
        : [target.recordRoute]
      : [];
    const dialog = earlyDialog(
      {
        callId,
        from: headerValue(req, "From") ?? "",
        to: headerValue(req, "To") ?? "",
        contact: contact !== "*" && contact[0] ? formatUri(contact[0].uri) : "",
        cseq: cseqOf(req)?.seq ?? 0,
        recordRoute: [...rr.map(formatNameAddr), ...recordRoutes(req).map(formatNameAddr)],
        servedUser: served,
      },
      (v) => this.deps.own.isOwnValue(v),
    );
    await this.deps.dialogs.createEarly(dialog);
    if (!this.deps.pendingInvites.has(callId)) {
      this.deps.pendingInvites.set(callId, tx);
      const previous = tx.onTerminated;
      tx.onTerminated = () => {
        previous();
        if (this.deps.pendingInvites.get(callId) === tx) this.deps.pendingInvites.delete(callId);
      };
    }
  }

  /** RFC 4028 §8.1: a proxy may ask for a session timer, or lower a larger one (not below Min-SE). */
  private askForSessionTimer(req: SipRequest): void {
    const wanted = this.deps.config.sessionTimer;
    if (!wanted) return;
    const se = sessionExpiresOf(req);
    const minSe = Number.parseInt(headerValue(req, "Min-SE") ?? "90", 10) || 90;
    if (!se) setHeader(req, makeHeader("Session-Expires", String(Math.max(wanted, minSe))));
    else if (se.deltaSeconds > wanted) {
      const params = se.params.map(([n, v]) => (v === null ? `;${n}` : `;${n}=${v}`)).join("");
      setHeader(req, makeHeader("Session-Expires", `${Math.max(wanted, minSe)}${params}`));
    }
  }

  // ---- in-dialog requests ----

  private async inDialog(req: SipRequest): Promise<ProxyDecision> {
    const callId = callIdOf(req)!;
    const record = await this.deps.dialogs.get(callId);
    if (record && req.method !== "ACK" && !this.isOwnReleaseBye(req, record)) {
      if (record.dialog.state === "releasing") {
        const plans = await this.releases.inDialogRequest(callId, req.method);
        const answer = plans.find((p) => p.kind === "sip-response");
        if (answer?.kind === "sip-response") {
          return {
            action: "respond",
            status: answer.status.value,
            reason: reasonPhrase(answer.status.value),
            headers: answer.headers.map((h) => [h.name, h.value] as [string, string]),
          };
        }
      }
      const from = headerValue(req, "From") ?? "";
      const seq = cseqOf(req)?.seq;
      if (seq !== undefined) await this.deps.dialogs.updateDialog(callId, (d) => withRequestCSeq(d, from, seq));
    }
    return this.inDialogTarget(req);
  }

  /**
   * Where an in-dialog request goes from here: its Route; with none left, the contact bound to a GRUU in the
   * Request-URI (this S-CSCF is the GRUU's home, RFC 5627 §3.4), else the Request-URI.
   */
  private async inDialogTarget(req: SipRequest): Promise<ProxyDecision> {
    if (routes(req).length === 0 && gruuKind(formatUri(req.uri)) !== "none") {
      const contact = await this.registeredContact(req.uri);
      if (contact) return this.forwardTo(contact, { uri: contact });
    }
    return this.forwardTo(nextHopUri(req), {});
  }

  /**
   * Internal service control (24.229 §5.4.5.1.2 items 1.i and 4.i): a request the S-CSCF treats as received
   * from the served user takes the in-dialog path a party's request takes here: Route processing, then on
   * along the stored route (through the application servers that record-routed the dialog).
   */
  serviceControl(req: SipRequest): Destination | Promise<Destination> {
    const top = routes(req)[0];
    if (top && isSipUri(top.uri) && this.deps.own.isOwn(top.uri)) shiftListValue(req, "Route");
    // Most next hops are a remaining Route or a Request-URI with an IP address: answered at once. A GRUU
    // without a Route is looked up in the registrar, a name resolved.
    if (routes(req).length > 0 || gruuKind(formatUri(req.uri)) === "none") {
      const literal = literalDestination(nextHopUri(req));
      if (literal) return literal;
    }
    return this.inDialogDestination(req);
  }

  private async inDialogDestination(req: SipRequest): Promise<Destination> {
    const decision = await this.inDialogTarget(req);
    if (decision.action !== "forward") throw new Error(`service control: ${decision.status} ${decision.reason}`);
    if (decision.target.uri) req.uri = decision.target.uri;
    return decision.target.destination;
  }

  /** A BYE of this S-CSCF's own release coming back through an AS on its stored route: not a party's BYE. */
  private isOwnReleaseBye(req: SipRequest, record: DialogRecord): boolean {
    if (req.method !== "BYE" || record.dialog.state !== "releasing") return false;
    const from = headerValue(req, "From") ?? "";
    const seq = cseqOf(req)?.seq;
    const { release } = record.dialog;
    const ours =
      directionOf(record.dialog, from) === "calling-to-called" ? release.byeCSeqToCalled : release.byeCSeqToCalling;
    if (ours === undefined) return false;
    const viaOurs = vias(req).some((v) => this.deps.own.isOwn(sentByUri(v)));
    return seq === ours && viaOurs;
  }

  // ---- responses ----

  onResponse(res: SipResponse, forwarded: SipRequest): void {
    const callId = callIdOf(res);
    const cseq = cseqOf(res);
    if (!callId || !cseq) return;
    const initial = cseq.method === "INVITE" && tagOf(toOf(forwarded)) === undefined;
    const learn = (p: Promise<unknown>) =>
      p.catch((err) => this.log.error({ callId, err: (err as Error).message }, "dialog state not updated"));
    if (initial) {
      if (res.status >= 200 && res.status < 300) {
        this.grantSessionTimer(res, forwarded);
        learn(this.confirm(callId, res));
      } else if (res.status >= 300) {
        // No dialog: the early one (released or not) ends with the INVITE's failure.
        learn(this.deps.dialogs.update(callId, (cur) => (cur && cur.dialog.state !== "confirmed" ? undefined : cur)));
      }
      return;
    }
    if (res.status < 200 || res.status >= 300) return;
    if (cseq.method === "BYE") learn(this.byeAnswered(callId, forwarded));
    else if (cseq.method === "INVITE" || cseq.method === "UPDATE") learn(this.refreshed(callId, res, forwarded));
  }

  /** RFC 4028 §8.2: the UAS did not take the timer but the UAC supports it: the proxy asks the UAC to refresh. */
  private grantSessionTimer(res: SipResponse, forwarded: SipRequest): void {
    const wanted = sessionExpiresOf(forwarded);
    if (!this.deps.config.sessionTimer || !wanted || sessionExpiresOf(res)) return;
    const uacTimer = headerValues(forwarded, "Supported").some((v) => /(^|,)\s*timer\s*(,|$)/i.test(v));
    if (!uacTimer) return;
    res.headers.push(makeHeader("Session-Expires", `${wanted.deltaSeconds};refresher=uac`));
    res.headers.push(makeHeader("Require", "timer"));
  }

  private sessionOf(res: SipResponse): DialogRecord["sessionExpires"] | undefined {
    if (!this.deps.config.sessionTimer) return undefined;
    const se = sessionExpiresOf(res);
    if (!se) return undefined;
    const refresher = paramOf(se.params, "refresher") === "uas" ? "uas" : "uac";
    return { interval: se.deltaSeconds, refresher, expiresAt: this.deps.now() + se.deltaSeconds * 1000 };
  }

  private async confirm(callId: string, res: SipResponse): Promise<void> {
    const contact = contacts(res);
    const ok = {
      to: headerValue(res, "To") ?? "",
      contact: contact !== "*" && contact[0] ? formatUri(contact[0].uri) : "",
      recordRoute: recordRoutes(res).map(formatNameAddr),
    };
    const sessionExpires = this.sessionOf(res);
    // What the 2xx says is learnt (an early dialog is confirmed by it); the rules decide on the event, so a 2xx
    // crossing a release (x-24.229:5.4.5.1.2/2xx-crossing-release) is theirs to handle.
    const after = await this.releases.inviteAnswered(callId, (cur) => {
      if (cur.dialog.state === "confirmed" || cur.dialog.calledContact !== "") return cur;
      const learnt = confirmedDialog(cur.dialog, ok, (v) => this.deps.own.isOwnValue(v));
      const dialog = cur.dialog.state === "early" ? learnt : { ...learnt, state: cur.dialog.state };
      return { ...cur, dialog, ...(sessionExpires ? { sessionExpires } : {}) };
    });
    if (after?.sessionExpires) this.deps.sessionTimers.arm(callId, after.sessionExpires);
  }

  /** §5.4.5.2: a BYE of a party answered 2xx ends the dialog. */
  private async byeAnswered(callId: string, bye: SipRequest): Promise<void> {
    const record = await this.deps.dialogs.get(callId);
    if (!record || this.isOwnReleaseBye(bye, record)) return;
    await this.deps.dialogs.delete(callId);
    this.deps.sessionTimers.disarm(callId);
    this.log.info({ callId }, "dialog ended by a BYE of a party (24.229 §5.4.5.2)");
  }

  /** A 2xx to a re-INVITE or UPDATE: target refresh of both parties' contacts, and a session refresh. */
  private async refreshed(callId: string, res: SipResponse, req: SipRequest): Promise<void> {
    const reqContact = contacts(req);
    const resContact = contacts(res);
    const sessionExpires = this.sessionOf(res);
    const from = headerValue(req, "From") ?? "";
    const after = await this.deps.dialogs.update(callId, (cur) => {
      if (cur?.dialog.state !== "confirmed") return cur;
      const callingSent = directionOf(cur.dialog, from) === "calling-to-called";
      const sender = reqContact !== "*" && reqContact[0] ? formatUri(reqContact[0].uri) : undefined;
      const responder = resContact !== "*" && resContact[0] ? formatUri(resContact[0].uri) : undefined;
      const callingContact = ownStrings((callingSent ? sender : responder) ?? cur.dialog.callingContact);
      const calledContact = ownStrings((callingSent ? responder : sender) ?? cur.dialog.calledContact);
      return {
        ...cur,
        dialog: { ...cur.dialog, callingContact, calledContact },
        ...(sessionExpires ? { sessionExpires } : {}),
      };
    });
    if (after?.sessionExpires && sessionExpires) this.deps.sessionTimers.arm(callId, after.sessionExpires);
  }
}
