// `cleardown serve --role scscf|gmsc --sip udp://127.0.0.1:5060 [--sip tcp://…] --admin http://127.0.0.1:8080
//  [--config file.json] [--store redis://…] [--mgc udp://127.0.0.1:2944] [--name N]`: runs a node until SIGTERM
// or SIGINT; SIGHUP reloads the rules (as the watcher and POST /v1/rules/reload do). `--no-watch` turns the watcher
// off, for deployments that change rules/ file by file and want the new set taken only when they say (SIGHUP).
import type { NodeConfig } from "../../generated/types/index.ts";
import { adminTokenOf, adminTokenProblem } from "../admin/admin-token.ts";
import { ConfigError, mergeConfig, readConfigFile, validateConfig } from "../config/node-config.ts";
import type { RunningNode, StartNodeOptions } from "../nodes/running-node.ts";
import { parseStoreUrl, StoreUrlError } from "../store/redis-connection.ts";
import { CliError, type CommandSpec, exitCodes, type Result } from "./command-line.ts";

type Values = Record<string, string | boolean | string[] | undefined>;

/** Flags and file into one validated configuration. */
export function serveConfig(values: Values): NodeConfig & { name?: string; watch: boolean } {
  const configFile = values.config as string | undefined;
  const file: NodeConfig = configFile ? readConfigFile(configFile) : {};
  const flags: NodeConfig = {
    ...(values.role ? { role: values.role as NodeConfig["role"] } : {}),
    ...(values.sip ? { sip: values.sip as string[] } : {}),
    ...(values.admin ? { admin: values.admin as string } : {}),
    ...(values.store ? { store: values.store as string } : {}),
    ...(values.mgc ? { gmsc: { ...(file.gmsc ?? {}), mgc: values.mgc as string } } : {}),
  };
  const config = validateConfig(mergeConfig(file, flags), configFile ? `${configFile} + flags` : "flags");
  if (!config.role) throw new ConfigError(["--role: expected scscf or gmsc (or role in the config file)"]);
  if (!config.sip?.length)
    throw new ConfigError(["--sip: expected at least one listen address, e.g. udp://127.0.0.1:5060"]);
  if (config.store && config.store !== "memory")
    storeUrlChecked(config.store, values.store ? "--store" : `${configFile} (/store)`);
  return { ...config, ...(values.name ? { name: values.name as string } : {}), watch: !values["no-watch"] };
}

/** A Sentinel or Cluster URL's shape is checked before the node starts, so a bad one is a usage error. */
function storeUrlChecked(url: string, where: string): void {
  try {
    parseStoreUrl(url);
  } catch (err) {
    if (err instanceof StoreUrlError) throw new ConfigError([`${where}: ${err.message}`]);
    throw err;
  }
}

export async function startNode(options: StartNodeOptions): Promise<RunningNode> {
  if (options.config.role === "gmsc") {
    const { startGmscNode } = await import("../nodes/gmsc/gmsc-node.ts");
    return startGmscNode(options);
  }
  const { startScscfNode } = await import("../nodes/scscf/scscf-node.ts");
  return startScscfNode(options);
}

/** A start that failed for a reason the operator can fix (a port in use, a store not there): one line. */
function notStarted(err: Error & { code?: string; address?: string; port?: number }): CliError {
  const where = err.address ? ` ${err.address}${err.port ? `:${err.port}` : ""}` : "";
  if (err.code === "EADDRINUSE")
    return new CliError(`cannot listen on${where}: the address is in use; choose another --sip or --admin`, 1);
  if (err.code === "EADDRNOTAVAIL" || err.code === "EACCES")
    return new CliError(`cannot listen on${where} (${err.code}): use an address of this host (--sip, --admin)`, 1);
  return new CliError(`the node did not start: ${err.message.split("\n")[0]}`, exitCodes.failure);
}

async function serve(values: Values): Promise<Result> {
  let config: ReturnType<typeof serveConfig>;
  try {
    config = serveConfig(values);
  } catch (err) {
    if (err instanceof ConfigError || (err as { code?: string }).code === "ENOENT")
      throw new CliError(`cleardown serve: ${(err as Error).message}; see cleardown serve --help`);
    throw err;
  }
  const { name, watch, ...nodeConfig } = config;
  // A missing or short token is refused wherever it comes from (config, environment), in one line, before anything
  // starts.
  const { token, source } = adminTokenOf(nodeConfig.adminToken);
  const tokenProblem = adminTokenProblem(token, source);
  if (tokenProblem) throw new CliError(`cleardown serve: ${tokenProblem}; see cleardown serve --help`);
  let node: RunningNode;
  try {
    node = await startNode({ config: nodeConfig, ...(name ? { name } : {}), watchRules: watch });
  } catch (err) {
    throw notStarted(err as Error);
  }
  const { shell } = node;
  // The node runs the rules on disk, not only those compiled into the bundle: an operator's rules/ (CLEARDOWN_HOME)
  // is in force from the start. Broken rules stop it here, named as the lint names them.
  const loaded = shell.reloadRules("start");
  if (!loaded.ok) {
    await node.close();
    return {
      exitCode: exitCodes.usage,
      output: [...loaded.errors, "the node did not start: fix rules/ (cleardown rules lint)"].join("\n"),
    };
  }
  shell.log.info({ role: config.role, sip: shell.transportLayer.addresses, admin: node.adminUrl }, "node started");
  process.on("SIGHUP", () => void shell.reloadRulesOffThread("SIGHUP"));
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      shell.log.info({ signal }, "stopping");
      resolve();
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  await node.close();
  return { exitCode: 0, output: "stopped" };
}

export const serveCommand: CommandSpec = {
  name: "serve",
  summary:
    "Runs a node (S-CSCF or GMSC) until SIGTERM or SIGINT. SIGHUP, POST /v1/rules/reload and (unless --no-watch) a change under rules/ reload the rules.",
  options: {
    role: { type: "string", value: "scscf|gmsc", help: "the node's role (or role in the config)" },
    sip: { type: "string", multiple: true, value: "URL", help: "a SIP listen address, udp:// or tcp:// (repeatable)" },
    admin: { type: "string", value: "URL", help: "the admin API's address (default http://127.0.0.1:8080)" },
    config: { type: "string", value: "FILE", help: "a JSON config (schemas/config.schema.json); flags override it" },
    store: {
      type: "string",
      value: "memory|redis://…|redis-sentinel://…|redis-cluster://…",
      help: "where dialogs and calls are kept (README: Redis for no loss)",
    },
    mgc: { type: "string", value: "URL", help: "GMSC: the H.248 MGC address, udp://ADDR:PORT" },
    name: { type: "string", value: "NAME", help: "the node's name (ladder column, record owner)" },
    "no-watch": { type: "boolean", help: "do not reload when a file under rules/ changes" },
  },
  notes: [
    "admin token: adminToken in the config, or CLEARDOWN_ADMIN_TOKEN (at least 16 characters)",
    "logs: JSON lines on stdout (CLEARDOWN_LOG_LEVEL, default info)",
    "exit codes: 0 stopped, 1 did not start (a port in use, the store unreachable), 2 usage, configuration or rules",
  ],
  examples: [
    "CLEARDOWN_ADMIN_TOKEN=… cleardown serve --role scscf --sip udp://127.0.0.1:5060 --admin http://127.0.0.1:8080",
  ],
  run: (values) => serve(values),
};
