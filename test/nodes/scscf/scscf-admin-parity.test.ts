// Issue 16 item 1, admin parity: the S-CSCF answers a release with nothing to do 409, and an unknown cause 400
// listing the causes the rules in force know (tables.reasonByCause of the rule version in force, after a reload).
import { describe, expect, it } from "vitest";
import { dialog } from "../../rules/fixtures.ts";
import { copyRules } from "../../rules-only/rules-copy.ts";
import { scscfForTest } from "./scscf-harness.ts";

describe("S-CSCF admin API: 409 and 400 as on the GMSC", () => {
  it("24.229:5.4.5.1.2/intro a dialog already under release: nothing to do, 409", async () => {
    const s = await scscfForTest("udp");
    const d = dialog({ callId: "releasing@127.0.0.1", state: "releasing" });
    await s.node.dialogs.update(d.callId, () => ({ dialog: d }));
    const r = await s.admin("POST", `/v1/dialogs/${encodeURIComponent(d.callId)}/release`, {});
    expect(r).toEqual({
      status: 409,
      body: { error: "dialog releasing@127.0.0.1 is releasing: no release to start (one is under way or done)" },
    });
  });

  it("24.229:5.4.5.1.2/1.g an unknown cause: 400 listing the causes of the rules in force, which a reload changes", async () => {
    const rules = copyRules();
    const s = await scscfForTest("udp", {}, undefined, { root: rules.dir });
    const ask = (cause: string) => s.admin("POST", "/v1/dialogs/nope/release", { cause });
    expect(await ask("maintenance")).toEqual({
      status: 400,
      body: {
        error:
          'cause: expected one of administrative, session-timer, deregistration, service-expiry; found "maintenance"',
      },
    });
    rules.edit("24.229-5.4.5.1.2.rules.json", (json) => {
      json.tables.reasonByCause.maintenance = { protocol: "SIP", cause: 503, text: "Maintenance" };
    });
    expect((await s.admin("POST", "/v1/rules/reload")).status).toBe(200);
    // Known now: past the cause check, the dialog is looked up (none here).
    expect((await ask("maintenance")).status).toBe(404);
    expect((await ask("because")).body.error).toBe(
      'cause: expected one of administrative, session-timer, deregistration, service-expiry, maintenance; found "because"',
    );
  });
});
