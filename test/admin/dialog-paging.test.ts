// Issue 19 item 2: an S-CSCF holding 100,000 dialogs answers GET /v1/dialogs a page at a time: 100 records and the
// cursor of the next page, which continues where the first ended; a filter reads a bounded number per page. (How
// long a page takes is a figure of `npm run bench -- admin-paging`, not an assertion.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminRequest } from "../../src/admin/admin-request.ts";
import type { ScscfNode } from "../../src/nodes/scscf/scscf-node.ts";
import { MANY_TOKEN, scscfWithDialogs } from "../support/many-dialogs.ts";

let node: ScscfNode;
beforeAll(async () => {
  node = await scscfWithDialogs(100_000);
}, 120_000);
afterAll(() => node?.close());

const get = async (path: string) => {
  const r = await adminRequest(node.adminUrl, MANY_TOKEN, "GET", path);
  expect(r.status, r.text).toBe(200);
  return r.json() as { count: number; dialogs: Array<{ callId: string; state: string }>; next?: string };
};

describe("paging /v1/dialogs over 100,000 dialogs", () => {
  it("a page of 100, then the next 100 after its cursor, in Call-ID order, no overlap", async () => {
    const first = await get("/v1/dialogs?limit=100");
    expect(first.count).toBe(100_000);
    expect(first.dialogs).toHaveLength(100);
    expect(first.dialogs[0].callId).toBe("00000-many@192.0.2.4");
    expect(first.next).toBeDefined();
    const second = await get(`/v1/dialogs?limit=100&cursor=${first.next}`);
    expect(second.dialogs).toHaveLength(100);
    expect(second.dialogs[0].callId > first.dialogs[99].callId).toBe(true);
    const ids = [...first.dialogs, ...second.dialogs].map((d) => d.callId);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(200);
  });

  it("a filtered page (every tenth is early): 100 early dialogs, the cursor after the last one read", async () => {
    const early = await get("/v1/dialogs?limit=100&state=early");
    expect(early.dialogs).toHaveLength(100);
    expect(early.dialogs.every((d) => d.state === "early")).toBe(true);
    const more = await get(`/v1/dialogs?limit=100&state=early&cursor=${early.next}`);
    expect(more.dialogs[0].callId > early.dialogs[99].callId).toBe(true);
  });

  it("a bad limit or cursor is a 400 naming it", async () => {
    const r = await adminRequest(node.adminUrl, MANY_TOKEN, "GET", "/v1/dialogs?limit=-1");
    expect(r.status).toBe(400);
    expect(r.json().error).toBe("limit: expected an integer from 0 to 10000, found -1");
  });
});
