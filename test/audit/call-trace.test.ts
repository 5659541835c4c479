// The runtime audit trail's retention per call: a full trace keeps its set-up (first quarter) and its newest
// messages, so a long call's ladder still ends with the release.
import { describe, expect, it } from "vitest";
import { CallTraces } from "../../src/audit/call-trace.ts";

describe("call traces", () => {
  it("a call over maxEntriesPerCall keeps its first quarter and its newest messages", () => {
    let t = 0;
    const traces = new CallTraces({ maxCalls: 10, maxEntriesPerCall: 8, maxAgeMs: 1e9 }, () => t++);
    const labels = [
      "INVITE",
      "180",
      "200",
      "ACK",
      ...Array.from({ length: 20 }, (_, i) => `re-INVITE ${i}`),
      "BYE",
      "200 BYE",
    ];
    for (const label of labels)
      traces.record("c", { protocol: "SIP", direction: "sent", from: "S-CSCF", to: "UE", label });
    expect(traces.get("c")?.map((e) => e.label)).toEqual([
      "INVITE",
      "180",
      "re-INVITE 16",
      "re-INVITE 17",
      "re-INVITE 18",
      "re-INVITE 19",
      "BYE",
      "200 BYE",
    ]);
  });
});
