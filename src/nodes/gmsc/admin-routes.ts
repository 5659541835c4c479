// The GMSC's admin API: the calls it holds (in a shared store: every GMSC node's), and GMSC-initiated clearing
// (TS 23.231 §7.3.2) of one of them — 202 with the plans the rules gave and the clause items behind them, 409 when
// they plan nothing (a clearing is under way), 400 for a cause the rules' reasonByCause does not know. The body is
// the ReleaseRequest of schemas/admin.schema.json, checked as every node's admin API checks it.
import type { ReleaseRequest } from "../../../generated/types/index.ts";
import { type AdminRoute, HttpError } from "../../admin/admin-server.ts";
import { requestBody } from "../../admin/request-body.ts";
import type { GmscCore } from "./gmsc-core.ts";

async function keyOf(g: GmscCore, callId: string): Promise<string> {
  const found = await g.calls.find(callId);
  if (found === undefined) throw new HttpError(404, `no call with Call-ID ${callId} (preceding or succeeding leg)`);
  return found.key;
}

/** The release causes the rules in force know: the keys of their reasonByCause table (as the S-CSCF's). */
function checkedCause(g: GmscCore, cause: string | undefined): string {
  const c = cause ?? "administrative";
  const table = g.shell.rules.version().tables.reasonByCause ?? {};
  const known = Object.keys(table).filter((k) => k !== "default");
  if (!known.includes(c)) throw new HttpError(400, `cause: expected one of ${known.join(", ")}; found "${c}"`);
  return c;
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
        const cause = checkedCause(g, body.cause);
        const key = await keyOf(g, req.params.callId);
        const event = {
          type: "release-indication" as const,
          cause,
          ...(body.text === undefined ? {} : { text: body.text }),
        };
        const decided = await g.handle(key, { event });
        if (decided === undefined) throw new HttpError(404, `call ${key} was released before the request was handled`);
        if (decided.plans.length === 0)
          throw new HttpError(409, `call ${key}: the rules in force plan nothing for it (a clearing is under way)`);
        const clauses = [...new Set(decided.plans.flatMap((p) => p.trace))];
        return {
          status: 202,
          body: { callId: key, cause, digest: decided.digest, plans: decided.plans, clauses },
        };
      },
    },
  ];
}
