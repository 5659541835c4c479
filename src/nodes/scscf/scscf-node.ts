// The S-CSCF node: a dialog-stateful SIP proxy (RFC 3261 §16) that learns dialogs from live traffic, with a
// registrar issuing GRUUs, and releases sessions per TS 24.229 §5.4.5.1.2 on network-internal indications:
// the admin API, session-timer expiry (RFC 4028) and deregistration of a served user's last binding.
import { randomBytes } from "node:crypto";
import type { DialogRecord, RegistrationRecord, TempGruuRecord } from "../../../generated/types/index.ts";
import { ProxyCore } from "../../sip/proxy/proxy-core.ts";
import { addressFilter } from "../address-filter.ts";
import { NodeShell } from "../node-shell.ts";
import type { RunningNode, StartNodeOptions } from "../running-node.ts";
import { DialogRecords, defaultLifetimes } from "./dialog-records.ts";
import { scscfLiveStateRoutes } from "./live-state-routes.ts";
import { OwnIdentity } from "./own-identity.ts";
import { servedIdentity } from "./party-identity.ts";
import { Registrar } from "./registrar.ts";
import { ReleaseTakeover } from "./release-takeover.ts";
import { type ReleaseLease, ScscfReleases } from "./releases.ts";
import { bulkRelease, scscfRoutes } from "./scscf-admin.ts";
import { ScscfProxy } from "./scscf-proxy.ts";
import { type Clock, realClock, SessionTimers } from "./session-timers.ts";

export interface ScscfNode extends RunningNode {
  readonly dialogs: DialogRecords;
  readonly registrar: Registrar;
  readonly releases: ScscfReleases;
  readonly proxy: ProxyCore;
}

export async function startScscfNode(options: StartNodeOptions & { clock?: Clock }): Promise<ScscfNode> {
  const { config } = options;
  const scscf = config.scscf ?? {};
  const clock = options.clock ?? realClock;
  const shell = await NodeShell.start({ ...options, role: "scscf", name: options.name ?? "S-CSCF" });
  try {
    const t1 = config.timers?.t1 ?? 500;
    const dialogs = new DialogRecords(
      shell.store<DialogRecord>("dialog", "DialogRecord"),
      { ...defaultLifetimes, releasingSeconds: Math.ceil((64 * t1) / 1000) + 8 },
      clock.now,
    );
    let releases: ScscfReleases | undefined;
    const releaseServed = async (aor: string, cause: string) => {
      if (!releases) return;
      const r = releases;
      const result = await bulkRelease(
        dialogs,
        r,
        (d) => servedIdentity(d.dialog) === aor,
        cause,
        64,
        undefined,
        64 * t1 + 2000,
      );
      if (result.matched > 0) shell.log.info({ aor, cause, ...result }, "released the dialogs of a served user");
    };
    // A served user's registrations are read by every release of its sessions and written by its REGISTERs.
    const registrations = shell.store<RegistrationRecord>("registration", "RegistrationRecord", { tracked: true });
    const registrar = new Registrar(registrations, {
      defaultExpires: 3600,
      maxExpires: 86_400,
      now: clock.now,
      token: () => randomBytes(12).toString("base64url"),
      // Deregistration of a served user's last binding is a network-internal indication to release its sessions.
      onDeregistered: (aor) => void releaseServed(aor, "deregistration"),
      tempGruus: shell.store<TempGruuRecord>("tgruu", "TempGruuRecord"),
    });
    const own = new OwnIdentity(shell.transportLayer.addresses, scscf.recordRouteHost);
    const pendingInvites = new Map();
    const sessionTimers = new SessionTimers(clock, async (callId) => {
      const r = await dialogs.get(callId);
      if (!r?.sessionExpires || r.dialog.state !== "confirmed" || !releases) return;
      if (SessionTimers.releaseAt(r.sessionExpires) <= clock.now() + 50)
        await releases.release(callId, "session-timer");
      else sessionTimers.arm(callId, r.sessionExpires);
    });
    const hooks = new ScscfProxy({
      shell,
      dialogs,
      registrar,
      own,
      config: scscf,
      pendingInvites,
      sessionTimers,
      trusted: addressFilter(config.trustedPeers, "trustedPeers"),
      registrarTrusted: addressFilter(scscf.registrarTrusted, "scscf.registrarTrusted"),
      now: clock.now,
    });
    const proxy = new ProxyCore(shell.transactions, hooks, {
      isOwn: (u) => own.isOwn(u),
      extensions: ["timer", "gruu", "path", "100rel"],
      ...(config.timers?.c ? { timerC: config.timers.c } : {}),
    });
    // A release's lease matters only where another node could take it over: a shared store. The owner is this
    // node instance (a node restarted under the same name takes its predecessor's releases over too).
    const shared = (config.store ?? "memory") !== "memory";
    const leaseMs = scscf.releaseLeaseMs ?? (shared ? 5000 : undefined);
    const lease: ReleaseLease | undefined =
      leaseMs === undefined
        ? undefined
        : { owner: `${shell.name}/${randomBytes(6).toString("hex")}`, ms: leaseMs, now: Date.now };
    releases = new ScscfReleases({
      shell,
      dialogs,
      registrar,
      proxy,
      pendingInvites,
      serviceControl: (req) => hooks.serviceControl(req),
      ...(lease ? { lease } : {}),
    });
    const takeover = lease && new ReleaseTakeover(dialogs, releases, shell.log, { leaseMs: lease.ms });
    hooks.releases = releases;

    shell.metrics.storeGauge("cleardown_dialogs_in_store", "Dialogs the S-CSCF holds", () => dialogs.size());
    shell.metrics.storeGauge("cleardown_registrations_in_store", "Addresses of record with live bindings", () =>
      registrar.size(),
    );
    const sweep = setInterval(() => void registrar.expire().catch(() => {}), 10_000);
    sweep.unref();
    // Session timers live in memory: a node starting on a shared or surviving store arms those of the dialogs
    // there (a release is atomic, so two nodes arming one timer release it once).
    // A node may start while the store is away (not ready): it arms none then, as it knows of none.
    const known = await dialogs.keys().catch((err: Error) => {
      shell.log.error({ err: err.message }, "session timers of stored dialogs not armed: the store is unavailable");
      return [];
    });
    for (const callId of known) {
      const r = await dialogs.get(callId).catch(() => undefined);
      if (r?.sessionExpires && r.dialog.state === "confirmed") sessionTimers.arm(callId, r.sessionExpires);
    }

    shell.stateOf = async (callId) => (await dialogs.get(callId))?.dialog.state ?? "ended";
    const admin = await shell.startAdmin([
      ...scscfLiveStateRoutes({ dialogs, registrations: registrar.store, now: clock.now }),
      ...scscfRoutes({
        dialogs,
        releases,
        bulkConcurrency: scscf.bulkReleaseConcurrency ?? 1024,
        endBoundMs: 64 * t1 + 2000,
      }),
    ]);
    return {
      shell,
      adminUrl: admin.url,
      dialogs,
      registrar,
      releases,
      proxy,
      async close() {
        clearInterval(sweep);
        takeover?.close();
        sessionTimers.close();
        await shell.close();
      },
    };
  } catch (err) {
    await shell.close();
    throw err;
  }
}
