// How long an S-CSCF holding 100,000 dialogs (memory store) takes to answer one page of 100 of GET /v1/dialogs, the
// first page and one deep in the list, unfiltered and filtered by state: what `cleardown dialogs` waits for.
import { adminRequest } from "../../src/admin/admin-request.ts";
import { MANY_TOKEN, scscfWithDialogs } from "../support/many-dialogs.ts";
import type { BenchFigure } from "./rules.bench.ts";

async function median(rounds: number, f: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await f();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)] * 10) / 10;
}

export async function benchAdminPaging(): Promise<BenchFigure[]> {
  const node = await scscfWithDialogs(100_000);
  try {
    const get = (path: string) => adminRequest(node.adminUrl, MANY_TOKEN, "GET", path).then((r) => r.json());
    const first = (await get("/v1/dialogs?limit=100")) as { next: string };
    const deep = Buffer.from("1zzzz-many@192.0.2.4").toString("base64url");
    return [
      {
        name: "admin.dialogs.page100.first.of100k.ms",
        value: await median(11, () => get("/v1/dialogs?limit=100")),
        unit: "ms",
      },
      {
        name: "admin.dialogs.page100.next.of100k.ms",
        value: await median(11, () => get(`/v1/dialogs?limit=100&cursor=${first.next}`)),
        unit: "ms",
      },
      {
        name: "admin.dialogs.page100.deep.of100k.ms",
        value: await median(11, () => get(`/v1/dialogs?limit=100&cursor=${deep}`)),
        unit: "ms",
      },
      {
        name: "admin.dialogs.page100.state-filter.of100k.ms",
        value: await median(11, () => get("/v1/dialogs?limit=100&state=early")),
        unit: "ms",
      },
    ];
  } finally {
    await node.close();
  }
}
