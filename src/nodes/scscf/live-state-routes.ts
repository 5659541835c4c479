// What an S-CSCF holds, for an operator (kamcmd dlg.list / ul.dump): its dialogs, paged and filtered by state or
// served user, one dialog in full (parties, Contacts, route sets, CSeqs, release outcome, age, owner node), and
// the registrar's bindings. Read-only: a release goes through the release routes.
import type { DialogRecord, RegistrationRecord } from "../../../generated/types/index.ts";
import { type AdminRoute, HttpError } from "../../admin/admin-server.ts";
import { isoTime, pageOf, pageRequest } from "../../admin/paging.ts";
import type { Store, StoredRecord } from "../../store/store.ts";
import type { DialogRecords } from "./dialog-records.ts";
import { servedIdentity } from "./party-identity.ts";

const states = ["early", "confirmed", "releasing"];

function ageSeconds(createdAt: number | undefined, now: number): number | undefined {
  return createdAt === undefined ? undefined : Math.max(0, Math.round((now - createdAt) / 1000));
}

/** A dialog in a list: enough to pick it out. */
function listed(callId: string, s: StoredRecord<DialogRecord>, now: number) {
  const { dialog } = s.value;
  return {
    callId,
    state: dialog.state,
    servedUser: dialog.servedUser,
    servedIdentity: servedIdentity(dialog),
    from: dialog.fromOfInvite,
    to: dialog.toOf200,
    createdAt: isoTime(s.value.createdAt),
    ageSeconds: ageSeconds(s.value.createdAt, now),
    owner: s.owner,
  };
}

export function scscfLiveStateRoutes(deps: {
  dialogs: DialogRecords;
  registrations: Store<RegistrationRecord>;
  now?: () => number;
}): AdminRoute[] {
  const { dialogs } = deps;
  const now = deps.now ?? Date.now;
  return [
    {
      method: "GET",
      path: "/v1/dialogs",
      handle: async (req) => {
        // ?state=S&served=IDENTITY filter; ?limit=N&cursor=C page (limit=0 counts, with state: the matching too).
        const state = req.query.get("state");
        if (state !== null && !states.includes(state))
          throw new HttpError(400, `state: expected ${states.join(", ")}; found ${state}`);
        const served = req.query.get("served")?.toLowerCase() ?? null;
        const page = pageRequest(req.query);
        const keys = await dialogs.keys();
        const t = now();
        const keep = (r: DialogRecord) =>
          (state === null || r.dialog.state === state) &&
          (served === null || servedIdentity(r.dialog)?.toLowerCase() === served);
        if (page.limit === 0) {
          if (state === null && served === null) return { status: 200, body: { count: keys.length, dialogs: [] } };
          let matching = 0;
          for (const k of keys) {
            const r = await dialogs.get(k);
            if (r && keep(r)) matching++;
          }
          return { status: 200, body: { count: keys.length, matching, dialogs: [] } };
        }
        const p = await pageOf(
          keys,
          page,
          (k) => dialogs.store.get(k),
          (k, s) => (keep(s.value) ? listed(k, s, t) : undefined),
        );
        return {
          status: 200,
          body: { count: keys.length, dialogs: p.items, ...(p.next ? { next: p.next } : {}), scanned: p.scanned },
        };
      },
    },
    {
      method: "GET",
      path: "/v1/dialogs/:callId",
      handle: async (req) => {
        const s = await dialogs.store.get(req.params.callId);
        if (!s) throw new HttpError(404, `no dialog with Call-ID ${req.params.callId}`);
        // The record as stored (what §5.4.5.1.2 reads), with its age and the node that wrote it last.
        return {
          status: 200,
          body: {
            ...s.value,
            servedIdentity: servedIdentity(s.value.dialog),
            createdAtIso: isoTime(s.value.createdAt),
            ageSeconds: ageSeconds(s.value.createdAt, now()),
            store: { owner: s.owner, version: s.version },
          },
        };
      },
    },
    {
      method: "GET",
      path: "/v1/registrations",
      handle: async (req) => {
        const aor = req.query.get("aor")?.toLowerCase() ?? null;
        const page = pageRequest(req.query);
        const keys = await deps.registrations.keys();
        const t = now();
        const p = await pageOf(
          keys,
          page,
          (k) => deps.registrations.get(k),
          (_k, s) =>
            aor !== null && s.value.aor.toLowerCase() !== aor
              ? undefined
              : {
                  aor: s.value.aor,
                  owner: s.owner,
                  bindings: s.value.bindings
                    .filter((b) => b.expiresAt > t)
                    .map((b) => ({
                      contact: b.contact,
                      expiresAt: isoTime(b.expiresAt),
                      expiresInSeconds: Math.round((b.expiresAt - t) / 1000),
                      ...(b.instance ? { instance: b.instance } : {}),
                      ...(b.regId ? { regId: b.regId } : {}),
                      tempGruus: b.tempGruus.length,
                      callId: b.callId,
                      cseq: b.cseq,
                    })),
                },
        );
        return {
          status: 200,
          body: { count: keys.length, registrations: p.items, ...(p.next ? { next: p.next } : {}) },
        };
      },
    },
  ];
}
