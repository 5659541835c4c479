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

describe("call traces of a B2BUA's two legs", () => {
  it("an alias's messages go into its call's trace, and the alias finds it; both go when the call is evicted", () => {
    let t = 0;
    const traces = new CallTraces({ maxCalls: 1, maxEntriesPerCall: 10, maxAgeMs: 1e9 }, () => t++);
    const e = (label: string) => ({
      protocol: "SIP" as const,
      direction: "sent" as const,
      from: "GMSC",
      to: "B",
      label,
    });
    traces.record("leg-a", e("INVITE a"));
    traces.alias("leg-b", "leg-a");
    traces.record("leg-b", e("INVITE b"));
    expect(traces.get("leg-a")?.map((x) => x.label)).toEqual(["INVITE a", "INVITE b"]);
    expect(traces.get("leg-b")).toBe(traces.get("leg-a"));
    traces.record("other", e("OPTIONS"));
    expect(traces.get("leg-a")).toBeUndefined();
    expect(traces.get("leg-b")).toBeUndefined();
    expect(traces.callIds()).toEqual(["other"]);
  });
});
