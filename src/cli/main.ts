// The `cleardown` command.
import { parseArgs } from "node:util";
import { audit, auditApprove } from "../audit/audit-run.ts";
import { scriptedDemo } from "../demo/scripted-demo.ts";
import { rulesLint } from "../rules/rules-lint.ts";
import { projectRoot } from "../rules/schema-registry.ts";

const usage = `usage: cleardown <command>
  demo [--keep-running] [--config FILE]
                                     the live demo: an S-CSCF and a GMSC on loopback with built-in peers play
                                     every release scenario of both seeds; ladders with clause ids; audit report;
                                     both nodes take the node config FILE (e.g. its policy)
  demo --scripted                    the same scenarios planned in-process: each plan with its clause ids
  serve --role scscf|gmsc --sip URL… [--admin URL] [--config FILE] [--store memory|redis://…|redis-sentinel://…|redis-cluster://…] [--mgc URL]
                                     run a node (SIGHUP reloads the rules; SIGTERM stops it)
  release --admin URL --call-id ID [--cause C]   network-internal release through a node's admin API
  trace --admin URL [--json|--svg] CALL-ID       the call's ladder diagram with the clause ids of each message
  audit [--check] [--results FILE] [--config FILE]
                                     traceability report (audit/report.json, report.html); with a node
                                     config, the deviation readings its policy puts in force
  audit approve ITEM-ID… | --all     record the reviewed text of clause items (clears suspect links)
  rules lint [--dir DIR] [--max-file-bytes N]
                                     validate rule files (none over N bytes, default 1 MiB); errors as file:line:column (pointer): expected …
  sip check [--json] FILE…           parse captured SIP messages: accepted or rejected, and why
  h248 check [--json] FILE…          decode H.248 text messages: accepted or rejected, and why`;

type Result = { exitCode: number; output: string };

async function run(argv: string[]): Promise<Result> {
  const [command, sub] = argv;
  const rest = (n: number) => argv.slice(n);
  switch (command) {
    case "demo": {
      const { values } = parseArgs({
        args: rest(1),
        options: { scripted: { type: "boolean" }, "keep-running": { type: "boolean" }, config: { type: "string" } },
      });
      if (values.scripted) return { exitCode: 0, output: scriptedDemo() };
      const { liveDemo } = await import("../demo/live-demo.ts");
      const result = await liveDemo({
        root: projectRoot,
        keepRunning: values["keep-running"] ?? false,
        configFile: values.config,
        print: (line) => process.stdout.write(`${line}\n`),
      });
      // The demo never hangs: once it is done, a handle something forgot to close does not keep it alive.
      setTimeout(() => process.exit(), 2000).unref();
      return result;
    }
    case "studio":
      return (await import("./studio.ts")).studio(rest(1));
    case "serve": {
      const { serve } = await import("./serve.ts");
      return serve(rest(1));
    }
    case "release": {
      const { values } = parseArgs({
        args: rest(1),
        options: { admin: { type: "string" }, "call-id": { type: "string" }, cause: { type: "string" } },
      });
      if (!values.admin || !values["call-id"]) break;
      const { release } = await import("./admin-client.ts");
      return release(values.admin, values["call-id"], values.cause);
    }
    case "trace": {
      const { values, positionals } = parseArgs({
        args: rest(1),
        options: { admin: { type: "string" }, json: { type: "boolean" }, svg: { type: "boolean" } },
        allowPositionals: true,
      });
      if (!values.admin || positionals.length !== 1) break;
      const { trace } = await import("./admin-client.ts");
      return trace(values.admin, positionals[0], values.json ? "json" : values.svg ? "svg" : "text");
    }
    case "audit": {
      if (sub === "approve") {
        const { values, positionals } = parseArgs({
          args: rest(2),
          options: { all: { type: "boolean" } },
          allowPositionals: true,
        });
        return auditApprove(projectRoot, positionals, values.all ?? false);
      }
      const { values } = parseArgs({
        args: rest(1),
        options: {
          check: { type: "boolean" },
          results: { type: "string" },
          out: { type: "string" },
          config: { type: "string" },
        },
      });
      return audit(projectRoot, {
        check: values.check ?? false,
        results: values.results,
        out: values.out,
        config: values.config,
      });
    }
    case "rules":
      if (sub === "lint") {
        const { values } = parseArgs({
          args: rest(2),
          options: { dir: { type: "string" }, "max-file-bytes": { type: "string" } },
        });
        const max = values["max-file-bytes"];
        if (max !== undefined && !/^[1-9][0-9]*$/.test(max))
          return { exitCode: 2, output: `--max-file-bytes: expected a whole number of bytes, found ${max}` };
        return rulesLint(projectRoot, values.dir, max === undefined ? undefined : Number(max));
      }
      break;
    case "sip":
    case "h248":
      if (sub === "check") {
        const { values, positionals } = parseArgs({
          args: rest(2),
          options: { json: { type: "boolean" } },
          allowPositionals: true,
        });
        // Each codec's checker loads only when asked for: `sip check` needs no H.248 code and the other way round.
        const mod = await import(`./${command}-check.ts`);
        const check = (command === "sip" ? mod.sipCheck : mod.h248Check) as (
          files: string[],
          opts: { json: boolean },
        ) => Promise<Result>;
        return check(positionals, { json: values.json ?? false });
      }
      break;
  }
  return { exitCode: 2, output: usage };
}

const result = await run(process.argv.slice(2));
(result.exitCode === 0 ? process.stdout : process.stderr).write(`${result.output}\n`);
process.exitCode = result.exitCode;
