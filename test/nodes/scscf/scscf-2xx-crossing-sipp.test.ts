// x-24.229:5.4.5.1.2/2xx-crossing-release at the wire with SIPp: a release cancels an early dialog, the called
// UE answers the INVITE 200 OK all the same (the 2xx crosses the CANCEL), and the rules — not the shell — go on
// with the release: a BYE to each party, with the Reason of the cause the release was asked with.
import { describe, expect, it } from "vitest";
import { freeUdpPort } from "../../support/free-port.ts";
import { requestChecks, startSipp } from "../../support/sipp.ts";
import { ALICE, BOB, bye, eventually, scscfForTest } from "./scscf-harness.ts";

const X = "x-24.229:5.4.5.1.2/2xx-crossing-release";

describe("S-CSCF: a 2xx crossing the release of an early dialog (SIPp)", () => {
  it(`${X} x-24.229:5.4.5.1.2/early-dialog 24.229:5.4.5.1.2/1 24.229:5.4.5.1.2/2 the 2xx confirms the dialog, the release goes on with a BYE to each party`, async () => {
    const s = await scscfForTest("udp");
    try {
      const callId = "sipp-crossing-1@127.0.0.1";
      const [callerPort, calleePort] = [await freeUdpPort(), await freeUdpPort()];
      const calleeUri = `sip:bob@127.0.0.1:${calleePort}`;
      const callerUri = `sip:alice@127.0.0.1:${callerPort}`;
      const common = { CALLING_AOR: ALICE, CALLED_AOR: BOB, FROM_TAG: "across", TO_TAG: "bcross", CSEQ: 12 };
      const callee = await startSipp({
        scenario: "scscf-ue-callee-crossing.xml",
        local: { address: "127.0.0.1", port: calleePort },
        fill: {
          ...common,
          CALLEE_CONTACT: calleeUri,
          RECORD_ROUTE: s.own,
          CALLER_VIA: `SIP/2.0/UDP 127.0.0.1:${callerPort};branch=z9hG4bK-crossing-invite;rport=${callerPort};received=127.0.0.1`,
          // Item 1 (the 2xx's dialog now): CSeq of the calling→called direction plus one, no Route left.
          BYE_CHECKS: requestChecks(bye(calleeUri, BOB, "bcross", ALICE, "across", callId, "13 BYE", null)),
        },
      });
      const caller = await startSipp({
        scenario: "scscf-ue-caller-crossing.xml",
        local: { address: "127.0.0.1", port: callerPort },
        remote: `127.0.0.1:${s.port}`,
        callId,
        fill: {
          ...common,
          CALLED_URI: calleeUri,
          CALLEE_CONTACT: calleeUri,
          FIRST_ROUTE: `<sip:127.0.0.1:${s.port};lr;orig>`,
          IN_DIALOG_ROUTE: s.own,
          CALLER_CONTACT: callerUri,
          // Item 2: nothing stored for called→calling, so a random CSeq in range (2.e).
          BYE_CHECKS: requestChecks(
            bye(callerUri, ALICE, "across", BOB, "bcross", callId, { regex: "[1-9][0-9]{0,9} BYE" }, null),
          ),
        },
      });
      const path = `/v1/dialogs/${encodeURIComponent(callId)}`;
      await eventually(
        async () => (s.node.shell.traces.get(callId) ?? []).some((e) => e.label.startsWith("180")),
        (rang) => rang,
        "the called UE rings",
      ).catch((err) => {
        throw new Error(`${err.message}\n${caller.errors()}\n${callee.errors()}\n${caller.messages()}`);
      });
      const released = await s.admin("POST", `${path}/release`, { cause: "administrative" });
      expect(released.status).toBe(202);
      expect(released.body.plans.map((p: { kind: string }) => p.kind)).toEqual([
        "sip-cancel",
        "sip-response",
        "state-update",
      ]);
      await Promise.all([caller.succeeded(), callee.succeeded()]);
      // One release, counted once under the rule that started it (the cancellation of the early dialog), though
      // its BYEs came from the clause's rules through the indication the crossing rule raised.
      const metrics = String((await s.admin("GET", "/metrics")).body);
      expect(metrics).toContain(
        'cleardown_releases_started_total{rule="24.229:5.4.5.1.1/intro#cancel-early-dialog"} 1',
      );
      expect(metrics).toContain('cleardown_releases_started_total{rule="24.229:5.4.5.1.2/1#bye-to-called"} 0');
      await eventually(
        () => s.node.dialogs.size(),
        (n) => n === 0,
        "the dialog is released after both 2xx",
      );
    } finally {
      await s.close();
    }
  });
});
