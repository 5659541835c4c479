// The GMSC's admin API: the calls it holds, and GMSC-initiated clearing (TS 23.231 §7.3.2) of one of them —
// 202 with the plans the rules gave and the clause items behind them.
import { type AdminRoute, HttpError } from "../../admin/admin-server.ts";
import type { GmscCore } from "./gmsc-core.ts";

function causeOf(body: unknown): string {
  if (body === undefined || body === null) return "administrative";
  if (typeof body !== "object" || Array.isArray(body))
    throw new HttpError(400, 'body: expected a JSON object { "cause": … }');
  const { cause, ...rest } = body as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw new HttpError(400, `body/${extra[0]}: unexpected field; expected only "cause"`);
  if (cause === undefined) return "administrative";
  if (typeof cause !== "string" || !/^[a-z][a-z0-9-]*$/.test(cause))
    throw new HttpError(
      400,
      `body/cause: expected a lower-case token like "administrative", found ${JSON.stringify(cause)}`,
    );
  return cause;
}

async function keyOf(g: GmscCore, callId: string): Promise<string> {
  const found = await g.calls.find(callId);
  if (found === undefined) throw new HttpError(404, `no call with Call-ID ${callId} (preceding or succeeding leg)`);
  return found.key;
}

export function gmscAdminRoutes(g: GmscCore): AdminRoute[] {
  return [
    {
      method: "GET",
      path: "/v1/calls",
      handle: async () => {
        const calls = [];
        for (const key of await g.calls.keys()) {
          const r = await g.calls.get(key);
          if (r === undefined) continue;
          calls.push({
            callId: key,
            succeedingCallId: r.succeeding.callId,
            preceding: r.call.preceding.state,
            succeeding: r.call.succeeding.state,
            clearing: r.call.clearing,
            seized: r.call.terminations.filter((t) => t.seized).map((t) => `${t.contextId}/${t.id}`),
          });
        }
        return { status: 200, body: { calls } };
      },
    },
    {
      method: "GET",
      path: "/v1/calls/:callId",
      handle: async (req) => {
        const key = await keyOf(g, req.params.callId);
        const record = await g.calls.get(key);
        if (record === undefined) throw new HttpError(404, `call ${key} was released`);
        return { status: 200, body: { callId: key, ...record } };
      },
    },
    {
      method: "POST",
      path: "/v1/calls/:callId/release",
      handle: async (req) => {
        const cause = causeOf(req.body);
        const key = await keyOf(g, req.params.callId);
        const decided = await g.handle(key, { event: { type: "release-indication", cause } });
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
