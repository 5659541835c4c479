// What a GMSC plan executor works with: the services of the node (shell, calls, MGW), the wire event the rules
// decided on, and the call record the plans are carried out on. Types only: the executors and the core both import
// this file, never each other's.
import type { Logger } from "pino";
import type { CallRecord, GmscEvent } from "../../../generated/types/index.ts";
import type { SipHeader, SipRequest, SipResponse } from "../../sip/messages/message.ts";
import type { ServerTransaction } from "../../sip/transactions/server-transaction.ts";
import type { NodeShell } from "../node-shell.ts";
import type { CallRuntime, CallTable } from "./call-table.ts";
import type { MediaGateway } from "./media-gateway.ts";

/** A wire event with the message that carried it. */
export interface WireEvent {
  event: GmscEvent;
  /** The request that raised it (CANCEL, BYE) and its server transaction. */
  request?: SipRequest;
  tx?: ServerTransaction;
  /** The response that raised it (to the succeeding INVITE, or to a BYE). */
  response?: SipResponse;
}

/** The node's services an executor uses, and the way back in for the answer to a request it sent. */
export interface GmscServices {
  readonly shell: NodeShell;
  readonly calls: CallTable;
  readonly media: MediaGateway;
  readonly log: Logger;
  /** The GMSC's Contact on both legs. */
  readonly contact: SipHeader;
  queue(key: string, wire: WireEvent, observe?: (r: CallRecord) => CallRecord): Promise<unknown>;
}

/** One decision being carried out: the executors read the event and write the record as the plans say. */
export interface GmscContext {
  readonly g: GmscServices;
  readonly key: string;
  readonly wire: WireEvent;
  readonly rt: CallRuntime;
  /** The terminations this node claimed in the store for the plans' Subtracts (§7.3.4 never twice). */
  readonly claimed: ReadonlySet<string>;
  record: CallRecord;
}
