// `npm start` (`cleardown demo`): the live demo. It starts an S-CSCF and a GMSC with the embedded defaults and the
// demo's own peers on loopback, plays every release scenario of both seeds over real sockets, prints each call's
// ladder diagram (from the nodes' runtime audit trail, through their admin API) with the clause ids beside each
// arrow and the fields of every planned message, writes the audit report with those ladders embedded, and exits
// 0 — or 1 with the failed step named. `--keep-running` leaves the nodes up afterwards.
import { relative } from "node:path";
import { pino } from "pino";
import type { TraceEntry } from "../audit/call-trace.ts";
import { svgLadder, textLadder } from "../audit/ladder.ts";
import type { ScenarioLadder } from "../audit/report-html.ts";
import { audit } from "../cli/audit.ts";
import { type DemoNetwork, startDemoNetwork } from "./demo-network.ts";
import { gmscScenarios } from "./gmsc-scenarios.ts";
import type { Scenario } from "./scenario.ts";
import { scscfScenarios } from "./scscf-scenarios.ts";

export const scenarios: Scenario[] = [...scscfScenarios, ...gmscScenarios];

export interface LiveDemoOptions {
  /** Where spec/ and rules/ are read and audit/ is written. */
  root: string;
  keepRunning: boolean;
  print(line: string): void;
  /** The scenarios to play (default: every release scenario of both seeds). */
  scenarios?: Scenario[];
}

/** The call's trace: the node keeps a B2BUA's two legs (two Call-IDs) in one, in the order it saw them. */
async function callTrace(net: DemoNetwork, s: Scenario, callIds: string[]): Promise<TraceEntry[]> {
  const node = s.node === "scscf" ? net.scscf : net.gmsc;
  return node.trace(callIds[0]);
}

/** The fields of each message the rules planned, with their clause ids (what the arrows' ids stand for). */
function plannedFields(entries: TraceEntry[]): string[] {
  return entries
    .filter((e) => e.direction === "sent" && e.fields && e.fields.length > 0)
    .flatMap((e) => [
      `  ${e.label} → ${e.to}  (rule ${e.rule})`,
      ...(e.fields ?? []).map((f) => `      ${f.name}: ${f.value}  [${f.trace.join(", ")}]`),
    ]);
}

function missingClauses(entries: TraceEntry[], wanted: string[]): string[] {
  const seen = new Set(entries.filter((e) => e.direction === "sent").flatMap((e) => e.trace ?? []));
  return wanted.filter((id) => !seen.has(id));
}

async function playAll(net: DemoNetwork, list: Scenario[], print: (...lines: string[]) => void) {
  const ladders: ScenarioLadder[] = [];
  const failures: string[] = [];
  for (const [i, s] of list.entries()) {
    print(`== ${s.title}`);
    try {
      const callIds = await s.run(net, i + 1);
      const entries = await callTrace(net, s, callIds);
      const missing = missingClauses(entries, s.clauses);
      const text = textLadder(entries);
      print(text, "", ...plannedFields(entries), "");
      ladders.push({ title: s.title, text, svg: svgLadder(entries, s.title) });
      if (missing.length > 0) throw new Error(`no message the node sent names ${missing.join(", ")}`);
    } catch (err) {
      failures.push(`${s.title}: ${(err as Error).message}`);
      print(`!! scenario failed: ${(err as Error).message}`, "");
    }
  }
  return { ladders, failures };
}

/** How this process was started, as the command to type for `cleardown` (a checkout runs it through tsx). */
function cleardownCommand(): string {
  const script = process.argv[1] ?? "";
  return script.endsWith(".ts") || script.endsWith("bin/cleardown.js")
    ? "node bin/cleardown.js"
    : `node ${relative(process.cwd(), script)}`;
}

function adminHelp(net: DemoNetwork): string[] {
  const mgc = net.gmsc.node.shell.options.config.gmsc?.mgc ?? "";
  return [
    "The nodes keep running (Ctrl-C stops them):",
    `  S-CSCF  sip udp://${net.scscf.sip}  admin ${net.scscf.node.adminUrl}`,
    `  GMSC    sip udp://${net.gmsc.sip}  admin ${net.gmsc.node.adminUrl}  mgc ${mgc}`,
    `  export CLEARDOWN_ADMIN_TOKEN=${net.token}`,
    `  ${cleardownCommand()} trace --admin ${net.scscf.node.adminUrl} demo-scscf-1@127.0.0.1`,
    `  curl -H "authorization: Bearer $CLEARDOWN_ADMIN_TOKEN" ${net.gmsc.node.adminUrl}/v1/traces`,
  ];
}

export async function liveDemo(options: LiveDemoOptions): Promise<{ exitCode: number; output: string }> {
  const print = (...lines: string[]) => {
    for (const l of lines) options.print(l);
  };
  // The nodes log to stderr, errors only unless CLEARDOWN_LOG_LEVEL says otherwise: stdout is the ladders.
  const logger = pino({ level: process.env.CLEARDOWN_LOG_LEVEL ?? "error" }, pino.destination(2));
  const started = performance.now();
  let net: DemoNetwork;
  try {
    net = await startDemoNetwork(logger);
  } catch (err) {
    return { exitCode: 1, output: `the demo network did not start: ${(err as Error).message}` };
  }
  try {
    print(
      `S-CSCF on udp://${net.scscf.sip}, GMSC on udp://${net.gmsc.sip} with its MGW; UEs alice and bob, MSC-A and MSC-B.`,
      "",
    );
    const list = options.scenarios ?? scenarios;
    const { ladders, failures } = await playAll(net, list, print);
    const report = audit(options.root, { check: false, ladders });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    print(...report.output.split("\n").slice(-2), "");
    if (failures.length > 0)
      return {
        exitCode: 1,
        output: [`${failures.length} of ${list.length} scenarios failed:`, ...failures.map((f) => `  ${f}`)].join("\n"),
      };
    const done = `${list.length} release scenarios played over loopback in ${seconds} s`;
    if (!options.keepRunning) return { exitCode: 0, output: done };
    print(done, "", ...adminHelp(net));
    // A hangup (the terminal closed, the parent gone) stops the demo as Ctrl-C does.
    await new Promise<void>((resolve) => {
      for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, () => resolve());
    });
    return { exitCode: 0, output: "stopped" };
  } finally {
    await net.close();
  }
}
