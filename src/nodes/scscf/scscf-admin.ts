// The S-CSCF's admin routes: network-internal release indications (one dialog, or in bulk) and the dialogs it
// holds. A release answers 202 with the plans and the clause ids behind every field.
import type { BulkReleaseRequest, DialogRecord, ReleaseRequest } from "../../../generated/types/index.ts";
import { type AdminRoute, HttpError } from "../../admin/admin-server.ts";
import { requestBody } from "../../admin/request-body.ts";
import { FactsError } from "../decision-pipeline.ts";
import type { DialogRecords } from "./dialog-records.ts";
import { servedIdentity } from "./party-identity.ts";
import type { Wait } from "./release-waiters.ts";
import type { ReleaseResult, ScscfReleases } from "./releases.ts";

export interface BulkResult {
  matched: number;
  started: number;
  notStarted: number;
}

/**
 * Releases every dialog `pick` selects (every dialog, without one), with at most `concurrency` releases under
 * way at once: the next dialog's release starts when one has ended, so the BYEs of ten thousand dialogs are
 * paced by their answers instead of flooding the UEs (and coming back as retransmissions). Driven by the ends'
 * callbacks: nothing per release stays alive while it runs but its wait (no suspended worker, no promise).
 */
export async function bulkRelease(
  dialogs: DialogRecords,
  releases: ScscfReleases,
  pick: ((record: DialogRecord) => boolean) | undefined,
  cause: string,
  concurrency: number,
  text?: string,
  /** How long the pacing waits for one release to end before it starts the next (a BYE's Timer F, and some). */
  endBoundMs = 40_000,
): Promise<BulkResult> {
  const keys = await dialogs.keys();
  const result: BulkResult = { matched: 0, started: 0, notStarted: 0 };
  const limit = Math.max(1, concurrency);
  let next = 0;
  let running = 0;
  let finish!: () => void;
  let fail!: (err: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  // One callback for every release: a slot is free again.
  const slotFree = () => {
    running--;
    fill();
  };
  // Every way out of `one` frees its place here, once: passed over by `pick`, not started, failed.
  const one = async (callId: string) => {
    let wait: Wait | undefined;
    let started = false;
    try {
      if (pick) {
        const record = await dialogs.get(callId);
        if (!record || !pick(record)) return;
      }
      result.matched++;
      // Waiting from before the start: a release may end before release() has answered.
      wait = releases.whenEnded(callId, endBoundMs, slotFree);
      // Only the status is looked at: the plans are not kept while the release runs.
      started = (await releases.release(callId, cause, text)).status === "started";
    } finally {
      if (started) result.started++;
      else {
        if (wait) result.notStarted++;
        // Unless the wait's bound passed before release() answered (a store answering late): it freed the place.
        if (!wait || releases.giveUp(wait)) slotFree();
      }
    }
  };
  const fill = () => {
    while (running < limit && next < keys.length) {
      running++;
      // A release that cannot be planned or stored (or a record that cannot be read for `pick`) fails the bulk
      // release (500), as it would alone; the others go on.
      one(keys[next++]).catch(fail);
    }
    if (running === 0 && next >= keys.length) finish();
  };
  fill();
  await finished;
  return result;
}

function checkedCause(releases: ScscfReleases, cause: string | undefined): string {
  const c = cause ?? "administrative";
  const known = releases.knownCauses();
  if (!known.includes(c)) throw new HttpError(400, `cause: expected one of ${known.join(", ")}; found "${c}"`);
  return c;
}

function answer(r: ReleaseResult) {
  if (r.status === "not-found") throw new HttpError(404, `no dialog with Call-ID ${r.callId}`);
  if (r.status === "nothing-to-do")
    throw new HttpError(409, `dialog ${r.callId} is ${r.state}: no release to start (one is under way or done)`);
  return { status: 202, body: r };
}

export function scscfRoutes(deps: {
  dialogs: DialogRecords;
  releases: ScscfReleases;
  bulkConcurrency: number;
  /** How long a bulk release waits for one release before it moves on: Timer F and a margin. */
  endBoundMs: number;
}): AdminRoute[] {
  const { dialogs, releases } = deps;
  return [
    {
      method: "POST",
      path: "/v1/dialogs/release",
      handle: async (req) => {
        const body = requestBody<BulkReleaseRequest>(req.body, "BulkReleaseRequest");
        const cause = checkedCause(releases, body.cause);
        const who = "servedIdentity" in body ? body.servedIdentity?.toLowerCase() : undefined;
        const pick =
          who === undefined ? undefined : (r: DialogRecord) => servedIdentity(r.dialog)?.toLowerCase() === who;
        const started = performance.now();
        const result = await bulkRelease(
          dialogs,
          releases,
          pick,
          cause,
          deps.bulkConcurrency,
          body.text,
          deps.endBoundMs,
        );
        // The answer comes once every release it started has ended (or its bound passed): elapsedMs is that time.
        return { status: 202, body: { cause, ...result, elapsedMs: Math.round(performance.now() - started) } };
      },
    },
    {
      method: "POST",
      path: "/v1/dialogs/:callId/release",
      handle: async (req) => {
        const body = requestBody<ReleaseRequest>(req.body, "ReleaseRequest");
        const cause = checkedCause(releases, body.cause);
        // Stored state that does not make valid facts is this node's fault: say where, not "internal error".
        const result = await releases.release(req.params.callId, cause, body.text).catch((err) => {
          throw err instanceof FactsError ? new HttpError(500, err.message) : err;
        });
        return answer(result);
      },
    },
  ];
}
