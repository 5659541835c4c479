// The `cleardown` command: finds the command the words name, answers --help / --version, parses its options, runs
// it, and turns every user's mistake into one line and a documented exit code (command-line.ts), never a stack.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { audit, auditApprove } from "../audit/audit-run.ts";
import { scriptedDemo } from "../demo/scripted-demo.ts";
import { rulesLint } from "../rules/rules-lint.ts";
import { projectRoot } from "../rules/schema-registry.ts";
import {
  CliError,
  type CommandSpec,
  commandHelp,
  exitCodes,
  isHelp,
  parseCommand,
  type Result,
} from "./command-line.ts";
import { nodeCommands } from "./node-commands.ts";
import { stopWhenNpmExits } from "./parent-watch.ts";
import { serveCommand } from "./serve-command.ts";

const demo: CommandSpec = {
  name: "demo",
  summary:
    "The live demo: an S-CSCF and a GMSC on loopback with built-in peers play every release scenario of both seeds; prints each call's ladder with clause ids and writes the audit report.",
  options: {
    "keep-running": { type: "boolean", help: "leave the nodes up afterwards; prints their admin URLs and token" },
    scripted: { type: "boolean", help: "plan the same scenarios in-process: each plan with its clause ids" },
    config: {
      type: "string",
      value: "FILE",
      help: "a node config both nodes take (e.g. its policy: the item-4 literal reading)",
    },
  },
  examples: ["cleardown demo", "cleardown demo --keep-running", "cleardown demo --config literal-item4.json"],
  async run(v) {
    if (v.scripted) return { exitCode: 0, output: scriptedDemo() };
    const { liveDemo } = await import("../demo/live-demo.ts");
    const result = await liveDemo({
      root: projectRoot,
      keepRunning: v["keep-running"] === true,
      configFile: v.config as string | undefined,
      print: (line) => process.stdout.write(`${line}\n`),
    });
    // The demo never hangs: once it is done, a handle something forgot to close does not keep it alive.
    setTimeout(() => process.exit(), 2000).unref();
    return result;
  },
};

const auditCommand: CommandSpec = {
  name: "audit",
  summary:
    "The traceability matrix of clause items, rules and tests; writes audit/report.json and report.html. With --check, exit 1 when a normative item has no rule or no passing test.",
  options: {
    check: { type: "boolean", help: "exit 1 on a gap (CI)" },
    results: { type: "string", value: "FILE", help: "vitest JSON results (default test-results/vitest.json)" },
    out: { type: "string", value: "DIR", help: "where the report goes (default audit/)" },
    config: {
      type: "string",
      value: "FILE",
      help: "a node config: the deviation readings its policy puts in force",
    },
  },
  examples: ["cleardown audit --check", "cleardown audit --config node.json"],
  run: (v) =>
    audit(projectRoot, {
      check: v.check === true,
      results: v.results as string | undefined,
      out: v.out as string | undefined,
      config: v.config as string | undefined,
    }),
};

const auditApproveCommand: CommandSpec = {
  name: "audit approve",
  summary: "Records the reviewed text of clause items in rules/trace-approvals.json (clears their suspect links).",
  args: "ITEM-ID… | --all",
  positionals: { min: 0, max: Number.POSITIVE_INFINITY },
  options: { all: { type: "boolean", help: "every clause item a rule traces" } },
  examples: ["cleardown audit approve 24.229:5.4.5.1.2/1.e"],
  run(v, ids) {
    if (ids.length === 0 && !v.all)
      throw new CliError("cleardown audit approve: name the ITEM-IDs or --all; see cleardown audit approve --help");
    return auditApprove(projectRoot, ids, v.all === true);
  },
};

const rulesLintCommand: CommandSpec = {
  name: "rules lint",
  summary: "Validates the rule files; every problem as file:line:column (JSON pointer): expected …",
  options: {
    dir: { type: "string", value: "DIR", help: "the rules folder (default rules/)" },
    "max-file-bytes": { type: "string", value: "N", help: "refuse a rule file over N bytes unread (default 1 MiB)" },
  },
  examples: ["cleardown rules lint", "cleardown rules lint --max-file-bytes 262144"],
  run: (v) => {
    const max = v["max-file-bytes"] as string | undefined;
    if (max !== undefined && !/^[1-9][0-9]*$/.test(max))
      throw new CliError(`cleardown rules lint: --max-file-bytes: expected a positive integer, found "${max}"`);
    return rulesLint(projectRoot, v.dir as string | undefined, max === undefined ? undefined : Number(max));
  },
};

const studioCommand: CommandSpec = {
  name: "studio",
  summary:
    "The spec editors' and auditors' workbench in a browser (127.0.0.1 only): clauses and their status, rule tables as forms, a preview of the wire before saving, suspect review. Runs until Ctrl-C.",
  options: {
    port: { type: "string", value: "N", help: "the loopback port (default 4180; 0 = any free)" },
    root: { type: "string", value: "DIR", help: "the project whose spec/, rules/ and schemas/ to open" },
    results: { type: "string", value: "FILE", help: "vitest's JSON report to show test results from" },
  },
  examples: ["cleardown studio", "cleardown studio --port 4181"],
  async run(v) {
    const args = (["port", "root", "results"] as const).flatMap((k) =>
      v[k] === undefined ? [] : [`--${k}`, String(v[k])],
    );
    return (await import("./studio.ts")).studio(args);
  },
};

