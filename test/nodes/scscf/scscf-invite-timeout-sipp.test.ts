// Issue 20 item 5: an initial INVITE the S-CSCF itself gives up on ends the early dialog it recorded (408 at
// Timer B; 408 at Timer C, with a CANCEL, when the called UE rings and never answers; 503 when the transport to
// the called side fails, here a TCP connection refused). The called
// UE never answers (a socket that takes the INVITE and says nothing): Timer B (64·T1, 3.2 s here) fires, the
// S-CSCF answers 408 upstream (RFC 3261 §16.8) and the early record is gone at once — not left for earlySeconds
// — so a release finds no dialog (404) instead of answering 202 with a CANCEL for a transaction that no longer
// exists (x-24.229:5.4.5.1.2/early-dialog applies only while the INVITE is pending).
import { createSocket } from "node:dgram";
import { describe, expect, it, onTestFinished } from "vitest";
import { freeTcpPort, freeUdpPort } from "../../support/free-port.ts";
import { requestChecks, startSipp } from "../../support/sipp.ts";
import { ALICE, BOB, eventually, scscfForTest } from "./scscf-harness.ts";

describe("S-CSCF: an INVITE timed out by the node clears its early dialog (SIPp caller, silent callee)", () => {
  it("x-24.229:5.4.5.1.2/early-dialog after the node's 408 (Timer B) the early record is gone and a release answers 404", async () => {
    const s = await scscfForTest("udp"); // T1 = 50 ms: Timer B = 3.2 s
    const callId = "sipp-timer-b-1@127.0.0.1";
    const silent = createSocket("udp4");
    onTestFinished(() => new Promise<void>((r) => silent.close(() => r())));
    let invites = 0;
    silent.on("message", (m) => {
      if (m.toString("latin1").startsWith("INVITE ")) invites++;
    });
    const calleePort = await freeUdpPort();
    await new Promise<void>((r) => silent.bind(calleePort, "127.0.0.1", () => r()));
    const callerPort = await freeUdpPort();
    const caller = await startSipp({
      scenario: "scscf-ue-caller-timeout.xml",
      local: { address: "127.0.0.1", port: callerPort },
      remote: `127.0.0.1:${s.port}`,
      callId,
      timeoutMs: 20_000,
      fill: {
        FINAL: 408,
        CALLING_AOR: ALICE,
        CALLED_AOR: BOB,
        FROM_TAG: "atb",
        CSEQ: 3,
        CALLED_URI: `sip:bob@127.0.0.1:${calleePort}`,
        FIRST_ROUTE: `<sip:127.0.0.1:${s.port};lr;orig>`,
        CALLER_CONTACT: `sip:alice@127.0.0.1:${callerPort}`,
      },
    });
    const path = `/v1/dialogs/${encodeURIComponent(callId)}`;
    // While the INVITE is pending the S-CSCF holds the early dialog (and retransmits the INVITE, Timer A).
    const early = await eventually(
      () => s.admin("GET", path),
      (r) => r.status === 200,
      "the early dialog recorded",
    );
    expect(early.body.dialog.state).toBe("early");
    await caller.succeeded();
    expect(invites).toBeGreaterThan(1);
    expect(caller.messages()).toMatch(/^SIP\/2\.0 408 Request Timeout/m);
    // Gone with the 408, not after earlySeconds (200 s).
    const after = await s.admin("GET", path);
    expect(after.status).toBe(404);
    expect(await s.dialogCount()).toBe(0);
    const released = await s.admin("POST", `${path}/release`, { cause: "administrative" });
    expect(released.status).toBe(404);
    expect(released.body.error).toBe(`no dialog with Call-ID ${callId}`);
  });

  it("x-24.229:5.4.5.1.2/early-dialog after the node's 503 for a transport failure (TCP refused) the early record is gone", async () => {
    const s = await scscfForTest("udp");
    const callId = "sipp-tcp-refused-1@127.0.0.1";
    // A TCP port with no listener: the forwarded INVITE's connection is refused.
    const nobody = await freeTcpPort();
    const callerPort = await freeUdpPort();
    const caller = await startSipp({
      scenario: "scscf-ue-caller-timeout.xml",
      local: { address: "127.0.0.1", port: callerPort },
      remote: `127.0.0.1:${s.port}`,
      callId,
      timeoutMs: 20_000,
      fill: {
        FINAL: 503,
        CALLING_AOR: ALICE,
        CALLED_AOR: BOB,
        FROM_TAG: "atr",
        CSEQ: 4,
        CALLED_URI: `sip:bob@127.0.0.1:${nobody};transport=tcp`,
        FIRST_ROUTE: `<sip:127.0.0.1:${s.port};lr;orig>`,
        CALLER_CONTACT: `sip:alice@127.0.0.1:${callerPort}`,
      },
    });
    await caller.succeeded();
    expect(caller.messages()).toMatch(/^SIP\/2\.0 503 Service Unavailable/m);
    const path = `/v1/dialogs/${encodeURIComponent(callId)}`;
    expect((await s.admin("GET", path)).status).toBe(404);
    expect((await s.admin("POST", `${path}/release`, { cause: "administrative" })).status).toBe(404);
  });

  it("x-24.229:5.4.5.1.2/early-dialog Timer C: a called UE that rings and never answers is cancelled, 408 upstream, the early record gone", async () => {
    // Timer C of 1.5 s instead of 181 s.
    const s = await scscfForTest("udp", { timers: { t1: 50, t2: 400, t4: 500, c: 1500 } });
    const callId = "sipp-timer-c-1@127.0.0.1";
    const [callerPort, calleePort] = [await freeUdpPort(), await freeUdpPort()];
    const calleeUri = `sip:bob@127.0.0.1:${calleePort}`;
    const callee = await startSipp({
      scenario: "scscf-ue-callee-early.xml",
      local: { address: "127.0.0.1", port: calleePort },
      timeoutMs: 20_000,
      fill: {
        CSEQ: 5,
        TO_TAG: "btc",
        CALLEE_CONTACT: calleeUri,
        // The S-CSCF's own CANCEL (§16.8): the INVITE's Call-ID, From, To and CSeq number, no Reason.
        CANCEL_CHECKS: requestChecks({
          method: "CANCEL",
          requestUri: calleeUri,
          headers: { "Call-ID": callId, From: `<${ALICE}>;tag=atc`, To: `<${BOB}>`, CSeq: "5 CANCEL", Reason: null },
        }),
      },
    });
    const caller = await startSipp({
      scenario: "scscf-ue-caller-timeout.xml",
      local: { address: "127.0.0.1", port: callerPort },
      remote: `127.0.0.1:${s.port}`,
      callId,
      timeoutMs: 20_000,
      fill: {
        FINAL: 408,
        CALLING_AOR: ALICE,
        CALLED_AOR: BOB,
        FROM_TAG: "atc",
        CSEQ: 5,
        CALLED_URI: calleeUri,
        FIRST_ROUTE: `<sip:127.0.0.1:${s.port};lr;orig>`,
        CALLER_CONTACT: `sip:alice@127.0.0.1:${callerPort}`,
      },
    });
    const path = `/v1/dialogs/${encodeURIComponent(callId)}`;
    expect(
      (
        await eventually(
          () => s.admin("GET", path),
          (r) => r.status === 200,
          "the early dialog",
        )
      ).body.dialog.state,
    ).toBe("early");
    await Promise.all([caller.succeeded(), callee.succeeded()]);
    expect(caller.messages()).toMatch(/^SIP\/2\.0 180 Ringing/m);
    expect(caller.messages()).toMatch(/^SIP\/2\.0 408 Request Timeout/m);
    expect((await s.admin("GET", path)).status).toBe(404);
    expect((await s.admin("POST", `${path}/release`, { cause: "administrative" })).status).toBe(404);
  });
});
