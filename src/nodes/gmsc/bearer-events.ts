// What the MGW tells the GMSC, as TS 23.231 §7.3.3 events: a Notify of g/cause (Bearer Released) on a seized
// termination, or a ServiceChange taking terminations (or the whole MGW) out of service, which loses their bearers
// too. The Notify is answered first (the reply is the MGC's), the clearing is queued after it. An MGW that stopped
// answering is an alarm; when it registers again, its contexts no call holds go to the rules
// (x-23.231:7.3.4/orphan-context), which release their terminations.
import type { BearerCause } from "../../../generated/types/index.ts";
import { generalCauseOf, type MediaGatewayController, type MgcEvent, type NotifyIndication } from "../../h248/mgc.ts";
import type { GmscCore } from "./gmsc-core.ts";
import { auditOrphanContexts } from "./orphan-contexts.ts";

// H.248.1 Annex E.1 g/cause Generalcause values as facts.schema.json BearerCause names them.
const bearerCauses: Record<string, BearerCause> = {
  NR: "bearer-nr",
  UR: "bearer-ur",
  FT: "bearer-ft",
  FP: "bearer-fp",
  IW: "bearer-iw",
  UN: "bearer-un",
};
const causeOf = (general: string | undefined): BearerCause =>
  (general !== undefined && bearerCauses[general.toUpperCase()]) || "bearer-released";

async function bearerReleased(
  g: GmscCore,
  key: string,
  contextId: string | undefined,
  terminationId: string,
  cause: BearerCause,
) {
  const record = await g.calls.get(key);
  const t = record?.call.terminations.find(
    (x) => x.id === terminationId && (contextId === undefined || x.contextId === contextId),
  );
  if (t === undefined) return;
  await g.queue(key, { event: { type: "bearer-released", side: t.side, cause } });
}

async function onNotify(g: GmscCore, n: NotifyIndication): Promise<undefined> {
  g.shell.metrics.h248Transactions.inc({ command: "Notify", outcome: "received" });
  const contextId = String(n.contextId);
  // From the store's index when another node (or this one before a restart) set the call up.
  const key = await g.calls.keyOfTermination(contextId, n.terminationId);
  const causes = n.events.map(generalCauseOf).filter((c) => c !== undefined);
  if (key === undefined || causes.length === 0) {
    g.log.info(
      { contextId, terminationId: n.terminationId, events: n.events.map((e) => e.name) },
      "Notify for no call",
    );
    return undefined;
  }
  g.shell.traces.record(key, {
    protocol: "H.248",
    direction: "received",
    from: "MGW",
    to: g.shell.name,
    label: `Notify ${n.terminationId} g/cause`,
  });
  // After the Notify reply has gone out (it is sent when this handler resolves).
  setImmediate(() => void bearerReleased(g, key, contextId, n.terminationId, causeOf(causes[0]?.generalCause)));
  return undefined;
}

async function onMgcEvent(g: GmscCore, e: MgcEvent): Promise<void> {
  // One ServiceChange from the MG each (a registration of a known MG also raises mg-returned).
  if (e.type === "mg-registered" || e.type === "mg-out-of-service" || e.type === "terminations-out-of-service")
    g.shell.metrics.h248Transactions.inc({ command: "ServiceChange", outcome: "received" });
  switch (e.type) {
    case "mg-unreachable":
      g.log.error(
        { alarm: "mgw-unreachable", mg: e.mg, transactionId: e.transactionId },
        "MGW stopped answering: calls are still cleared on the SIP side; the MGW is audited when it returns",
      );
      return;
    case "mg-returned":
      g.log.warn({ mg: e.mg, method: e.method, wasUnreachable: e.wasUnreachable }, "MGW registered again: audit");
      return auditOrphanContexts(g);
    case "terminations-out-of-service": {
      const contextId = typeof e.contextId === "number" && e.contextId > 0 ? String(e.contextId) : undefined;
      for (const terminationId of e.terminationIds) {
        const keys =
          contextId === undefined
            ? await g.calls.keysOfTerminationId(terminationId)
            : [await g.calls.keyOfTermination(contextId, terminationId)].filter((k) => k !== undefined);
        for (const key of keys) void bearerReleased(g, key, contextId, terminationId, "bearer-out-of-service");
      }
      return;
    }
    case "mg-out-of-service":
      g.log.error(
        { alarm: "mgw-out-of-service", mg: e.mg, reason: e.reason },
        "MGW out of service: every bearer is lost",
      );
      // Every bearer of every call is lost: each seized termination is a Bearer Released of its own (§7.3.3).
      for (const key of await g.calls.keys()) {
        const r = await g.calls.get(key);
        for (const t of r?.call.terminations.filter((x) => x.seized) ?? [])
          void bearerReleased(g, key, t.contextId, t.id, "bearer-out-of-service");
      }
      return;
    case "mg-registered":
      g.log.info({ mg: e.mg, method: e.method }, "MGW registered");
      return;
  }
}

export function watchMediaGateway(g: GmscCore, mgc: MediaGatewayController): void {
  mgc.onNotify((n) => onNotify(g, n));
  mgc.on(
    (e) => void onMgcEvent(g, e).catch((err: unknown) => g.log.error({ err: (err as Error).message }, "MGC event")),
  );
}