function checkCommand(codec: "sip" | "h248", what: string): CommandSpec {
  return {
    name: `${codec} check`,
    summary: `${what}: accepted, or where and why not. Exit 1 if any is rejected.`,
    args: "FILE…",
    positionals: { min: 1, max: Number.POSITIVE_INFINITY },
    options: { json: { type: "boolean", help: "the parsed structure as JSON" } },
    examples: [`cleardown ${codec} check ${codec === "sip" ? "invite.sip" : "add.h248"}`],
    async run(v, files) {
      // Each codec's checker loads only when asked for: `sip check` needs no H.248 code and the other way round.
      const mod = await import(`./${codec}-check.ts`);
      const check = (codec === "sip" ? mod.sipCheck : mod.h248Check) as (
        files: string[],
        opts: { json: boolean },
      ) => Promise<Result>;
      return check(files, { json: v.json === true });
    },
  };
}

export const commands: CommandSpec[] = [
  demo,
  serveCommand,
  ...nodeCommands,
  auditCommand,
  auditApproveCommand,
  rulesLintCommand,
  studioCommand,
  checkCommand("sip", "Parses captured SIP messages"),
  checkCommand("h248", "Decodes H.248 text messages"),
];

/** Words that only group subcommands. */
const groups = new Set(commands.filter((c) => c.name.includes(" ")).map((c) => c.name.split(" ")[0]));

export function version(): string {
  for (const file of [join(projectRoot, "package.json"), resolve(import.meta.dirname, "../../package.json")]) {
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
    if (pkg.version) return `cleardown ${pkg.version}`;
  }
  return "cleardown (version unknown)";
}

/** A summary's first sentence, cut to fit a line. */
function brief(summary: string): string {
  const first = summary.split(/(?<=\.)\s/)[0].replace(/\.$/, "");
  return first.length > 96 ? `${first.slice(0, first.lastIndexOf(" ", 94))} …` : first;
}

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "usage: cleardown <command> [options]",
    "",
    "commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${brief(c.summary)}`),
    "",
    "cleardown <command> --help shows a command's options and an example; cleardown --version its version.",
    "exit codes: 0 ok, 1 failure (the answer is no), 2 usage, 3 node unreachable or token refused, 4 internal error",
  ].join("\n");
}

function groupHelp(group: string): string {
  const subs = commands.filter((c) => c.name.split(" ")[0] === group);
  return [`usage: cleardown ${group} <subcommand>`, "", ...subs.map((c) => `  ${c.name}  ${c.summary}`)].join("\n");
}

export async function run(argv: string[]): Promise<Result> {
  const [word, sub] = argv;
  if (word === undefined || word === "help" || word === "-h" || word === "--help") {
    if (word === "help" && sub !== undefined) return run([...argv.slice(1), "--help"]);
    return { exitCode: 0, output: usage() };
  }
  if (word === "--version" || word === "-V" || word === "version") return { exitCode: 0, output: version() };
  const command =
    commands.find((c) => c.name === `${word} ${sub}`) ?? commands.find((c) => c.name === word && !c.name.includes(" "));
  if (!command) {
    if (groups.has(word)) {
      if (sub === undefined || isHelp([sub])) return { exitCode: sub === undefined ? 2 : 0, output: groupHelp(word) };
      const expected = commands.filter((c) => c.name.startsWith(`${word} `)).map((c) => c.name.split(" ")[1]);
      throw new CliError(
        `cleardown ${word}: unknown subcommand "${sub}"; expected ${expected.join(" or ")} (see cleardown ${word} --help)`,
      );
    }
    throw new CliError(`cleardown: unknown command "${word}"; see cleardown --help for the commands`);
  }
  const rest = argv.slice(command.name.split(" ").length);
  // --help wins over everything else on the line, so a half-typed command still shows how to finish it.
  if (isHelp(rest.slice(0, rest.includes("--") ? rest.indexOf("--") : undefined)))
    return { exitCode: 0, output: commandHelp(command) };
  const { values, positionals } = parseCommand(command, rest);
  return command.run(values, positionals);
}

/** A fault the user did not make: one line, and the stack only with CLEARDOWN_DEBUG=1. */
function internalError(err: unknown): Result {
  const e = err as Error;
  if (process.env.CLEARDOWN_DEBUG) return { exitCode: exitCodes.internal, output: e.stack ?? String(e) };
  return {
    exitCode: exitCodes.internal,
    output: `cleardown: internal error: ${e?.message ?? String(err)} (CLEARDOWN_DEBUG=1 shows the stack; please report it)`,
  };
}

export async function main(argv: string[]): Promise<number> {
  let result: Result;
  try {
    result = await run(argv);
  } catch (err) {
    result = err instanceof CliError ? { exitCode: err.exitCode, output: err.message } : internalError(err);
  }
  if (result.output !== "") (result.exitCode === 0 ? process.stdout : process.stderr).write(`${result.output}\n`);
  return result.exitCode;
}

stopWhenNpmExits();
process.exitCode = await main(process.argv.slice(2));
