// The network-internal indications besides the admin API: RFC 4028 session-timer expiry (the S-CSCF asked for
// refreshes and none came) and deregistration of the served user's last binding; a bulk release; and the admin
// API's answers to bad requests. SIPp plays the UEs; each BYE's Reason is the one the rule file's table gives.
import { describe, expect, it } from "vitest";
import type { Clock } from "../../../src/nodes/scscf/session-timers.ts";
import { freeUdpPort } from "../../support/free-port.ts";
import {
  ALICE,
  BOB,
  bye,
  deregisterUe,
  eventually,
  lastRequest,
  type PlacedCall,
  placeCall,
  registerUe,
  releaseCall,
  scscfForTest,
} from "./scscf-harness.ts";

const C = "24.229:5.4.5.1.2";

/** A clock running `k` times faster than real time, for the S-CSCF's session timers and registrar. */
function fastClock(k: number): Clock {
  const start = Date.now();
  return {
    now: () => start + (Date.now() - start) * k,
    setTimer: (fn, ms) => setTimeout(fn, ms / k),
  };
}

const withReason = (checks: ReturnType<typeof bye>, reason: string) => ({
  ...checks,
  headers: { ...checks.headers, Reason: reason },
});

describe("S-CSCF: network-internal indications and the admin API (SIPp UEs)", () => {
  it(`${C}/intro ${C}/1.g ${C}/2.g session-timer expiry (RFC 4028): the S-CSCF asked for a session timer, nobody refreshed, it releases with the session-timer Reason`, async () => {
    // 90 s session interval at 150× speed: the release comes min(32 s, 90 s/3) before expiry, 0.4 s of real time.
    const s = await scscfForTest("udp", { scscf: { sessionTimer: 90 } }, fastClock(150));
    const callId = "sipp-session-timer-1@127.0.0.1";
    const reason = 'SIP ;cause=408 ;text="Session Timer Expired"';
    const { call } = await releaseCall(
      s,
      { scscf: s, served: "calling", callId, fromTag: "ast", toTag: "bst", cseq: 1 },
      (p) => ({
        toCallee: withReason(bye(p.calleeContact, BOB, "bst", ALICE, "ast", callId, "2 BYE", null), reason),
        toCaller: withReason(
          bye(p.callerContact, ALICE, "ast", BOB, "bst", callId, { regex: "[0-9]{1,10} BYE" }, p.callerPcscf),
          reason,
        ),
      }),
      // The timer fires by itself: no admin call.
      { trigger: async () => undefined },
    );
    // RFC 4028 §8: the S-CSCF put Session-Expires into the INVITE, and into the 2xx (refresher=uac, the UAS
    // did not take the timer but the UAC supports it).
    expect(lastRequest(call.callee.messages(), "INVITE").headers["Session-Expires"]).toBe("90");
    expect(call.caller.messages()).toMatch(/Session-Expires: 90;refresher=uac/);
  });

  it(`${C}/intro ${C}/3.g ${C}/4.g deregistration of the served user's last binding releases its sessions with the deregistration Reason`, async () => {
    const s = await scscfForTest("udp", { scscf: { registrarTrusted: ["127.0.0.1"] } });
    const calleePort = await freeUdpPort();
    const instance = "urn:uuid:00000000-0000-4000-8000-00000000b0b3";
    const bob = await registerUe(s, "bob", calleePort, instance);
    const callId = "sipp-dereg-1@127.0.0.1";
    const reason = 'SIP ;cause=480 ;text="User Deregistered"';
    await releaseCall(
      s,
      {
        scscf: s,
        served: "called",
        callId,
        fromTag: "adr",
        toTag: "bdr",
        cseq: 60,
        calleePort,
        calleeContact: bob.contact,
        calledUri: BOB,
      },
      (p) => ({
        toCallee: withReason(bye(bob.contact, BOB, "bdr", ALICE, "adr", callId, "61 BYE", null), reason),
        toCaller: withReason(
          bye(p.callerContact, ALICE, "adr", BOB, "bdr", callId, { regex: "[0-9]{1,10} BYE" }, p.callerPcscf),
          reason,
        ),
      }),
      {
        trigger: async () => {
          await deregisterUe(s, "bob", calleePort, instance);
          return undefined;
        },
      },
    );
    expect(await s.node.registrar.contactsOf(BOB)).toEqual([]);
  });

  it(`${C}/intro a bulk release of every dialog, then the admin API's answers: 401, 404, 400 with the known causes, 409`, async () => {
    const s = await scscfForTest("udp");
    const expired = 'SIP ;cause=503 ;text="Service Expired"';
    const calls: PlacedCall[] = [];
    for (const n of [1, 2]) {
      const callId = `sipp-bulk-${n}@127.0.0.1`;
      const [a, b] = [`ab${n}`, `bb${n}`];
      calls.push(
        await placeCall({ scscf: s, served: "calling", callId, fromTag: a, toTag: b, cseq: 10 * n }, (p) => ({
          toCallee: withReason(bye(p.calleeContact, BOB, b, ALICE, a, callId, `${10 * n + 1} BYE`, null), expired),
          toCaller: withReason(
            bye(p.callerContact, ALICE, a, BOB, b, callId, { regex: "[0-9]{1,10} BYE" }, p.callerPcscf),
            expired,
          ),
        })),
      );
    }
    const listed = await eventually(
      () => s.admin("GET", "/v1/dialogs"),
      (r) => r.body.dialogs.filter((d: { state: string }) => d.state === "confirmed").length === 2,
      "two confirmed dialogs",
    );
    expect(listed.body.dialogs.map((d: { servedIdentity: string }) => d.servedIdentity)).toEqual([ALICE, ALICE]);
    await eventually(
      async () =>
        calls.every((_c, i) =>
          (s.node.shell.traces.get(`sipp-bulk-${i + 1}@127.0.0.1`) ?? []).some((e) => e.label === "ACK"),
        ),
      (ok) => ok,
      "both ACKs forwarded",
    );

    expect((await s.admin("POST", "/v1/dialogs/release", { all: true }, "wrong-token")).status).toBe(401);
    const none = await s.admin("POST", "/v1/dialogs/release", { servedIdentity: "sip:carol@home.test" });
    expect(none.body).toMatchObject({ matched: 0, started: 0 });
    const badCause = await s.admin("POST", "/v1/dialogs/release", { all: true, cause: "because" });
    expect(badCause.status).toBe(400);
    expect(badCause.body.error).toBe(
      'cause: expected one of administrative, session-timer, deregistration, service-expiry; found "because"',
    );
    const badBody = await s.admin("POST", "/v1/dialogs/release", { all: true, extra: 1 });
    expect(badBody).toMatchObject({
      status: 400,
      body: {
        error:
          'request body: /extra: unknown key "extra"; expected one of the keys "all", "servedIdentity", "cause", "text"',
      },
    });

    const bulk = await s.admin("POST", "/v1/dialogs/release", { all: true, cause: "service-expiry" });
    expect(bulk).toMatchObject({ status: 202, body: { cause: "service-expiry", matched: 2, started: 2 } });
    const again = await s.admin("POST", `/v1/dialogs/${encodeURIComponent("sipp-bulk-1@127.0.0.1")}/release`, {});
    expect([404, 409]).toContain(again.status);
    await Promise.all(calls.flatMap((c) => [c.caller.succeeded(), c.callee.succeeded()]));
    for (const c of calls) expect(lastRequest(c.callee.messages(), "BYE").headers.Reason).toBe(expired);
    await eventually(
      () => s.node.dialogs.size(),
      (n) => n === 0,
      "no dialog left",
    );
    expect((await s.admin("GET", "/v1/dialogs/nope")).status).toBe(404);
    expect((await s.admin("POST", "/v1/dialogs/nope/release", {})).status).toBe(404);
  });
});
