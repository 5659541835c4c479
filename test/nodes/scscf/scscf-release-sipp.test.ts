// TS 24.229 §5.4.5.1.2 on the wire: SIPp plays both UEs, a call is set up through the S-CSCF node, the release
// comes through the admin API, and each UE's scenario checks its BYE field by field before answering 200; the
// test then asserts the same values from SIPp's message log and that the S-CSCF holds no state.
import { describe, expect, it } from "vitest";
import { freeUdpPort } from "../../support/free-port.ts";
import {
  ALICE,
  BOB,
  bye,
  byeRules,
  eventually,
  type Json,
  lastRequest,
  placeCall,
  REASON_ADMIN,
  registerUe,
  releaseCall,
  scscfForTest,
} from "./scscf-harness.ts";

const C = "24.229:5.4.5.1.2";

describe("S-CSCF releases a session it learnt from live SIPp traffic", () => {
  it(`${C}/1 ${C}/1.a ${C}/1.b ${C}/1.c ${C}/1.d ${C}/1.e ${C}/1.f ${C}/1.g ${C}/2 ${C}/2.b ${C}/2.c ${C}/2.d ${C}/2.e ${C}/2.f ${C}/2.g ${C}/closing serving the calling user over UDP: BYE to each party built from the stored dialog`, async () => {
    const s = await scscfForTest("udp");
    const callId = "sipp-orig-udp-1@127.0.0.1";
    const call = await placeCall(
      {
        scscf: s,
        served: "calling",
        callId,
        fromTag: "alice-tag-1",
        toTag: "bob-tag-1",
        cseq: 101,
        cseq2: 102,
        calleePcscf: true,
      },
      (p) => ({
        toCallee: {
          method: "BYE",
          requestUri: p.calleeContact,
          headers: {
            To: `<${BOB}>;tag=bob-tag-1`,
            From: `<${ALICE}>;tag=alice-tag-1`,
            "Call-ID": callId,
            CSeq: "103 BYE",
            Route: p.calleePcscf!,
            Reason: REASON_ADMIN,
            "Max-Forwards": "70",
          },
        },
        toCaller: {
          method: "BYE",
          requestUri: p.callerContact,
          headers: {
            To: `<${ALICE}>;tag=alice-tag-1`,
            From: `<${BOB}>;tag=bob-tag-1`,
            "Call-ID": callId,
            CSeq: { regex: "[0-9]{1,10} BYE" },
            Route: p.callerPcscf,
            Reason: REASON_ADMIN,
            "Max-Forwards": "70",
          },
        },
      }),
    );
    await eventually(
      () => s.admin("GET", `/v1/dialogs/${encodeURIComponent(callId)}`),
      (r) => r.status === 200 && r.body.dialog.state === "confirmed" && r.body.dialog.cseqCallingToCalled === 102,
      "dialog confirmed after the re-INVITE",
    );
    const released = await s.admin("POST", `/v1/dialogs/${encodeURIComponent(callId)}/release`, {
      cause: "administrative",
    });
    expect(released.status).toBe(202);
    expect(
      released.body.plans.filter((p: { kind: string }) => p.kind === "sip-request").map((p: Json) => p.rule),
    ).toEqual([`${C}/1#bye-to-called`, `${C}/2#bye-to-calling`]);
    await Promise.all([call.caller.succeeded(), call.callee.succeeded()]);

    const toCaller = lastRequest(call.caller.messages(), "BYE");
    const cseq = Number(toCaller.headers.CSeq.split(" ")[0]);
    // 2.e: no CSeq stored for the called→calling direction: a random one within 1..2^31-1.
    expect(cseq).toBeGreaterThanOrEqual(1);
    expect(cseq).toBeLessThanOrEqual(2 ** 31 - 1);
    expect(lastRequest(call.callee.messages(), "BYE").headers.CSeq).toBe("103 BYE");
    await eventually(
      () => s.node.dialogs.size(),
      (n) => n === 0,
      "dialog released after 2xx to both BYEs",
    );
    // What the release left in /metrics (Prometheus text): per rule, the latency of both BYEs, the store.
    const metrics = String((await s.admin("GET", "/metrics")).body);
    for (const line of [
      // Started and completed under one label, the rule that started the release (item 1); the rules that can
      // start one and did not have their zero.
      `cleardown_releases_started_total{rule="${C}/1#bye-to-called"} 1`,
      `cleardown_releases_completed_total{rule="${C}/1#bye-to-called"} 1`,
      `cleardown_releases_failed_total{rule="${C}/1#bye-to-called"} 0`,
      `cleardown_releases_started_total{rule="${C}/3#bye-to-called"} 0`,
      `cleardown_releases_started_total{rule="24.229:5.4.5.1.1/intro#cancel-early-dialog"} 0`,
      "cleardown_bye_final_response_seconds_count 2",
      "cleardown_dialogs_in_store 0",
    ])
      expect(metrics.split("\n")).toContain(line);
  });

  it(`${C}/3 ${C}/3.a ${C}/3.b ${C}/3.c ${C}/3.d ${C}/3.e ${C}/3.f ${C}/3.g ${C}/3.i ${C}/4 ${C}/4.a ${C}/4.b ${C}/4.c ${C}/4.d ${C}/4.e ${C}/4.f ${C}/4.g ${C}/4.i serving the called user, reached through the registrar, after a re-INVITE from each side`, async () => {
    const s = await scscfForTest("udp", { scscf: { registrarTrusted: ["127.0.0.1"] } });
    const calleePort = await freeUdpPort();
    const bob = await registerUe(s, "bob", calleePort, "urn:uuid:00000000-0000-4000-8000-00000000b0b1");
    const callId = "sipp-term-udp-1@127.0.0.1";
    const { released } = await releaseCall(
      s,
      {
        scscf: s,
        served: "called",
        callId,
        fromTag: "alice-tag-2",
        toTag: "bob-tag-2",
        cseq: 101,
        cseq2: 102,
        calleeCseq: 7,
        calleePort,
        calleeContact: bob.contact,
        calledUri: BOB,
      },
      (p) => ({
        toCallee: bye(p.calleeContact, BOB, "bob-tag-2", ALICE, "alice-tag-2", callId, "103 BYE", null),
        // 4.a: the calling user's stored Contact (the recorded deviation from the seed's "called user").
        toCaller: bye(p.callerContact, ALICE, "alice-tag-2", BOB, "bob-tag-2", callId, "8 BYE", p.callerPcscf),
      }),
      { ready: (d) => d.cseqCallingToCalled === 102 && d.cseqCalledToCalling === 7 },
    );
    expect(byeRules(released)).toEqual([`${C}/3#bye-to-called`, `${C}/4#bye-to-calling`]);
    const routing = released.plans.filter((p: Json) => p.kind === "sip-request").map((p: Json) => p.routing.value);
    expect(routing).toEqual(["direct", "internal-service-control"]);
  });

  it(`${C}/1 ${C}/1.e ${C}/1.f ${C}/2 ${C}/2.e ${C}/2.f over TCP: both BYEs on the TCP flows, CSeq of each direction`, async () => {
    const s = await scscfForTest("tcp");
    const callId = "sipp-orig-tcp-1@127.0.0.1";
    await releaseCall(
      s,
      {
        scscf: s,
        served: "calling",
        callId,
        fromTag: "alice-tag-3",
        toTag: "bob-tag-3",
        cseq: 20,
        calleeCseq: 500,
        calleePcscf: true,
      },
      (p) => ({
        toCallee: bye(p.calleeContact, BOB, "bob-tag-3", ALICE, "alice-tag-3", callId, "21 BYE", p.calleePcscf!),
        toCaller: bye(p.callerContact, ALICE, "alice-tag-3", BOB, "bob-tag-3", callId, "501 BYE", p.callerPcscf),
      }),
      { ready: (d) => d.cseqCalledToCalling === 500 },
    );
  });

  it(`${C}/2.a the calling user's Contact is its public GRUU: the BYE goes to the contact bound to it`, async () => {
    const s = await scscfForTest("udp", { scscf: { registrarTrusted: ["127.0.0.1"] } });
    const callerPort = await freeUdpPort();
    const alice = await registerUe(s, "alice", callerPort, "urn:uuid:00000000-0000-4000-8000-0000000a11ce");
    expect(alice.pub).toBe(`${ALICE};gr=urn:uuid:00000000-0000-4000-8000-0000000a11ce`);
    const callId = "sipp-pub-gruu-1@127.0.0.1";
    await releaseCall(
      s,
      {
        scscf: s,
        served: "calling",
        callId,
        fromTag: "alice-tag-4",
        toTag: "bob-tag-4",
        cseq: 1,
        calleeCseq: 9,
        callerPort,
        callerContact: alice.pub,
      },
      (p) => ({
        toCallee: bye(p.calleeContact, BOB, "bob-tag-4", ALICE, "alice-tag-4", callId, "2 BYE", null),
        toCaller: bye(alice.contact, ALICE, "alice-tag-4", BOB, "bob-tag-4", callId, "10 BYE", p.callerPcscf),
      }),
      { ready: (d) => d.cseqCalledToCalling === 9 && d.callingContact === alice.pub },
    );
  });

  it(`${C}/3.a the called user's Contact is its temporary GRUU: the BYE goes to the contact bound to it`, async () => {
    const s = await scscfForTest("udp", { scscf: { registrarTrusted: ["127.0.0.1"] } });
    const calleePort = await freeUdpPort();
    const bob = await registerUe(s, "bob", calleePort, "urn:uuid:00000000-0000-4000-8000-00000000b0b2");
    expect(bob.temp).toMatch(/^sip:tgruu\.[A-Za-z0-9_-]+@home\.test;gr$/);
    const callId = "sipp-temp-gruu-1@127.0.0.1";
    await releaseCall(
      s,
      {
        scscf: s,
        served: "called",
        callId,
        fromTag: "alice-tag-5",
        toTag: "bob-tag-5",
        cseq: 30,
        calleePort,
        calleeContact: bob.temp,
        calledUri: BOB,
      },
      (p) => ({
        toCallee: bye(bob.contact, BOB, "bob-tag-5", ALICE, "alice-tag-5", callId, "31 BYE", null),
        toCaller: bye(
          p.callerContact,
          ALICE,
          "alice-tag-5",
          BOB,
          "bob-tag-5",
          callId,
          { regex: "[0-9]{1,10} BYE" },
          p.callerPcscf,
        ),
      }),
      { ready: (d) => d.calledContact === bob.temp },
    );
  });
});
