// What the GMSC tests share: calls brought to a state (answered, ringing) before the event under test, a Bearer
// Released from the MG, and the check that exactly the seized terminations were subtracted, once each.
import { expect } from "vitest";
import type { MgLine } from "../../peers/megaco/mg.ts";
import { addsOf, type CallRun, type GmscHarness, subtractsOf } from "./gmsc-harness.ts";
import type { messages } from "./wire.ts";

async function callState(
  h: GmscHarness,
  c: CallRun,
  ok: (call: { preceding: { state: string }; succeeding: { state: string } }) => boolean,
) {
  let last: unknown;
  await h
    .waitFor(`call ${c.callId} in the state the test needs`, async () => {
      const r = await h.admin("GET", `/v1/calls/${c.callId}`);
      last = r.status === 200 ? r.body.call : r.status;
      return r.status === 200 && ok(r.body.call);
    })
    .catch(async (err: Error) => {
      // What a flake needs to be told apart: the call as the GMSC last had it, its ladder, the node's log lines
      // for it, what the MG decoded, and each SIPp's errors.
      const trace = await h.admin("GET", `/v1/calls/${c.callId}/trace`).catch(() => undefined);
      const ladder = (trace?.body?.entries ?? []) as Array<{ label: string; direction?: string }>;
      const logs = h.logs.filter((l) => JSON.stringify(l).includes(c.callId)).slice(-20);
      throw new Error(
        [
          err.message,
          `last seen: ${JSON.stringify(last)}`,
          `ladder: ${ladder.map((e) => `${e.direction ?? ""} ${e.label}`).join(" | ")}`,
          `node log: ${logs.map((l) => JSON.stringify(l)).join("\n")}`,
          `MG: ${JSON.stringify(c.mgCommands())}`,
          `preceding SIPp: ${c.caller.errors().slice(-1500)}`,
          `succeeding SIPp: ${c.callee.errors().slice(-1500)}`,
        ].join("\n"),
      );
    });
}

/** A call answered on both legs; the preceding SIPp plays `preceding` from then on. */
export async function established(
  h: GmscHarness,
  preceding = "gmsc-preceding-wait-bye.xml",
  succeedingFill: Record<string, string | number> = {},
  fill: Record<string, string | number> = {},
): Promise<CallRun> {
  const c = await h.call({ preceding, succeeding: "gmsc-succeeding-answer.xml", succeedingFill, fill });
  await callState(h, c, (call) => call.preceding.state === "confirmed" && call.succeeding.state === "confirmed");
  return c;
}

/** A call whose destination rings; the preceding node expects the final response `status`. */
export async function ringing(h: GmscHarness, status: number): Promise<CallRun> {
  const c = await h.call({
    preceding: "gmsc-preceding-rejected.xml",
    succeeding: "gmsc-succeeding-ring-cancel.xml",
    fill: { STATUS: status },
  });
  await callState(h, c, (call) => call.succeeding.state === "early");
  return c;
}

/** The call's originating- and destination-side terminations, as the MG's Add commands gave them. */
export function terminationsOf(c: CallRun) {
  const [orig, dest] = addsOf(c.mgCommands());
  return { orig, dest };
}

/** Has the MG send Notify g/cause for a termination; resolves with the MG's line about the MGC's reply. */
export function bearerReleased(h: GmscHarness, t: { contextId: number; terminationId: string }): Promise<MgLine> {
  const before = h.mg.lines().filter((l) => l.event === "notify-reply").length;
  h.mg.sendBearerReleased(t.terminationId, { contextId: t.contextId, requestId: 1 });
  return h.waitFor("the Notify reply at the MG", () => h.mg.lines().filter((l) => l.event === "notify-reply")[before]);
}

/**
 * Both terminations the call's Add seized were subtracted once each, and nothing else was subtracted; in plan order
 * (originating first) unless `anyOrder` (a lost Subtract arrives after the next one).
 */
export async function expectBothReleased(h: GmscHarness, c: CallRun, anyOrder = false): Promise<void> {
  const adds = addsOf(c.mgCommands());
  expect(adds).toHaveLength(2);
  // The MG prints a command when it has decoded it; the SIP side does not wait for that.
  await h.waitFor("the MG's Subtracts", () => subtractsOf(c.mgCommands()).length >= 2);
  const seized = adds.map((a) => `${a.contextId}/${a.terminationId}`);
  const subtracted = subtractsOf(c.mgCommands());
  if (anyOrder) expect([...subtracted].sort()).toEqual([...seized].sort());
  else expect(subtracted).toEqual(seized);
}

/**
 * The node holds no call: waited for, as a call's record goes when the node has handled the last answer of it, which
 * SIPp sent just before it exited (its end does not wait for the node).
 */
export async function noCallsLeft(h: GmscHarness): Promise<void> {
  await h.waitFor("no call left at the GMSC", async () => (await h.admin("GET", "/v1/calls")).body.calls.length === 0);
  expect((await h.admin("GET", "/v1/calls")).body.calls).toEqual([]);
}

export function one(list: ReturnType<typeof messages>, what: string) {
  expect(list, what).toHaveLength(1);
  return list[0];
}
