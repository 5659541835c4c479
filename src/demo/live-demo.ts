// `npm start` (`cleardown demo`): the live demo. It starts an S-CSCF and a GMSC with the embedded defaults and the
// demo's own peers on loopback, plays every release scenario of both seeds over real sockets, prints each call's
// ladder diagram (from the nodes' runtime audit trail, through their admin API) with the clause ids beside each
// arrow and the fields of every planned message, writes the audit report with those ladders embedded, and exits
// 0 — or 1 with the failed step named. `--keep-running` leaves the nodes up afterwards.
import { relative } from "node:path";
import { pino } from "pino";
import { audit } from "../audit/audit-run.ts";
import type { ScenarioLadder } from "../audit/report-html.ts";
import { auditVerdict } from "../audit/traceability.ts";
import { readConfigFile } from "../config/node-config.ts";
import { rulesLint } from "../rules/rules-lint.ts";
import type { TraceEntry } from "../trace/call-trace.ts";
import { svgLadder, textLadder } from "../trace/ladder.ts";
import { type DemoNetwork, startDemoNetwork } from "./demo-network.ts";
import { type WireField, wireFields, writeDemoWire } from "./demo-wire.ts";
import { gmscScenarios } from "./gmsc-scenarios.ts";
import { humanLogStream } from "./human-log.ts";
import { type Scenario, ScenarioFailed } from "./scenario.ts";
import { scscfCancellationScenario } from "./scscf-cancellation-scenario.ts";
import { scscfScenarios } from "./scscf-scenarios.ts";

export const scenarios: Scenario[] = [...scscfScenarios, scscfCancellationScenario, ...gmscScenarios];

export interface LiveDemoOptions {
  /** Where spec/ and rules/ are read and audit/ is written. */
  root: string;
  keepRunning: boolean;
  print(line: string): void;
  /** The scenarios to play (default: every release scenario of both seeds). */
  scenarios?: Scenario[];
  /** A node config file both nodes take (`--config FILE`): its policy overrides the rule files' switches. */
  configFile?: string;
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
  const wire: WireField[] = [];
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
      wire.push(...wireFields(s.title, entries));
      if (missing.length > 0) throw new Error(`no message the node sent names ${missing.join(", ")}`);
    } catch (err) {
      if (err instanceof ScenarioFailed) {
        const entries = await callTrace(net, s, err.callIds).catch(() => []);
        const text = textLadder(entries);
        print(text, "", ...plannedFields(entries), "");
        ladders.push({ title: s.title, text, svg: svgLadder(entries, s.title) });
      }
      failures.push(`${s.title}: ${(err as Error).message}`);
      print(`!! scenario failed: ${(err as Error).message}`, "");
    }
  }
  return { ladders, wire, failures };
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
    `Edit, preview and approve the clauses' rules in a browser: ${cleardownCommand()} studio`,
  ];
}

export async function liveDemo(options: LiveDemoOptions): Promise<{ exitCode: number; output: string }> {
  const print = (...lines: string[]) => {
    for (const l of lines) options.print(l);
  };
  // A spec editor's broken file stops the demo before any node starts, with the lint's own words.
  const lint = rulesLint(options.root);
  if (lint.exitCode !== 0)
    return {
      exitCode: 1,
      output: [
        "The demo did not start: spec/ or rules/ has a problem (`npm run lint:rules` shows the same):",
        ...lint.output.split("\n").map((l) => `  ${l}`),
      ].join("\n"),
    };
  // The nodes log to stderr as human lines, errors only unless CLEARDOWN_LOG_LEVEL says otherwise: stdout is the
  // ladders.
  const logger = pino(
    { level: process.env.CLEARDOWN_LOG_LEVEL ?? "error" },
    humanLogStream((text) => process.stderr.write(text)),
  );
  const started = performance.now();
  let net: DemoNetwork;
  try {
    net = await startDemoNetwork(logger, options.configFile ? readConfigFile(options.configFile) : undefined);
  } catch (err) {
    return { exitCode: 1, output: `The demo network did not start: ${(err as Error).message}` };
  }
  try {
    print(
      `S-CSCF on udp://${net.scscf.sip}, GMSC on udp://${net.gmsc.sip} with its MGW; UEs alice and bob, MSC-A and MSC-B.`,
      "",
    );
    const list = options.scenarios ?? scenarios;
    const { ladders, wire, failures } = await playAll(net, list, print);
    const report = audit(options.root, { check: false, ladders, config: options.configFile });
    writeDemoWire(options.root, wire);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const lines = report.output.split("\n");
    // The readings in force of the recorded deviations, then the audit's verdict line.
    print(...lines.filter((l) => l.startsWith("deviation ")), lines.at(-1) ?? "", "");
    // The closing line says what the audit knows: covered, tests not run, or suspect.
    const verdict = `audit: ${auditVerdict(report.matrix)}`;
    if (failures.length > 0)
      return {
        exitCode: 1,
        output: [
          `${failures.length} of ${list.length} scenarios failed:`,
          ...failures.map((f) => `  ${f}`),
          verdict,
        ].join("\n"),
      };
    const done = [`${list.length} release scenarios played over loopback in ${seconds} s`, verdict].join("\n");
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
