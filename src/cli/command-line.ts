// The shape of every `cleardown` command: its options (each with a line of help), its arguments, an example, and
// the documented exit codes. A user's mistake becomes one line naming the problem and the fix (a CliError), never a
// stack trace.
import { parseArgs } from "node:util";

/** The exit codes every command keeps (the README's table). */
export const exitCodes = {
  ok: 0,
  /** The command ran and the answer is no: invalid rules, a rejected message, a node's 4xx answer. */
  failure: 1,
  /** Unknown command or option, a missing argument or token. */
  usage: 2,
  /** The node's admin API cannot be reached, or it refused the token. */
  unreachable: 3,
  /** A fault of cleardown itself (reported with CLEARDOWN_DEBUG=1 for the stack). */
  internal: 4,
} as const;

export type Result = { exitCode: number; output: string };

/** A mistake or refusal the user can fix: one line (the problem, then the fix), and its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = exitCodes.usage,
  ) {
    super(message);
  }
}

export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  /** What the value is, for the help line (e.g. "URL"). */
  value?: string;
  help: string;
}

export interface CommandSpec {
  /** The words that name it, e.g. "audit approve". */
  name: string;
  summary: string;
  /** What follows the options in the usage line, e.g. "CALL-ID". */
  args?: string;
  /** How many positional arguments it takes. */
  positionals?: { min: number; max: number };
  options: Record<string, OptionSpec>;
  examples: string[];
  /** Further lines of help (environment, what the output holds). */
  notes?: string[];
  run(values: Record<string, string | boolean | string[] | undefined>, positionals: string[]): Promise<Result> | Result;
}

function optionLabel(name: string, o: OptionSpec): string {
  const short = o.short ? `-${o.short}, ` : "";
  const value = o.type === "string" ? ` ${o.value ?? "VALUE"}` : "";
  return `${short}--${name}${value}${o.multiple ? " …" : ""}`;
}

export function commandHelp(c: CommandSpec): string {
  const labels = Object.entries(c.options).map(([n, o]) => [optionLabel(n, o), o.help] as const);
  labels.push(["-h, --help", "this help"]);
  const width = Math.max(...labels.map(([l]) => l.length));
  return [
    `usage: cleardown ${c.name}${Object.keys(c.options).length ? " [options]" : ""}${c.args ? ` ${c.args}` : ""}`,
    "",
    c.summary,
    "",
    "options:",
    ...labels.map(([l, h]) => `  ${l.padEnd(width)}  ${h}`),
    ...(c.notes?.length ? ["", ...c.notes] : []),
    "",
    c.examples.length > 1 ? "examples:" : "example:",
    ...c.examples.map((e) => `  ${e}`),
  ].join("\n");
}

/** Parses argv for a command; a mistake is a CliError naming it and pointing at --help. */
export function parseCommand(c: CommandSpec, argv: string[]) {
  const options = Object.fromEntries(
    Object.entries(c.options).map(([n, o]) => [
      n,
      { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
    ]),
  );
  const seeHelp = `see cleardown ${c.name} --help`;
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliError(`cleardown ${c.name}: ${parseFault(err as Error & { code?: string })}; ${seeHelp}`);
  }
  const positionals = parsed.positionals;
  const { min, max } = c.positionals ?? { min: 0, max: 0 };
  if (positionals.length < min) throw new CliError(`cleardown ${c.name}: missing ${c.args ?? "argument"}; ${seeHelp}`);
  if (positionals.length > max)
    throw new CliError(
      `cleardown ${c.name}: unexpected argument "${positionals[max]}"${max === 0 ? " (it takes none)" : ""}; ${seeHelp}`,
    );
  return { values: parsed.values as Record<string, string | boolean | string[] | undefined>, positionals };
}

/** node:util's messages, shortened to what the user typed. */
function parseFault(err: Error & { code?: string }): string {
  const m = err.message;
  if (err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const opt = /'([^']+)'/.exec(m)?.[1] ?? m;
    return `unknown option ${opt}`;
  }
  if (err.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const opt = /Option '(?:-\w, )?(--[\w-]+)/.exec(m)?.[1];
    if (opt && m.includes("does not take")) return `option ${opt} takes no value`;
    return opt ? `option ${opt} needs a value` : m.split("\n")[0];
  }
  return m.split("\n")[0];
}

export function isHelp(argv: string[]): boolean {
  return argv.includes("--help") || argv.includes("-h");
}
