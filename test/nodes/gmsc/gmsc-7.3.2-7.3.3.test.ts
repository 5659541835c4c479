// TS 23.231 §7.3.2 (GMSC-initiated clearing, through the admin API) and §7.3.3 (MGW-initiated: a Notify of g/cause
// from the Erlang megaco MG, or a ServiceChange Forced) at the wire, by call state: answered, or ringing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validator } from "../../../src/rules/schema-registry.ts";
import {
  bearerReleased,
  established,
  expectBothReleased,
  noCallsLeft,
  one,
  ringing,
  terminationsOf,
} from "./call-checks.ts";
import { type CallRun, type GmscHarness, startGmscHarness, subtractsOf } from "./gmsc-harness.ts";
import { headerOf, ladder, messages } from "./wire.ts";

let h: GmscHarness;
beforeAll(async () => {
  h = await startGmscHarness();
}, 120_000);
afterAll(async () => h?.close());

const normalClearing = 'Q.850 ;cause=16 ;text="Normal call clearing"';
const networkOutOfOrder = 'Q.850 ;cause=38 ;text="Network out of order"';

/** The BYE each side got, checked as the leg's own dialog builds it, with the clearing Reason. */
function expectByeBothSides(c: CallRun, reason: string) {
  // Each side answers its BYE (with RLC); the GMSC sends nothing more to either.
  expect(ladder(c.toSucceeding())).toEqual(["INVITE", "ACK", "BYE"]);
  expect(ladder(c.toPreceding())).toEqual(["100 Trying (INVITE)", "180 Ringing (INVITE)", "200 OK (INVITE)", "BYE"]);
  const down = one(messages(c.toSucceeding(), /^BYE /), "BYE downstream");
  expect(down.start).toBe(`BYE sip:msc-b@127.0.0.1:${h.succeedingTap.port} SIP/2.0`);
  expect(headerOf(down, "CSeq")).toBe("2 BYE");
  expect(headerOf(down, "Reason")).toBe(reason);
  const up = one(messages(c.toPreceding(), /^BYE /), "BYE upstream");
  expect(up.start).toBe(`BYE sip:msc-a@127.0.0.1:${h.precedingTap.port} SIP/2.0`);
  expect(headerOf(up, "Call-ID")).toBe(c.callId);
  expect(headerOf(up, "CSeq")).toBe("1 BYE");
  expect(headerOf(up, "Reason")).toBe(reason);
}

/** The ringing call cleared on both sides: CANCEL downstream, a final failure response upstream. */
function expectCancelAndFailure(c: CallRun, status: string, reason: string) {
  expect(ladder(c.toSucceeding())).toEqual(["INVITE", "CANCEL", "ACK"]);
  expect(headerOf(one(messages(c.toSucceeding(), /^CANCEL /), "CANCEL"), "Reason")).toBe(reason);
  expect(ladder(c.toPreceding())).toEqual(["100 Trying (INVITE)", "180 Ringing (INVITE)", `${status} (INVITE)`]);
  expect(headerOf(one(messages(c.toPreceding(), new RegExp(`^SIP/2\\.0 ${status}`)), status), "Reason")).toBe(reason);
}

