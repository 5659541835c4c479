// Issue 16 item 1: the S-CSCF's facts are validated at the boundary (schemas/facts.schema.json) before the rules
// see them, through the one decision pipeline both nodes share. A malformed fact is rejected naming its JSON
// pointer and what the schema expected; no rule runs on it and nothing is sent.
import { describe, expect, it } from "vitest";
import { FactsError, validateFacts } from "../../../src/nodes/decision-pipeline.ts";
import { dialog, scscf } from "../../rules/fixtures.ts";
import { scscfForTest } from "./scscf-harness.ts";

describe("S-CSCF facts at the boundary", () => {
  it("a malformed fact is a FactsError naming its pointer", () => {
    const bad = scscf({ dialog: dialog({ cseqCallingToCalled: 2 ** 31 }) });
    expect(() => validateFacts("scscf", bad, "dialog d1")).toThrow(FactsError);
    expect(() => validateFacts("scscf", bad, "dialog d1")).toThrow(
      "facts for dialog d1: at /dialog/cseqCallingToCalled expected must be <= 2147483647",
    );
    const event = scscf({}, { type: "release-indication", cause: "Not A Cause" });
    expect(() => validateFacts("scscf", event, "dialog d1")).toThrow('at /event/cause expected must match pattern "');
    expect(() => validateFacts("scscf", scscf(), "dialog d1")).not.toThrow();
  });

  it("24.229:5.4.5.1.2/intro a release of a stored dialog that makes no valid facts: 500 naming the pointer, no BYE", async () => {
    const s = await scscfForTest("udp");
    try {
      const bad = dialog({
        callId: "bad-facts@127.0.0.1",
        calledContact: "sip:bob@127.0.0.1:9",
        cseqCallingToCalled: -1,
      });
      await s.node.dialogs.update(bad.callId, () => ({ dialog: bad }));
      const r = await s.admin("POST", `/v1/dialogs/${encodeURIComponent(bad.callId)}/release`, {});
      expect(r).toEqual({
        status: 500,
        body: { error: "facts for dialog bad-facts@127.0.0.1: at /dialog/cseqCallingToCalled expected must be >= 0" },
      });
      // No rule ran: the dialog is as it was, and no BYE was sent.
      expect((await s.node.dialogs.get(bad.callId))?.dialog).toEqual(bad);
      expect((s.node.shell.traces.get(bad.callId) ?? []).filter((e) => e.direction === "sent")).toEqual([]);
    } finally {
      await s.close();
    }
  });
});
