// The GMSC's admin API: the calls it holds (in a shared store: every GMSC node's), and GMSC-initiated clearing
// (TS 23.231 §7.3.2) of one of them — 202 with the plans the rules gave and the clause items behind them. The body
// is the ReleaseRequest of schemas/admin.schema.json, checked as every node's admin API checks it.
import type { ReleaseRequest } from "../../../generated/types/index.ts";
import { type AdminRoute, HttpError } from "../../admin/admin-server.ts";
import { requestBody } from "../../admin/request-body.ts";
import type { GmscCore } from "./gmsc-core.ts";

async function keyOf(g: GmscCore, callId: string): Promise<string> {
  const found = await g.calls.find(callId);
  if (found === undefined) throw new HttpError(404, `no call with Call-ID ${callId} (preceding or succeeding leg)`);
  return found.key;
}

export function gmscAdminRoutes(g: GmscCore): AdminRoute[] {
  return [
    {
      method: "GET",
      path: "/v1/calls/:callId",
      handle: async (req) => {
        const key = await keyOf(g, req.params.callId);
        const stored = await g.calls.stored(key);
        if (stored === undefined) throw new HttpError(404, `call ${key} was released`);
        // Which node wrote the record last, and how many writes it has seen (a shared store's bookkeeping).
        return {
          status: 200,
          body: { callId: key, ...stored.value, store: { owner: stored.owner, version: stored.version } },
        };
      },
    },
    {
      method: "POST",
      path: "/v1/calls/:callId/release",
      handle: async (req) => {
        const body = requestBody<ReleaseRequest>(req.body, "ReleaseRequest");
        const cause = body.cause ?? "administrative";
        const key = await keyOf(g, req.params.callId);
        const event = {
          type: "release-indication" as const,
          cause,
          ...(body.text === undefined ? {} : { text: body.text }),
        };
        const decided = await g.handle(key, { event });
        if (decided === undefined) throw new HttpError(404, `call ${key} was released before the request was handled`);
        const clauses = [...new Set(decided.plans.flatMap((p) => p.trace))];
        return {
          status: 202,
          body: { callId: key, cause, digest: decided.digest, plans: decided.plans, clauses },
        };
      },
    },
  ];
}