describe("TS 23.231 §7.3.2 GMSC server initiated call clearing", () => {
  it("23.231:7.3.2/1 23.231:7.3.2/2 x-23.231:7.3.2/clear-originating-side 23.231:7.3.4/2 POST /v1/calls/{callId}/release of an answered call: 202 with the plans and their clause ids, both terminations subtracted, BYE with Reason to each side", async () => {
    const c = await established(h);
    const r = await h.admin("POST", `/v1/calls/${c.callId}/release`, { cause: "administrative" });
    expect(r.status).toBe(202);
    expect(
      r.body.plans.map(
        (p: { kind: string; towards?: { value: string } }) => `${p.kind}${p.towards ? ` ${p.towards.value}` : ""}`,
      ),
    ).toEqual([
      "h248-subtract",
      "state-update", // 23.231:7.3.4/1 termination.seized := false, the rule's onSent
      "h248-subtract",
      "state-update",
      "state-update",
      "sip-bye succeeding",
      "sip-bye preceding",
    ]);
    const released = r.body.plans.filter((p: { kind: string; set?: Array<{ path: string }> }) =>
      p.set?.some((s) => s.path.startsWith("call.terminations.")),
    );
    expect(released.map((p: { set: unknown[] }) => p.set)).toEqual([
      [{ path: "call.terminations.0.seized", value: false, trace: ["23.231:7.3.4/1"] }],
      [{ path: "call.terminations.1.seized", value: false, trace: ["23.231:7.3.4/1"] }],
    ]);
    expect(r.body.clauses).toEqual(
      expect.arrayContaining([
        "23.231:7.3.2/1",
        "23.231:7.3.2/2",
        "23.231:7.3.4/2",
        "x-23.231:7.3.2/clear-originating-side",
      ]),
    );
    await c.done();
    await expectBothReleased(h, c);
    expectByeBothSides(c, normalClearing);
  });

  it("23.231:7.3.2/2 x-23.231:7.3.2/clear-originating-side GMSC-initiated clearing while the destination rings: CANCEL downstream, 480 upstream, both with the Reason; both terminations subtracted", async () => {
    const c = await ringing(h, 480);
    const r = await h.admin("POST", `/v1/calls/${c.callId}/release`, {});
    expect(r.status).toBe(202);
    await c.done();
    await expectBothReleased(h, c);
    expectCancelAndFailure(c, "480 Temporarily Unavailable", normalClearing);
  });
});

describe("x-23.231:7.3.2/2xx-crossing-own-cancel", () => {
  it("x-23.231:7.3.2/2xx-crossing-own-cancel 23.231:7.3.2/2 the succeeding node's 200 OK crosses the CANCEL of a GMSC-initiated clearing: ACKed and ended with a BYE (its own CSeq, the clearing Reason), 480 upstream, each termination subtracted once", async () => {
    const c = await h.call({
      preceding: "gmsc-preceding-rejected.xml",
      succeeding: "gmsc-succeeding-2xx-crossing.xml",
      fill: { STATUS: 480 },
    });
    await h.waitFor("the destination ringing", async () => {
      const r = await h.admin("GET", `/v1/calls/${c.callId}`);
      return r.status === 200 && r.body.call.succeeding.state === "early";
    });
    expect((await h.admin("POST", `/v1/calls/${c.callId}/release`, {})).status).toBe(202);
    await c.done();
    await expectBothReleased(h, c);
    expect(ladder(c.toSucceeding())).toEqual(["INVITE", "CANCEL", "ACK", "BYE"]);
    expect(headerOf(one(messages(c.toSucceeding(), /^CANCEL /), "CANCEL"), "Reason")).toBe(normalClearing);
    const ack = one(messages(c.toSucceeding(), /^ACK /), "ACK of the 2xx");
    expect(headerOf(ack, "To")).toMatch(/;tag=\d+MscB1$/);
    expect(headerOf(ack, "CSeq")).toBe("1 ACK");
    const bye = one(messages(c.toSucceeding(), /^BYE /), "BYE ending the dialog the 2xx made");
    expect(bye.start).toBe(`BYE sip:msc-b@127.0.0.1:${h.succeedingTap.port} SIP/2.0`);
    expect(headerOf(bye, "CSeq")).toBe("2 BYE");
    expect(headerOf(bye, "Reason")).toBe(normalClearing);
    expect(ladder(c.toPreceding())).toEqual([
      "100 Trying (INVITE)",
      "180 Ringing (INVITE)",
      "480 Temporarily Unavailable (INVITE)",
    ]);
    const decided = h.logs.filter(
      (l) =>
        l.msg === "decided" &&
        l.callId === c.callId &&
        (l.event as { type: string }).type === "final-response-received",
    ) as Array<{ plans: Array<{ rule: string; kind: string }> }>;
    expect(decided).toHaveLength(1);
    expect(decided[0].plans.map((p) => `${p.kind} ${p.rule}`)).toEqual([
      "sip-ack x-23.231:7.3.2/2xx-crossing-own-cancel#ack-and-bye",
      "sip-bye x-23.231:7.3.2/2xx-crossing-own-cancel#ack-and-bye",
      "state-update x-23.231:7.3.2/2xx-crossing-own-cancel#ack-and-bye",
    ]);
    await noCallsLeft(h);
  });
});

