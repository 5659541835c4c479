// The `cleardown` command as a user meets it, run as the real binary (bin/cleardown.js in a child process): help
// and version exit 0; a mistake (unknown command or option, a missing argument or token, a node that is not there
// or refuses the token) is one line naming the problem and the fix, with the README's exit code, never a stack.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateConfig } from "../../src/config/node-config.ts";
import type { RunningNode } from "../../src/nodes/running-node.ts";
import { startScscfNode } from "../../src/nodes/scscf/scscf-node.ts";
import { cleardown, projectDir, type Ran } from "../support/cleardown-run.ts";
import { freeTcpPort } from "../support/free-port.ts";
import { silentLogger } from "../support/silent-logger.ts";

const TOKEN = "cli-test-token-0123456789";

/** One line on stderr, no stack frame. */
function oneLine(r: Ran): string {
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  return r.stderr.trim();
}

const commands = [
  "demo",
  "serve",
  "release",
  "trace",
  "dialogs",
  "dialogs show",
  "registrations",
  "calls",
  "reload",
  "stats",
  "audit",
  "audit approve",
  "rules lint",
  "sip check",
  "h248 check",
];

describe("cleardown: help and version", () => {
  it.each([[[]], [["--help"]], [["-h"]], [["help"]]])("%j prints the commands and exits 0", async (args) => {
    const r = await cleardown(args);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: cleardown <command>/);
    for (const c of ["demo", "serve", "release", "trace", "rules lint"]) expect(r.stdout).toContain(`  ${c} `);
    expect(r.stdout).toContain("exit codes: 0 ok, 1 failure");
  });

  it("--version prints the package's version", async () => {
    const r = await cleardown(["--version"]);
    expect(r.code).toBe(0);
    const { version } = (await import("../../package.json", { with: { type: "json" } })).default;
    expect(r.stdout.trim()).toBe(`cleardown ${version}`);
  });

  it.each(commands)("cleardown %s --help: its options and an example, exit 0", async (command) => {
    const r = await cleardown([...command.split(" "), "--help"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage: cleardown ${command}`));
    expect(r.stdout).toContain("options:");
    expect(r.stdout).toContain("-h, --help");
    expect(r.stdout).toMatch(new RegExp(`examples?:\\n  .*cleardown ${command}`));
  });
});

describe("cleardown: a user's mistake is one line and an exit code", () => {
  it("an unknown option: exit 2, the option and the command's help named", async () => {
    const r = await cleardown(["demo", "--confg", "F"]);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toBe("cleardown demo: unknown option --confg; see cleardown demo --help");
  });

  it("an unknown command or subcommand: exit 2", async () => {
    const [a, b] = await Promise.all([cleardown(["frobnicate"]), cleardown(["rules", "check"])]);
    expect(a.code).toBe(2);
    expect(oneLine(a)).toBe('cleardown: unknown command "frobnicate"; see cleardown --help for the commands');
    expect(b.code).toBe(2);
    expect(oneLine(b)).toBe('cleardown rules: unknown subcommand "check"; expected lint (see cleardown rules --help)');
  });

  it("a missing argument or an option without its value: exit 2", async () => {
    const [a, b] = await Promise.all([
      cleardown(["dialogs", "show", "--token", TOKEN]),
      cleardown(["trace", "--admin"]),
    ]);
    expect(a.code).toBe(2);
    expect(oneLine(a)).toBe("cleardown dialogs show: missing CALL-ID; see cleardown dialogs show --help");
    expect(b.code).toBe(2);
    expect(oneLine(b)).toBe("cleardown trace: option --admin needs a value; see cleardown trace --help");
  });

  it("no token: exit 2, naming --token and CLEARDOWN_ADMIN_TOKEN", async () => {
    const r = await cleardown(["trace", "--admin", "http://127.0.0.1:8080", "x@y"]);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toMatch(/^no admin token: pass --token TOKEN or set CLEARDOWN_ADMIN_TOKEN/);
  });

  it("serve without a token: exit 2 before it listens", async () => {
    const r = await cleardown(["serve", "--role", "scscf", "--sip", "udp://127.0.0.1:0"]);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toMatch(
      /^cleardown serve: the admin API needs a token: adminToken in the config or CLEARDOWN_ADMIN_TOKEN/,
    );
  });

  it("a node that is not there: exit 3, the URL and the fix named", async () => {
    const port = await freeTcpPort();
    const r = await cleardown(["trace", "--admin", `http://127.0.0.1:${port}`, "--token", TOKEN, "x@y"]);
    expect(r.code).toBe(3);
    expect(oneLine(r)).toBe(
      `cannot reach the admin API at http://127.0.0.1:${port} (connection refused): is the node running, and is --admin (or CLEARDOWN_ADMIN) its admin URL?`,
    );
  });
});

describe("cleardown against a running S-CSCF", () => {
  let node: RunningNode;
  beforeAll(async () => {
    node = await startScscfNode({
      config: validateConfig(
        {
          role: "scscf",
          sip: ["udp://127.0.0.1:0"],
          admin: "http://127.0.0.1:0",
          adminToken: TOKEN,
          store: "memory",
        },
        "test",
      ),
      logger: silentLogger(),
    });
  });
  afterAll(() => node?.close());

  it("a token the node refuses: exit 3, the token named as the fix", async () => {
    const r = await cleardown(["trace", "--admin", node.adminUrl, "x@y"], {
      CLEARDOWN_ADMIN_TOKEN: "not-the-token-0000000",
    });
    expect(r.code).toBe(3);
    expect(oneLine(r)).toBe(
      `the node at ${node.adminUrl} refused the token (401): check --token or CLEARDOWN_ADMIN_TOKEN against the node's adminToken`,
    );
  });

  it("a release of a dialog the node does not hold: exit 1 with the node's answer (--token, CLEARDOWN_ADMIN)", async () => {
    const r = await cleardown(["release", "--token", TOKEN, "no-such-call@test"], { CLEARDOWN_ADMIN: node.adminUrl });
    expect(r.code).toBe(1);
    expect(oneLine(r)).toBe("the node answered 404: no dialog with Call-ID no-such-call@test");
  });
});

describe("npx cleardown", () => {
  it("runs the checkout's bin/cleardown.js (the README's commands as written)", async () => {
    const { stdout } = await promisify(execFile)("npx", ["--offline", "--no-install", "cleardown", "--version"], {
      cwd: projectDir,
      timeout: 60_000,
    });
    expect(stdout.trim()).toMatch(/^cleardown \d+\.\d+\.\d+/);
  });
});
