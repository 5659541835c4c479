// The runtime audit trail through the admin API: GET /v1/traces lists the calls traced (wall-clock start and last
// message, role, state, method, parties, peers, message count; ?user= ?since= ?until= ?method= ?limit=), and
// GET /v1/calls/{callId}/trace gives one call's messages as JSON (?raw=1 with their text), a text ladder or SVG.

import { type AdminRoute, HttpError } from "../admin/admin-server.ts";
import type { CallTraces } from "../trace/call-trace.ts";
import { svgLadder, textLadder } from "../trace/ladder.ts";
import { capturable, pcapFile } from "../trace/pcap.ts";
import { entriesView, filterSummaries, summaryView } from "../trace/trace-view.ts";

export interface TraceRouteDeps {
  traces: CallTraces;
  role: string;
  /** The state of the dialog or call now ("ended" when the node no longer holds it). */
  stateOf(callId: string): Promise<string | undefined>;
}

/** An ISO 8601 time or epoch milliseconds, as ?since= and ?until= take them. */
function timeParam(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null) return undefined;
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (Number.isNaN(t)) throw new HttpError(400, `${name}: expected an ISO 8601 time or epoch milliseconds, found ${v}`);
  return t;
}

export function traceRoutes(deps: TraceRouteDeps): AdminRoute[] {
  return [
    {
      method: "GET",
      path: "/v1/traces",
      handle: async (req) => {
        const q = req.query;
        const limit = q.get("limit") === null ? 1000 : Number(q.get("limit"));
        if (!Number.isInteger(limit) || limit < 0)
          throw new HttpError(400, `limit: expected a whole number, found ${q.get("limit")}`);
        const list = filterSummaries(deps.traces.summaries(), {
          ...(q.get("user") ? { user: q.get("user") as string } : {}),
          since: timeParam(q, "since"),
          until: timeParam(q, "until"),
          ...(q.get("method") ? { method: q.get("method") as string } : {}),
        });
        // The most recently active `limit`, least recently active first (as a terminal scrolls).
        const shown = list.slice(Math.max(0, list.length - limit));
        const traces = [];
        for (const s of shown) {
          const state = s.method === "REGISTER" ? undefined : await deps.stateOf(s.callId);
          traces.push(summaryView(s, deps.role, state));
        }
        return { status: 200, body: { traces } };
      },
    },
    {
      method: "GET",
      path: "/v1/calls/:callId/trace",
      handle: (req) => {
        const entries = deps.traces.get(req.params.callId);
        if (!entries) throw new HttpError(404, `no trace kept for Call-ID ${req.params.callId}`);
        const format = req.query.get("format") ?? "json";
        const title = `Call-ID ${req.params.callId}`;
        if (format === "svg") return { status: 200, body: svgLadder(entries, title), contentType: "image/svg+xml" };
        if (format === "text")
          return { status: 200, body: `${textLadder(entries, title)}\n`, contentType: "text/plain; charset=utf-8" };
        if (format === "pcap") {
          // The messages whose text was kept, as a capture file (Wireshark, tshark).
          const messages = capturable(entries);
          if (messages.length === 0)
            throw new HttpError(
              409,
              `no message text kept for ${req.params.callId} (it is older than the traces.messageCalls most recent calls, or that is 0)`,
            );
          return { status: 200, body: pcapFile(messages), contentType: "application/vnd.tcpdump.pcap" };
        }
        if (format !== "json") throw new HttpError(400, `format: expected json, text, svg or pcap, found ${format}`);
        const raw = req.query.get("raw");
        return {
          status: 200,
          body: { callId: req.params.callId, entries: entriesView(entries, raw === "1" || raw === "true") },
        };
      },
    },
  ];
}
