// The bulk release's bookkeeping: a dialog whose release did not start (gone meanwhile, or already under way)
// leaves no wait queued behind it; one that started is waited for until it ends.
import { describe, expect, it } from "vitest";
import type { DialogRecords } from "../../../src/nodes/scscf/dialog-records.ts";
import { ReleaseWaiters } from "../../../src/nodes/scscf/release-waiters.ts";
import type { ScscfReleases } from "../../../src/nodes/scscf/releases.ts";
import { bulkRelease } from "../../../src/nodes/scscf/scscf-admin.ts";

describe("bulkRelease", () => {
  it("counts started and not-started releases, waits for the started ones, and leaves no wait behind", async () => {
    const waiters = new ReleaseWaiters();
    const ended: string[] = [];
    const releases = {
      whenEnded: (callId: string, boundMs: number) => waiters.wait(callId, boundMs),
      async release(callId: string) {
        if (callId === "gone") return { status: "not-found", callId };
        if (callId === "under-way") return { status: "nothing-to-do", callId, state: "releasing" };
        setTimeout(() => {
          ended.push(callId);
          waiters.end(callId);
        }, 5);
        return { status: "started", callId };
      },
    } as unknown as ScscfReleases;
    const dialogs = { keys: async () => ["a", "gone", "b", "under-way"] } as unknown as DialogRecords;
    const result = await bulkRelease(dialogs, releases, undefined, "administrative", 2, undefined, 40_000);
    expect(result).toEqual({ matched: 4, started: 2, notStarted: 2 });
    expect(ended.sort()).toEqual(["a", "b"]);
    expect(waiters.size).toBe(0);
  });
});
