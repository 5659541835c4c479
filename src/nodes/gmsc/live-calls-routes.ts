// The calls a GMSC holds (in a shared store: every GMSC node's), paged, for an operator: each call's legs and
// their states, the MGW terminations seized and their contexts, the clearing under way, age and owner node.
import { type AdminRoute, HttpError } from "../../admin/admin-server.ts";
import { isoTime, pageOf, pageRequest } from "../../admin/paging.ts";
import type { GmscCore } from "./gmsc-core.ts";

export function gmscLiveCallRoutes(g: GmscCore, now: () => number = Date.now): AdminRoute[] {
  return [
    {
      method: "GET",
      path: "/v1/calls",
      handle: async (req) => {
        const page = pageRequest(req.query);
        const clearing = req.query.get("clearing");
        if (clearing !== null && clearing !== "true" && clearing !== "false")
          throw new HttpError(400, `clearing: expected true or false, found ${clearing}`);
        const t = now();
        const p = await pageOf(
          await g.calls.keys(),
          page,
          (k) => g.calls.stored(k),
          (key, s) => {
            const r = s.value;
            if (clearing !== null && r.call.clearing !== (clearing === "true")) return undefined;
            const seized = r.call.terminations.filter((x) => x.seized);
            return {
              callId: key,
              succeedingCallId: r.succeeding.callId,
              preceding: r.call.preceding.state,
              succeeding: r.call.succeeding.state,
              clearing: r.call.clearing,
              seized: seized.map((x) => `${x.contextId}/${x.id}`),
              contexts: [...new Set(seized.map((x) => x.contextId))],
              ...(r.clearingEvent ? { clearingEvent: r.clearingEvent } : {}),
              ...(r.clearingRule ? { clearingRule: r.clearingRule } : {}),
              // The succeeding leg's peer is the route the routing table chose (records stored before it said so
              // alone carry routeTarget too).
              routeTarget: r.routeTarget ?? r.succeeding.peer,
              createdAt: isoTime(r.createdAt),
              ageSeconds: Math.max(0, Math.round((t - r.createdAt) / 1000)),
              owner: s.owner,
            };
          },
        );
        return { status: 200, body: { calls: p.items, ...(p.next ? { next: p.next } : {}) } };
      },
    },
  ];
}
