// Spec editors change behaviour without code, proven at the wire: an S-CSCF node reads a copy of spec/ and rules/
// with its watcher on; SIPp plays both UEs. Editing the Reason of a release cause in the rule file's
// tables.reasonByCause (no TypeScript touched) changes the next BYE on the wire; a broken rule file is rejected
// with the lint's file:line:column while the rules in force stay; a release already under way finishes under the
// rule version it started with.
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rulesLint } from "../../../src/rules/rules-lint.ts";
import { freeUdpPort } from "../../support/free-port.ts";
import { type ProjectCopy, projectCopy } from "../../support/project-copy.ts";
import { type RequestChecks, startSipp } from "../../support/sipp.ts";
import {
  ALICE,
  BOB,
  bye,
  eventually,
  lastRequest,
  type PlacedCall,
  REASON_ADMIN,
  releaseCall,
  type Scscf,
  startScscf,
} from "./scscf-harness.ts";

const C = "24.229:5.4.5.1.2";
const RULES = "rules/24.229-5.4.5.1.2.rules.json";
const DURING = "rules/x-24.229-5.4.5.1.2-request-during-release.rules.json";
const EDITED = { protocol: "SIP", cause: 480, text: "Released by the network" };
const REASON_EDITED = 'SIP ;cause=480 ;text="Released by the network"';

let copy: ProjectCopy;
let logs: Array<Record<string, unknown>>;
let scscf: Scscf;

