// x-24.229:5.4.5.1.2/release-takeover, the node's part: with a shared store, each node renews the leases of the
// releases it runs, and sweeps the dialogs page by page (bounded work per tick) for a release whose owner let
// its lease lapse (its node died). It only notices and raises the release-takeover event; the rules decide what
// is sent again.
import type { Logger } from "pino";
import type { DialogRecords } from "./dialog-records.ts";
import type { ScscfReleases } from "./releases.ts";

export interface TakeoverOptions {
  /** The lease: renewals every third of it, a sweep step every quarter of it. */
  leaseMs: number;
  /** Dialogs looked at per sweep step. */
  pageSize?: number;
}

export class ReleaseTakeover {
  private cursor = "0";
  private sweeping = false;
  private renewing = false;
  private readonly timers: NodeJS.Timeout[];
  /** Releases this node took over (for metrics and tests). */
  taken = 0;

  constructor(
    private readonly dialogs: DialogRecords,
    private readonly releases: ScscfReleases,
    private readonly log: Logger,
    private readonly options: TakeoverOptions,
  ) {
    const { leaseMs } = options;
    this.timers = [
      setInterval(() => void this.renew(), Math.max(30, Math.floor(leaseMs / 3))),
      setInterval(() => void this.sweep(), Math.max(25, Math.floor(leaseMs / 4))),
    ];
    for (const t of this.timers) t.unref();
  }

  private async renew(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    try {
      await this.releases.renewLeases();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, "release leases not renewed");
    } finally {
      this.renewing = false;
    }
  }

  /** One step of the sweep: one page of dialogs; a lapsed release among them is taken over. */
  async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const page = await this.dialogs.page(this.cursor, this.options.pageSize ?? 256);
      this.cursor = page.cursor;
      const taken = await Promise.all(page.keys.map((callId) => this.releases.takeOver(callId)));
      this.taken += taken.filter(Boolean).length;
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, "release takeover sweep step failed");
    } finally {
      this.sweeping = false;
    }
  }

  close(): void {
    for (const t of this.timers) clearInterval(t);
  }
}
