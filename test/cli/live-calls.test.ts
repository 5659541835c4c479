// Issue 19 item 2: `cleardown calls` against a GMSC carrying a real call (SIPp on both sides, the Erlang megaco MG):
// both legs and their states, the terminations seized and their contexts, as text and --json; its release; and its
// capture (cleardown trace --pcap) dissected by tshark as SIP and MEGACO.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { established, terminationsOf } from "../nodes/gmsc/call-checks.ts";
import { type GmscHarness, startGmscHarness, token } from "../nodes/gmsc/gmsc-harness.ts";
import { cleardown } from "../support/cleardown-run.ts";

let h: GmscHarness;
beforeAll(async () => {
  h = await startGmscHarness();
});
afterAll(async () => h?.close());

describe("cleardown calls (GMSC)", () => {
  it("23.231:7.3.2/1 an answered call: both legs confirmed, the two seized terminations with their contexts; released, it is gone", async () => {
    const c = await established(h);
    const { orig, dest } = terminationsOf(c);
    const env = { CLEARDOWN_ADMIN: h.node.adminUrl, CLEARDOWN_ADMIN_TOKEN: token };
    const text = await cleardown(["calls"], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^CALL-ID \(PRECEDING\)\s+SUCCEEDING CALL-ID\s+LEGS\s+CLEARING\s+SEIZED/m);
    const row = text.stdout.split("\n").find((l) => l.startsWith(c.callId));
    expect(row).toMatch(
      new RegExp(
        `^${c.callId.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s+\\S+\\s+confirmed/confirmed\\s+no\\s+${orig.contextId}/${orig.terminationId} ${dest.contextId}/${dest.terminationId}\\s+\\d+s\\s+GMSC$`,
      ),
    );
    const json = JSON.parse((await cleardown(["calls", "--json"], env)).stdout);
    expect(json.items).toHaveLength(1);
    expect(json.items[0]).toMatchObject({
      callId: c.callId,
      preceding: "confirmed",
      succeeding: "confirmed",
      clearing: false,
      seized: [`${orig.contextId}/${orig.terminationId}`, `${dest.contextId}/${dest.terminationId}`],
      contexts: [...new Set([String(orig.contextId), String(dest.contextId)])],
      owner: "GMSC",
    });
    const released = await cleardown(["release", c.callId], env);
    expect(released.code, released.stderr).toBe(0);
    expect(released.stdout).toContain(`release of ${c.callId} started (gmsc)`);
    expect(released.stdout).toMatch(
      /^ {2}h248-subtract {2}23\.231:7\.3\.2\/1#release-termination {2}\[23\.231:7\.3\.2\/1, /m,
    );
    expect(released.stdout).toMatch(/^ {2}sip-bye {8}23\.231:7\.3\.2\/2#destination-bye {2}/m);
    await c.done();
    await h.waitFor("the call gone", async () => (await h.admin("GET", "/v1/calls")).body.calls.length === 0);
    expect((await cleardown(["calls"], env)).stdout.trim()).toBe("0 calls");

    // Its capture: the SIP of both legs and the H.248 Add and Subtracts with their replies, which tshark dissects
    // as SIP and MEGACO (the MGC's port is not H.248's registered one: -d names it), none malformed.
    const dir = mkdtempSync(join(tmpdir(), "cleardown-gmsc-pcap-"));
    try {
      const file = join(dir, "call.pcap");
      const wrote = await cleardown(["trace", "--pcap", file, c.callId], env);
      expect(wrote.code, wrote.stderr).toBe(0);
      const mgcPort = new URL(String(h.node.shell.options.config.gmsc?.mgc)).port;
      const tshark = async (...args: string[]) =>
        (
          await promisify(execFile)("tshark", ["-r", file, "-d", `udp.port==${mgcPort},megaco`, ...args], {
            timeout: 60_000,
            env: { ...process.env, HOME: dir },
          })
        ).stdout;
      expect(await tshark("-Y", "_ws.malformed")).toBe("");
      const rows = (await tshark("-T", "fields", "-e", "frame.protocols", "-e", "megaco.command"))
        .trim()
        .split("\n")
        .map((l) => l.split("\t"));
      const megaco = rows.filter(([p]) => p.includes("megaco"));
      expect(rows.filter(([p]) => p.includes(":sip")).length).toBeGreaterThanOrEqual(6);
      expect(megaco.map(([, command]) => command).join(" ")).toMatch(/Add.*Subtract.*Subtract/s);
      expect(megaco.length).toBeGreaterThanOrEqual(6); // Add and its reply, Modify, two Subtracts and their replies
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("23.231:7.3.2/1 cleardown release --all clears every call the GMSC holds", async () => {
    const c = await established(h);
    const env = { CLEARDOWN_ADMIN: h.node.adminUrl, CLEARDOWN_ADMIN_TOKEN: token };
    const r = await cleardown(["release", "--all"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("release of every call: 1 matched, 1 started, 0 not started (ended meanwhile)");
    await c.done();
    await h.waitFor("the call gone", async () => (await h.admin("GET", "/v1/calls")).body.calls.length === 0);
    const served = await cleardown(["release", "--served", "sip:alice@home.example"], env);
    expect(served.code).toBe(2);
    expect(served.stderr.trim()).toBe("cleardown release --served: a GMSC serves no users; give a CALL-ID or --all");
  });
});
