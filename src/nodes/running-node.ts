// What starting a node gives back, whatever its role: the shell (SIP, rules, store, admin, traces) and a way
// to stop it. `cleardown serve`, the live demo and the tests start nodes through this one contract.
import type { Logger } from "pino";
import type { NodeConfig } from "../../generated/types/index.ts";
import type { TraceRetention } from "../trace/call-trace.ts";
import type { NodeShell } from "./node-shell.ts";

export interface StartNodeOptions {
  /** Validated configuration, flags merged in. */
  config: NodeConfig;
  /** The node's name (ladder column, record owner); default the role's ("S-CSCF", "GMSC"). */
  name?: string;
  /** Where spec/ and rules/ are read from (default the project root). */
  root?: string;
  watchRules?: boolean;
  logger?: Logger;
  partyNames?: Record<string, string>;
  traceRetention?: TraceRetention;
}

export interface RunningNode {
  readonly shell: NodeShell;
  /** The admin API's base URL. */
  readonly adminUrl: string;
  close(): Promise<void>;
}
