// The rules-only change suite, S-CSCF part (issue 16 item 5): each change is made in a temporary copy of rules/
// only, the running node reloads it (POST /v1/rules/reload), and the new behaviour is asserted on the wire
// against SIPp (and the record-routing AS); src/ stays untouched.
import { afterEach, describe, expect, it } from "vitest";
import {
  ALICE,
  acksPassed,
  BOB,
  bye,
  eventually,
  releaseCall,
  type Scscf,
  startScscf,
} from "../nodes/scscf/scscf-harness.ts";
import { startRecordRoutingAs, type TestAs } from "../peers/as/record-routing-as.ts";
import { freeUdpPort } from "../support/free-port.ts";
import { startSipp } from "../support/sipp.ts";
import { copyRules, srcChanges } from "./rules-copy.ts";

const C = "24.229:5.4.5.1.2";
const RULES = "24.229-5.4.5.1.2.rules.json";
let scscf: Scscf | undefined;
let as: TestAs | undefined;
afterEach(async () => {
  await scscf?.close();
  await as?.close();
  scscf = undefined;
  as = undefined;
});

async function reload(s: Scscf): Promise<void> {
  const r = await s.admin("POST", "/v1/rules/reload");
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body).toMatchObject({ ok: true, changed: true });
}

// biome-ignore lint/suspicious/noExplicitAny: a rule file's JSON as an editor sees it
const ruleOf = (json: any, id: string) => json.rules.find((r: { id: string }) => r.id === id);

describe("rules-only changes to the S-CSCF, seen on the wire", () => {
  it(`(a) ${C}/2 ${C}/2.i ${C}/2.f the BYE towards the calling user goes through internal service control instead of directly`, async () => {
    const rules = copyRules();
    as = await startRecordRoutingAs();
    scscf = await startScscf(
      "udp",
      { scscf: { applicationServers: [{ uri: as.uri, sessionCase: "originating" }] } },
      undefined,
      { root: rules.dir },
    );
    const s = scscf;
    // The editor's change: item 2's BYE is sent to internal service control, along the service route (the AS,
    // back to this S-CSCF) before the route set towards the calling user.
    rules.edit(RULES, (json) => {
      const send = ruleOf(json, `${C}/2#bye-to-calling`).actions[0];
      send.routing.recipe = { literal: "internal-service-control" };
      const route = send.headers.find((h: { name: string }) => h.name === "Route");
      route.recipe = {
        join: { list: [{ fact: "dialog.serviceRoute" }, { fact: "dialog.routeSetTowardsCalling" }] },
        separator: ", ",
      };
    });
    await reload(s);
    const callId = "rules-only-a@127.0.0.1";
    const { released } = await releaseCall(
      s,
      {
        scscf: s,
        served: "calling",
        callId,
        fromTag: "a-ro",
        toTag: "b-ro",
        cseq: 30,
        calleePcscf: true,
        as: as.entry,
      },
      (p) => ({
        toCallee: bye(p.calleeContact, BOB, "b-ro", ALICE, "a-ro", callId, "31 BYE", p.calleePcscf!, 68),
        // Through the AS and this S-CSCF again: Max-Forwards 70 - 2, the P-CSCF's Route left.
        toCaller: bye(
          p.callerContact,
          ALICE,
          "a-ro",
          BOB,
          "b-ro",
          callId,
          { regex: "[0-9]{1,10} BYE" },
          p.callerPcscf,
          68,
        ),
      }),
    );
    const toCalling = released.plans.find((p: { rule: string }) => p.rule === `${C}/2#bye-to-calling`);
    expect(toCalling.routing).toEqual({ value: "internal-service-control", trace: [`${C}/2.i`] });
    expect(toCalling.headers.find((h: { name: string }) => h.name === "Route").value).toBe(
      `${as.entry}, ${s.own}, <sip:127.0.0.1:${toCalling.requestUri.value.split(":")[2]};lr;x-pcscf=orig>`,
    );
    const cseqToCalling = toCalling.headers.find((h: { name: string }) => h.name === "CSeq").value;
    // Both BYEs passed the AS now: the one to the called user (as before) and the one to the calling user.
    const passed = as.proxied.filter((r) => r.method === "BYE" && r.callId === callId).map((r) => r.cseq);
    expect(passed.sort()).toEqual(["31 BYE", cseqToCalling].sort());
    expect(srcChanges()).toBe("");
  });

  it(`(f) ${C}/4.a the item-4 literal reading switched in the rule file: the BYE's Request-URI is the called user's Contact`, async () => {
    const rules = copyRules();
    scscf = await startScscf("udp", {}, undefined, { root: rules.dir });
    const s = scscf;
    rules.edit(RULES, (json) => {
      json.deviations[0].switch.chosen = json.deviations[0].switch.literal;
    });
    await reload(s);
    const callId = "rules-only-f@127.0.0.1";
    const [callerPort, calleePort] = [await freeUdpPort(), await freeUdpPort()];
    const calleeContact = `sip:bob@127.0.0.1:${calleePort}`;
    const common = { CALLING_AOR: ALICE, CALLED_AOR: BOB, FROM_TAG: "a-lit", TO_TAG: "b-lit", CSEQ: 40 };
    const callee = await startSipp({
      scenario: "scscf-ue-callee-two-byes.xml",
      local: { address: "127.0.0.1", port: calleePort },
      fill: { ...common, CALLEE_CONTACT: calleeContact },
    });
    const caller = await startSipp({
      scenario: "scscf-ue-caller-no-bye.xml",
      local: { address: "127.0.0.1", port: callerPort },
      remote: `127.0.0.1:${s.port}`,
      callId,
      fill: {
        ...common,
        CALLED_URI: calleeContact,
        // Serving the called user (no orig): items 3 and 4.
        FIRST_ROUTE: `<sip:127.0.0.1:${s.port};lr>`,
        IN_DIALOG_ROUTE: s.own,
        CALLER_CONTACT: `sip:alice@127.0.0.1:${callerPort}`,
        WAIT_MS: 1500,
      },
    });
    const path = `/v1/dialogs/${encodeURIComponent(callId)}`;
    await eventually(
      () => s.admin("GET", path),
      (r) => r.status === 200 && r.body.dialog.state === "confirmed",
      "dialog confirmed",
    );
    // The dialog is confirmed when the 200 passes; a BYE sent before the caller's ACK is through would overtake it.
    await acksPassed(s, { callId });
    const released = await s.admin("POST", `${path}/release`, { cause: "administrative" });
    expect(released.status).toBe(202);
    const item4 = released.body.plans.find((p: { rule: string }) => p.rule === `${C}/4#bye-to-calling`);
    expect(item4.requestUri).toEqual({ value: calleeContact, trace: [`${C}/4.a`] });
    await Promise.all([caller.succeeded(), callee.succeeded()]);
    // On the wire: both BYEs reached the called UE; the one From the called user (item 4) to its own Contact.
    const byes = callee
      .messages()
      .split(/^-{10,}.*$/m)
      .filter((m) => /^BYE /m.test(m));
    expect(byes).toHaveLength(2);
    const literal = byes.find((m) => m.includes(`From: <${BOB}>;tag=b-lit`));
    expect(literal).toMatch(new RegExp(`^BYE ${calleeContact} SIP/2\\.0$`, "m"));
    expect(literal).toContain(`To: <${ALICE}>;tag=a-lit`);
    expect(srcChanges()).toBe("");
  });
});
