// The runtime audit trail's retention per call: a full trace keeps its set-up (first quarter) and its newest
// messages, so a long call's ladder still ends with the release.
import { describe, expect, it } from "vitest";
import { CallTraces } from "../../src/trace/call-trace.ts";

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

describe("call traces over maxCalls", () => {
  const e = (label: string) => ({ protocol: "SIP" as const, direction: "sent" as const, from: "S", to: "U", label });

  it("evicts the least recently active call, not the oldest placed, and lists them least recently active first", () => {
    let t = 0;
    const traces = new CallTraces({ maxCalls: 3, maxEntriesPerCall: 10, maxAgeMs: 1e9 }, () => t++);
    for (const id of ["a", "b", "c"]) traces.record(id, e(`INVITE ${id}`));
    traces.record("a", e("BYE a")); // a is now the most recently active
    expect(traces.callIds()).toEqual(["b", "c", "a"]);
    traces.record("d", e("INVITE d"));
    expect(traces.get("b")).toBeUndefined();
    expect(traces.get("a")?.map((x) => x.label)).toEqual(["INVITE a", "BYE a"]);
    expect(traces.callIds()).toEqual(["c", "a", "d"]);
    traces.record("e", e("INVITE e"));
    expect(traces.callIds()).toEqual(["a", "d", "e"]);
  });

  it("keeps the right calls and texts through thousands of calls come and gone (second chances, calls aged out)", () => {
    let t = 0;
    const traces = new CallTraces({ maxCalls: 50, maxEntriesPerCall: 10, maxAgeMs: 1e9, messageCalls: 20 }, () => t++);
    const sip = (label: string) => ({ ...e(label), raw: label });
    for (let i = 0; i < 5000; i++) {
      traces.record(`c${i}`, sip("INVITE"));
      traces.record(`c${i}`, sip("200"));
      // One call stays active all along: it is moved to the end each time it comes up, never evicted.
      if (i % 20 === 0) traces.record("long", sip("INFO"));
    }
    const ids = traces.callIds();
    expect(ids).toHaveLength(50);
    expect(ids).toContain("long");
    expect(ids.at(-1)).toBe("c4999");
    expect(ids.filter((id) => id !== "long")).toEqual(Array.from({ length: 49 }, (_, k) => `c${4951 + k}`));
    // Texts: only the 20 most recently placed calls keep theirs.
    expect(traces.get("c4999")?.map((x) => x.raw)).toEqual(["INVITE", "200"]);
    expect(traces.get("c4980")?.map((x) => x.raw)).toEqual(["INVITE", "200"]);
    expect(traces.get("c4979")?.map((x) => x.raw)).toEqual([undefined, undefined]);
    // A call placed again after it was evicted is a call of its own, with its text.
    traces.record("c0", sip("INVITE"));
    expect(traces.get("c0")?.map((x) => x.raw)).toEqual(["INVITE"]);
    expect(traces.get("c4980")?.map((x) => x.raw)).toEqual([undefined, undefined]);
  });

  it("drops calls whose last message is older than maxAgeMs when a new call comes", () => {
    let t = 0;
    const traces = new CallTraces({ maxCalls: 10, maxEntriesPerCall: 10, maxAgeMs: 100 }, () => t);
    traces.record("old", e("INVITE"));
    t = 50;
    traces.record("kept", e("INVITE"));
    t = 120;
    traces.record("new", e("INVITE"));
    expect(traces.callIds()).toEqual(["kept", "new"]);
  });

  it("fields given as a function are listed when the trace is read, once, and read as a list", () => {
    const traces = new CallTraces({ maxCalls: 10, maxEntriesPerCall: 10, maxAgeMs: 1000 }, () => 0);
    let listed = 0;
    const fields = () => {
      listed++;
      return [{ name: "CSeq", value: "52 BYE", trace: ["24.229:5.4.5.1.2/1.e"] }];
    };
    traces.record("c", { protocol: "SIP", direction: "sent", from: "S-CSCF", to: "UE", label: "BYE", fields });
    expect(listed).toBe(0);
    const once = traces.get("c");
    const twice = traces.get("c");
    expect(listed).toBe(1);
    expect(JSON.parse(JSON.stringify(twice))[0].fields).toEqual([
      { name: "CSeq", value: "52 BYE", trace: ["24.229:5.4.5.1.2/1.e"] },
    ]);
    expect(once?.[0].fields).toBe(twice?.[0].fields);
  });

  it("keeps message texts for the messageCalls most recently placed calls only; every entry has its wall-clock time", () => {
    let wall = Date.UTC(2026, 11, 6, 19, 0, 0);
    const traces = new CallTraces(
      { maxCalls: 10, maxEntriesPerCall: 8, maxAgeMs: 1e9, messageCalls: 2 },
      () => 0,
      () => wall++,
    );
    let written = 0;
    for (const c of ["a", "b", "c"])
      traces.record(c, {
        protocol: "SIP",
        direction: "received",
        from: "UE",
        to: "S-CSCF",
        label: "INVITE",
        raw: () => {
          written++;
          return `INVITE sip:${c}`;
        },
      });
    // A later message of the oldest call keeps no text either.
    traces.record("a", { protocol: "SIP", direction: "received", from: "UE", to: "S-CSCF", label: "BYE", raw: "BYE" });
    expect(traces.get("a")?.map((e) => e.raw)).toEqual([undefined, undefined]);
    expect(traces.get("c")?.[0].raw).toBe("INVITE sip:c");
    expect(traces.get("b")?.[0].raw).toBe("INVITE sip:b");
    expect(written).toBe(2);
    expect(traces.get("a")?.map((e) => e.time)).toEqual([
      Date.UTC(2026, 11, 6, 19, 0, 0),
      Date.UTC(2026, 11, 6, 19, 0, 0) + 3,
    ]);
  });
});
