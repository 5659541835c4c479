// `cleardown serve --role scscf|gmsc --sip udp://127.0.0.1:5060 [--sip tcp://…] --admin http://127.0.0.1:8080
//  [--config file.json] [--store redis://…] [--mgc udp://127.0.0.1:2944] [--name N]`: runs a node until SIGTERM
// or SIGINT; SIGHUP reloads the rules (as the watcher and POST /v1/rules/reload do). `--no-watch` turns the watcher
// off, for deployments that change rules/ file by file and want the new set taken only when they say (SIGHUP).
import { parseArgs } from "node:util";
import type { NodeConfig } from "../../generated/types/index.ts";
import { adminTokenOf, adminTokenProblem } from "../admin/admin-token.ts";
import { ConfigError, mergeConfig, readConfigFile, validateConfig } from "../config/node-config.ts";
import type { RunningNode, StartNodeOptions } from "../nodes/running-node.ts";
import { parseStoreUrl, StoreUrlError } from "../store/redis-connection.ts";

export const serveUsage = `usage: cleardown serve --role scscf|gmsc --sip udp://ADDR:PORT [--sip tcp://ADDR:PORT]
                      [--admin http://ADDR:PORT] [--config FILE] [--store memory|redis://…|redis-sentinel://…|redis-cluster://…]
                      [--mgc udp://ADDR:PORT] [--name NAME] [--no-watch]
  rules: reloaded when a file under rules/ changes (not with --no-watch), on SIGHUP, and on POST /v1/rules/reload
  admin token: adminToken in the config, or CLEARDOWN_ADMIN_TOKEN`;

/** Flags and file into one validated configuration. */
export function serveConfig(argv: string[]): NodeConfig & { name?: string; watch: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      role: { type: "string" },
      sip: { type: "string", multiple: true },
      admin: { type: "string" },
      config: { type: "string" },
      store: { type: "string" },
      mgc: { type: "string" },
      name: { type: "string" },
      "no-watch": { type: "boolean" },
    },
  });
  const file: NodeConfig = values.config ? readConfigFile(values.config) : {};
  const flags: NodeConfig = {
    ...(values.role ? { role: values.role as NodeConfig["role"] } : {}),
    ...(values.sip ? { sip: values.sip } : {}),
    ...(values.admin ? { admin: values.admin } : {}),
    ...(values.store ? { store: values.store } : {}),
    ...(values.mgc ? { gmsc: { ...(file.gmsc ?? {}), mgc: values.mgc } } : {}),
  };
  const config = validateConfig(mergeConfig(file, flags), values.config ? `${values.config} + flags` : "flags");
  if (!config.role) throw new ConfigError(["--role: expected scscf or gmsc (or role in the config file)"]);
  if (!config.sip?.length)
    throw new ConfigError(["--sip: expected at least one listen address, e.g. udp://127.0.0.1:5060"]);
  if (config.store && config.store !== "memory")
    storeUrlChecked(config.store, values.store ? "--store" : `${values.config} (/store)`);
  return { ...config, ...(values.name ? { name: values.name } : {}), watch: !values["no-watch"] };
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

export async function serve(argv: string[]): Promise<{ exitCode: number; output: string }> {
  let config: ReturnType<typeof serveConfig>;
  try {
    config = serveConfig(argv);
  } catch (err) {
    if (err instanceof ConfigError) return { exitCode: 2, output: `${err.message}\n${serveUsage}` };
    return { exitCode: 2, output: `${(err as Error).message}\n${serveUsage}` };
  }
  // A short token is refused wherever it comes from (config, environment), in one line, before anything starts.
  const { token, source } = adminTokenOf(config.adminToken);
  const tokenProblem = adminTokenProblem(token, source);
  if (tokenProblem) return { exitCode: 2, output: tokenProblem };
  const { name, watch, ...nodeConfig } = config;
  const node = await startNode({ config: nodeConfig, ...(name ? { name } : {}), watchRules: watch });
  const { shell } = node;
  // The node runs the rules on disk, not only those compiled into the bundle: an operator's rules/ (CLEARDOWN_HOME)
  // is in force from the start. Broken rules stop it here, named as the lint names them.
  const loaded = shell.reloadRules("start");
  if (!loaded.ok) {
    await node.close();
    return {
      exitCode: 2,
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