describe("TS 23.231 §7.3.3 MGW-initiated call clearing", () => {
  it("23.231:7.3.3/1 23.231:7.3.4/2 Bearer Released (Notify g/cause) on the destination-side termination of an answered call: Notify answered, both terminations subtracted, BYE with Reason cause 38 to the destination and the originating side", async () => {
    const c = await established(h);
    const { dest } = terminationsOf(c);
    const reply = bearerReleased(h, dest);
    await c.done();
    expect(await reply).toMatchObject({ termination: dest.terminationId, ok: true });
    await expectBothReleased(h, c);
    expectByeBothSides(c, networkOutOfOrder);
  });

  it("23.231:7.3.3/2 23.231:7.3.3/3 Bearer Released on the originating-side termination of an answered call: cleared towards the originating side and, the call being established towards the destination, towards it too", async () => {
    const c = await established(h);
    const { orig } = terminationsOf(c);
    const reply = bearerReleased(h, orig);
    await c.done();
    expect((await reply).ok).toBe(true);
    await expectBothReleased(h, c);
    expectByeBothSides(c, networkOutOfOrder);
  });

  it("23.231:7.3.3/2 23.231:7.3.3/3 Bearer Released on the originating side while the destination rings (under establishment): 503 upstream, CANCEL downstream", async () => {
    const c = await ringing(h, 503);
    const { orig } = terminationsOf(c);
    const reply = bearerReleased(h, orig);
    await c.done();
    expect((await reply).ok).toBe(true);
    await expectBothReleased(h, c);
    expectCancelAndFailure(c, "503 Service Unavailable", networkOutOfOrder);
  });

  it("23.231:7.3.3/1 Bearer Released on the destination side while it rings: CANCEL downstream, 503 upstream", async () => {
    const c = await ringing(h, 503);
    const { dest } = terminationsOf(c);
    const reply = bearerReleased(h, dest);
    await c.done();
    expect((await reply).ok).toBe(true);
    await expectBothReleased(h, c);
    expectCancelAndFailure(c, "503 Service Unavailable", networkOutOfOrder);
  });

  it("23.231:7.3.3/1 a ServiceChange Forced taking the destination-side termination out of service is a bearer loss: both terminations subtracted, BYE with cause 38 to both sides", async () => {
    const c = await established(h);
    const { dest } = terminationsOf(c);
    h.mg.forceOutOfService(dest.terminationId);
    await c.done();
    await expectBothReleased(h, c);
    expectByeBothSides(c, networkOutOfOrder);
  });

  it("23.231:7.3.3/1 23.231:7.3.3/2 a ServiceChange Forced on ROOT (the whole MGW out of service): every seized termination of the call is a Bearer Released (bearer-out-of-service), the call cleared once, each termination subtracted once", async () => {
    const c = await established(h);
    h.mg.forceOutOfService("root");
    await c.done();
    await expectBothReleased(h, c);
    expectByeBothSides(c, networkOutOfOrder);
    const raised = h.logs
      .filter((l) => l.msg === "decided" && l.callId === c.callId)
      .map((l) => l.event as { type: string; side?: string; cause?: string })
      .filter((e) => e.type === "bearer-released");
    expect(raised.map((e) => `${e.side} ${e.cause}`).sort()).toEqual([
      "destination bearer-out-of-service",
      "originating bearer-out-of-service",
    ]);
    // The MGW comes back (ServiceChange Restart): the audit finds nothing to release, the next calls are served.
    const mark = h.mg.lines().length;
    h.mg.restart("restart");
    await h.waitFor("the audit after the restart", () =>
      h.mg
        .lines()
        .slice(mark)
        .some((l) => l.event === "command" && l.command === "AuditValue"),
    );
  });
});

