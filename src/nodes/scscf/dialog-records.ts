// The S-CSCF's dialogs, by Call-ID, in the store (memory or Redis): one DialogRecord each. Expiry follows the
// dialog's life, so a dialog whose end the S-CSCF never saw does not stay for ever.
import type { DialogRecord, DialogState } from "../../../generated/types/index.ts";
import type { Store } from "../../store/store.ts";

export interface DialogLifetimes {
  /** An early dialog: until the INVITE transaction could have ended (Timer C is 3 min). */
  earlySeconds: number;
  /** A confirmed dialog without a session timer: an operator's longest call. */
  confirmedSeconds: number;
  /** A release under way: both BYE transactions end within 64·T1. */
  releasingSeconds: number;
}

export const defaultLifetimes: DialogLifetimes = {
  earlySeconds: 200,
  confirmedSeconds: 24 * 3600,
  releasingSeconds: 64,
};

export class DialogRecords {
  constructor(
    readonly store: Store<DialogRecord>,
    private readonly lifetimes: DialogLifetimes = defaultLifetimes,
    private readonly now: () => number = Date.now,
  ) {}

  private ttl(record: DialogRecord): number {
    const { state } = record.dialog;
    if (state === "early") return this.lifetimes.earlySeconds;
    if (state === "releasing") return this.lifetimes.releasingSeconds;
    const se = record.sessionExpires;
    // A session timer bounds the dialog: unrefreshed, it ends at expiry; keep it a little longer to release it.
    if (se) return Math.max(1, Math.ceil((se.expiresAt - this.now()) / 1000) + 32);
    return this.lifetimes.confirmedSeconds;
  }

  async get(callId: string): Promise<DialogRecord | undefined> {
    return (await this.store.get(callId))?.value;
  }

  /** The dialog as this node last read or wrote it, without asking the store (see Store.held). */
  held(callId: string): DialogRecord | undefined {
    return this.store.held(callId)?.value;
  }

  /** Atomic read-modify-write of one dialog; `change` may run more than once (shared store), so keep it pure. */
  async update(
    callId: string,
    change: (current: DialogRecord | undefined) => DialogRecord | undefined,
  ): Promise<DialogRecord | undefined> {
    return this.store.update(callId, change, (next) => this.ttl(next));
  }

  /** Records a new early dialog unless one with that Call-ID exists (an INVITE spiralling through an AS). */
  createEarly(dialog: DialogState): Promise<DialogRecord | undefined> {
    return this.update(dialog.callId, (current) => current ?? { dialog, createdAt: this.now() });
  }

  /** Changes the dialog state itself, if the dialog is there. */
  updateDialog(callId: string, change: (d: DialogState) => DialogState): Promise<DialogRecord | undefined> {
    return this.update(callId, (current) => current && { ...current, dialog: change(current.dialog) });
  }

  delete(callId: string): Promise<boolean> {
    return this.store.delete(callId);
  }

  keys(): Promise<string[]> {
    return this.store.keys();
  }

  page(cursor: string, count: number): Promise<{ cursor: string; keys: string[] }> {
    return this.store.page(cursor, count);
  }

  size(): Promise<number> {
    return this.store.size();
  }
}
