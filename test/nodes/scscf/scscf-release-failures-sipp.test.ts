// What the clause is silent on, at the wire with SIPp (the rule files' x- extensions): a BYE answered 481, a
// BYE never answered (Timer F), a request on a dialog under release (481), a release before the 2xx (CANCEL).
import { describe, expect, it } from "vitest";
import { freeUdpPort } from "../../support/free-port.ts";
import { requestChecks, responseChecks, startSipp } from "../../support/sipp.ts";
import {
  ALICE,
  BOB,
  bye,
  eventually,
  REASON_ADMIN,
  receivedCount,
  releaseCall,
  type Scscf,
  scscfForTest,
} from "./scscf-harness.ts";

const failed = async (s: Scscf, rule: string) => {
  const m = await s.admin("GET", "/metrics");
  const line = String(m.body)
    .split("\n")
    .find((l) => l.startsWith(`cleardown_releases_failed_total{rule="${rule}"}`));
  return Number(line?.split(" ").pop() ?? 0);
};

describe("S-CSCF release: failed BYEs and requests during a release (SIPp)", () => {
  it("x-24.229:5.4.5.1.2/bye-failure a BYE answered 481 counts as done: the dialog is released after the other 2xx", async () => {
    const s = await scscfForTest("udp");
    const callId = "sipp-481-1@127.0.0.1";
    await releaseCall(
      s,
      {
        scscf: s,
        served: "calling",
        callId,
        fromTag: "a481",
        toTag: "b481",
        cseq: 5,
        calleeAnswer: "481 Call/Transaction Does Not Exist",
      },
      (p) => ({
        toCallee: bye(p.calleeContact, BOB, "b481", ALICE, "a481", callId, "6 BYE", null),
        toCaller: bye(p.callerContact, ALICE, "a481", BOB, "b481", callId, { regex: "[0-9]{1,10} BYE" }, p.callerPcscf),
      }),
    );
    // Counted under the rule that started the release (serving the calling user: item 1), as its start was.
    expect(await failed(s, "24.229:5.4.5.1.2/1#bye-to-called")).toBe(1);
  });

  it("x-24.229:5.4.5.1.2/bye-failure x-24.229:5.4.5.1.2/request-during-release a BYE never answered is retransmitted (Timer E) until Timer F; a re-INVITE meanwhile gets 481", async () => {
    const s = await scscfForTest("udp"); // T1 = 50 ms: Timer F = 3.2 s
    const callId = "sipp-timer-f-1@127.0.0.1";
    const { call } = await releaseCall(
      s,
      {
        scscf: s,
        served: "called",
        callId,
        fromTag: "atf",
        toTag: "btf",
        cseq: 40,
        calleeAnswer: { silentMs: 4500 },
      },
      (p) => ({
        toCallee: bye(p.calleeContact, BOB, "btf", ALICE, "atf", callId, "41 BYE", null),
        toCaller: bye(p.callerContact, ALICE, "atf", BOB, "btf", callId, { regex: "[0-9]{1,10} BYE" }, p.callerPcscf),
      }),
      {
        during: async (placed) => {
          // While the BYE to the called user goes unanswered, the called user sends a re-INVITE on the dialog.
          const reinvite = await startSipp({
            scenario: "scscf-ue-in-dialog-request.xml",
            local: { address: "127.0.0.1", port: await freeUdpPort() },
            remote: `127.0.0.1:${s.port}`,
            callId,
            fill: {
              TARGET: placed.callerContact,
              ROUTE: `${s.own}, ${placed.callerPcscf}`,
              FROM_AOR: BOB,
              FROM_TAG: "btf",
              TO_AOR: ALICE,
              TO_TAG: "atf",
              CSEQ: 3,
            },
          });
          await reinvite.succeeded();
          expect(reinvite.messages()).toMatch(/SIP\/2\.0 481 Call\/Transaction Does Not Exist/);
        },
      },
    );
    // Timer E: 50, 100, 200, 400, 400, … ms until Timer F at 3.2 s.
    expect(receivedCount(call.callee.messages(), "BYE")).toBeGreaterThanOrEqual(5);
    // Serving the called user: the release started under item 3.
    expect(await failed(s, "24.229:5.4.5.1.2/3#bye-to-called")).toBe(1);
  });

  it("24.229:5.4.5.1.1/intro 24.229:5.4.5.1.1/1 24.229:5.4.5.1.1/2 x-24.229:5.4.5.1.2/early-dialog a release before the 2xx cancels the INVITE: CANCEL to the called UE, 487 to the caller, the Reason in both", async () => {
    const s = await scscfForTest("udp");
    const callId = "sipp-early-1@127.0.0.1";
    const [callerPort, calleePort] = [await freeUdpPort(), await freeUdpPort()];
    const calleeUri = `sip:bob@127.0.0.1:${calleePort}`;
    const common = { CALLING_AOR: ALICE, CALLED_AOR: BOB, FROM_TAG: "aearly", TO_TAG: "bearly", CSEQ: 12 };
    const callee = await startSipp({
      scenario: "scscf-ue-callee-early.xml",
      local: { address: "127.0.0.1", port: calleePort },
      fill: {
        ...common,
        CALLEE_CONTACT: calleeUri,
        CANCEL_CHECKS: requestChecks({
          method: "CANCEL",
          requestUri: calleeUri,
          headers: {
            "Call-ID": callId,
            From: `<${ALICE}>;tag=aearly`,
            To: `<${BOB}>`,
            CSeq: "12 CANCEL",
            Reason: REASON_ADMIN,
          },
        }),
      },
    });
    const caller = await startSipp({
      scenario: "scscf-ue-caller-early.xml",
      local: { address: "127.0.0.1", port: callerPort },
      remote: `127.0.0.1:${s.port}`,
      callId,
      fill: {
        ...common,
        CALLED_URI: calleeUri,
        FIRST_ROUTE: `<sip:127.0.0.1:${s.port};lr;orig>`,
        CALLER_CONTACT: `sip:alice@127.0.0.1:${callerPort}`,
        RESPONSE_CHECKS: responseChecks("SIP/2.0 487 Request Terminated", {
          "Call-ID": callId,
          CSeq: "12 INVITE",
          Reason: REASON_ADMIN,
        }),
      },
    });
    const path = `/v1/dialogs/${encodeURIComponent(callId)}`;
    await eventually(
      async () => (s.node.shell.traces.get(callId) ?? []).some((e) => e.label.startsWith("180")),
      (rang) => rang,
      "the called UE rings",
    );
    expect((await s.admin("GET", path)).body.dialog.state).toBe("early");
    const released = await s.admin("POST", `${path}/release`, { cause: "administrative" });
    expect(released.status).toBe(202);
    expect(released.body.plans.map((p: { kind: string }) => p.kind)).toEqual([
      "sip-cancel",
      "sip-response",
      "state-update",
    ]);
    await Promise.all([caller.succeeded(), callee.succeeded()]);
    await eventually(
      () => s.node.dialogs.size(),
      (n) => n === 0,
      "the early dialog is gone",
    );
  });
});
