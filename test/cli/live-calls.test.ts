// Issue 19 item 2: `cleardown calls` against a GMSC carrying a real call (SIPp on both sides, the Erlang megaco MG):
// both legs and their states, the terminations seized and their contexts, as text and --json.
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
  });
});