beforeEach(async () => {
  copy = projectCopy("cleardown-live-rules-");
  logs = [];
  const logger = pino({ level: "info" }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  // T1 = 100 ms: a BYE left unanswered keeps its release under way for Timer F = 6.4 s.
  scscf = await startScscf("udp", { timers: { t1: 100, t2: 800, t4: 1000 } }, undefined, {
    root: copy.root,
    watchRules: true,
    logger,
  });
});

afterEach(async () => {
  await scscf?.close();
  copy.remove();
});

/** What an editor does: the Reason of the cause "administrative" in the rule file's table. */
const editReason = () =>
  copy.editJson(RULES, (doc) => {
    doc.tables.reasonByCause.administrative = EDITED;
  });

const digest = async (): Promise<string> => (await scscf.admin("GET", "/v1/health")).body.rules;

/** Waits for the watcher to put new rules in force; returns their digest. */
async function reloadedFrom(before: string): Promise<string> {
  const after = await eventually(digest, (d) => d !== before, "the watcher's reload");
  expect(logs.some((l) => l.msg === "rules reloaded" && l.source === "watcher" && l.digest === after)).toBe(true);
  return after;
}

/** The BYE each UE must receive on a call where the S-CSCF serves the called user, with the Reason given. */
const byes =
  (callId: string, tags: [string, string], cseq: number, reason: string) =>
  (p: Omit<PlacedCall, "caller" | "callee">): { toCaller: RequestChecks; toCallee: RequestChecks } => {
    const [a, b] = tags;
    const toCallee = bye(p.calleeContact, BOB, b, ALICE, a, callId, `${cseq + 1} BYE`, null);
    const toCaller = bye(p.callerContact, ALICE, a, BOB, b, callId, { regex: "[0-9]{1,10} BYE" }, p.callerPcscf);
    return {
      toCallee: { ...toCallee, headers: { ...toCallee.headers, Reason: reason } },
      toCaller: { ...toCaller, headers: { ...toCaller.headers, Reason: reason } },
    };
  };

/** A re-INVITE of the called user on the dialog while it is under release, requiring the given answer. */
async function reInviteAnswered(call: PlacedCall, callId: string, tags: [string, string], answer: number) {
  const run = await startSipp({
    scenario: "scscf-ue-in-dialog-request.xml",
    local: { address: "127.0.0.1", port: await freeUdpPort() },
    remote: `127.0.0.1:${scscf.port}`,
    callId,
    fill: {
      TARGET: call.callerContact,
      ROUTE: `${scscf.own}, ${call.callerPcscf}`,
      FROM_AOR: BOB,
      FROM_TAG: tags[1],
      TO_AOR: ALICE,
      TO_TAG: tags[0],
      CSEQ: 3,
      ...(answer === 481 ? {} : { ANSWER: answer }),
    },
  });
  await run.succeeded();
  expect(run.messages()).toMatch(new RegExp(`SIP/2\\.0 ${answer} `));
}

/**
 * A call where the S-CSCF serves the called user, released by the admin API; each UE's scenario requires the Reason
 * given in its BYE. With `silentCallee` the BYE to the called user goes unanswered until Timer F, so the release
 * stays under way while `during` runs.
 */
async function releasedCall(
  name: string,
  cseq: number,
  reason: string,
  options: {
    silentCallee?: boolean;
    during?: (call: PlacedCall, callId: string, tags: [string, string]) => Promise<void>;
  } = {},
) {
  const callId = `live-rules-${name}@127.0.0.1`;
  const tags: [string, string] = [`a-${name}`, `b-${name}`];
  const { call, released } = await releaseCall(
    scscf,
    {
      scscf,
      served: "called",
      callId,
      fromTag: tags[0],
      toTag: tags[1],
      cseq,
      ...(options.silentCallee ? { calleeAnswer: { silentMs: 7000 } } : {}),
    },
    byes(callId, tags, cseq, reason),
    options.during ? { during: (placed) => options.during?.(placed, callId, tags) ?? Promise.resolve() } : {},
  );
  return { call, released: released as { digest: string } };
}

describe("spec editors change the S-CSCF's behaviour by editing rules/, seen at the wire", () => {
  it(`${C}/3.g ${C}/4.g the Reason for a cause edited in tables.reasonByCause, picked up by the watcher, is what the next BYE to each party carries`, async () => {
    const before = await digest();
    editReason();
    await reloadedFrom(before);

    const { call } = await releasedCall("edited", 10, REASON_EDITED);
    // SIPp's scenario checked each Reason; its message log shows the same on the wire.
    expect(lastRequest(call.callee.messages(), "BYE").headers.Reason).toBe(REASON_EDITED);
    expect(lastRequest(call.caller.messages(), "BYE").headers.Reason).toBe(REASON_EDITED);
  });

  it(`${C}/3.g ${C}/4.g a broken rule file is rejected with the lint's file:line:column (watcher log, 422 from POST /v1/rules/reload); the next BYE carries the Reason of the rules in force`, async () => {
    const generated = await digest();
    editReason();
    const inForce = await reloadedFrom(generated);

    // The editor slips: a cause that is not a number.
    copy.replaceText(RULES, '"cause": 480', '"cause": "four-eighty"');
    const lint = rulesLint(copy.root).output.split("\n");
    expect(lint[0]).toMatch(
      /^rules\/24\.229-5\.4\.5\.1\.2\.rules\.json:\d+:\d+ \(\/tables\/reasonByCause\/administrative\/cause\): /,
    );
    const rejected = await eventually(
      async () => logs.find((l) => l.msg === "rules rejected; the rules in force stay" && l.source === "watcher"),
      (l) => l !== undefined,
      "the watcher's rejection in the log",
    );
    expect(rejected?.errors).toEqual(lint);
    const reload = await scscf.admin("POST", "/v1/rules/reload");
    expect(reload).toEqual({ status: 422, body: { ok: false, errors: lint } });
    expect(await digest()).toBe(inForce);

    const { call } = await releasedCall("broken", 20, REASON_EDITED);
    expect(lastRequest(call.callee.messages(), "BYE").headers.Reason).toBe(REASON_EDITED);
  });

  it(`${C}/3.g ${C}/4.g x-24.229:5.4.5.1.2/request-during-release a release under way finishes under the rules it started with; the next release takes the edited ones`, async () => {
    const first = await digest();
    let second = "";
    const { released } = await releasedCall("under-way", 30, REASON_ADMIN, {
      silentCallee: true,
      during: async (call, callId, tags) => {
        // While the BYE to the called user goes unanswered, the editor changes the Reason and what a request
        // during a release is answered; the release keeps the version it started under (481).
        editReason();
        copy.editJson(DURING, (doc) => {
          doc.rules[0].actions[0].status.recipe.literal = 403;
        });
        second = await reloadedFrom(first);
        await reInviteAnswered(call, callId, tags, 481);
      },
    });
    expect(released.digest).toBe(first);

    // A release that starts now runs under the edited rules: the new Reason, and 403 during its release.
    const next = await releasedCall("next", 40, REASON_EDITED, {
      silentCallee: true,
      during: (call, callId, tags) => reInviteAnswered(call, callId, tags, 403),
    });
    expect(next.released.digest).toBe(second);
    expect(lastRequest(next.call.callee.messages(), "BYE").headers.Reason).toBe(REASON_EDITED);
  });
});