describe("GMSC admin API", () => {
  it("lists the calls it holds, shows one by either leg's Call-ID, and refuses a bad release request with the place and what was expected", async () => {
    const c = await established(h);
    const { orig, dest } = terminationsOf(c);
    const list = await h.admin("GET", "/v1/calls");
    expect(list.status).toBe(200);
    expect(list.body.calls).toHaveLength(1);
    const [entry] = list.body.calls;
    expect(entry).toMatchObject({
      callId: c.callId,
      preceding: "confirmed",
      succeeding: "confirmed",
      clearing: false,
      seized: [`${orig.contextId}/${orig.terminationId}`, `${dest.contextId}/${dest.terminationId}`],
    });
    const bySucceeding = await h.admin("GET", `/v1/calls/${encodeURIComponent(entry.succeedingCallId)}`);
    expect(bySucceeding.status).toBe(200);
    expect(bySucceeding.body).toMatchObject({
      callId: c.callId,
      succeeding: { peer: `udp://127.0.0.1:${h.succeedingTap.port}` },
    });
    // The route is kept once, as the succeeding leg's peer (the listing names it routeTarget).
    expect(bySucceeding.body.routeTarget).toBeUndefined();
    expect(entry.routeTarget).toBe(`udp://127.0.0.1:${h.succeedingTap.port}`);
    expect(bySucceeding.body.succeeding.dialog).toMatchObject({
      callId: entry.succeedingCallId,
      localSeq: 1,
      remoteSeq: null,
    });
    // What the store keeps (memory here, Redis when scaled out) is a valid CallRecord of store.schema.json, with
    // the node that wrote it last and its version beside it.
    const { callId: _key, store, ...record } = bySucceeding.body;
    const valid = validator("store", "CallRecord");
    expect(valid(record), JSON.stringify(valid.errors)).toBe(true);
    expect(store.owner).toBe("GMSC");
    expect(store.version).toBeGreaterThanOrEqual(3);

    // The body is the ReleaseRequest of schemas/admin.schema.json, checked by the admin API's one body checker.
    expect(await h.admin("POST", `/v1/calls/${c.callId}/release`, { cause: 5 })).toEqual({
      status: 400,
      body: { error: "request body: /cause: expected a string, found 5" },
    });
    expect(await h.admin("POST", `/v1/calls/${c.callId}/release`, { reason: "x" })).toEqual({
      status: 400,
      body: { error: 'request body: /reason: unknown key "reason"; expected one of the keys "cause", "text"' },
    });
    const crlf = await h.admin("POST", `/v1/calls/${c.callId}/release`, { text: "Bye\r\nVia: evil" });
    expect(crlf.status).toBe(400);
    expect(crlf.body.error).toMatch(/^request body: \/text: expected .*no CR, LF/);
    expect(await h.admin("POST", "/v1/calls/unknown@example.net/release", {})).toEqual({
      status: 404,
      body: { error: "no call with Call-ID unknown@example.net (preceding or succeeding leg)" },
    });
    // A cause the rules in force do not know (tables.reasonByCause) is refused, listing those they know.
    expect(await h.admin("POST", `/v1/calls/${c.callId}/release`, { cause: "operator-request" })).toEqual({
      status: 400,
      body: { error: 'cause: expected one of administrative, overload; found "operator-request"' },
    });
    // Nothing of that touched the call.
    expect(subtractsOf(c.mgCommands())).toEqual([]);
    expect((await h.admin("POST", `/v1/calls/${c.callId}/release`, { cause: "overload" })).status).toBe(202);
    await c.done();
    await expectBothReleased(h, c);
  });

  it("23.231:7.3.2/1 a release of a call already being cleared: 409, the rules plan nothing more (no second BYE, no Subtract)", async () => {
    // The succeeding node answers its BYE late, so the clearing is still under way when the second request comes.
    const c = await established(h, "gmsc-preceding-wait-bye.xml", { BYE_ANSWER_MS: 800 });
    expect((await h.admin("POST", `/v1/calls/${c.callId}/release`, {})).status).toBe(202);
    await h.waitFor("the BYE downstream", () => messages(c.toSucceeding(), /^BYE /).length === 1);
    const again = await h.admin("POST", `/v1/calls/${c.callId}/release`, { cause: "overload" });
    expect(again).toEqual({
      status: 409,
      body: { error: `call ${c.callId}: the rules in force plan nothing for it (a clearing is under way)` },
    });
    await c.done();
    await expectBothReleased(h, c);
    expect(messages(c.toSucceeding(), /^BYE /)).toHaveLength(1);
    expect(messages(c.toPreceding(), /^BYE /)).toHaveLength(1);
  });
});
