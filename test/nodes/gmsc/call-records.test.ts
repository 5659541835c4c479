// The GMSC's call records in a store shared by several nodes (a MemoryStore stands for the shared one here; the
// Redis one is exercised by the scale-out test with real processes): merged writes, the claim that keeps a
// termination from being subtracted twice, the index from the wire to the call, and expiry by the call's phase.
import { describe, expect, it } from "vitest";
import type { CallIndexRecord, CallRecord, UaDialog } from "../../../generated/types/index.ts";
import { CallRecords } from "../../../src/nodes/gmsc/call-records.ts";
import { withLegTerminated } from "../../../src/nodes/gmsc/call-state.ts";
import { mergeCallRecords } from "../../../src/nodes/gmsc/record-merge.ts";
import { MemoryStore } from "../../../src/store/memory-store.ts";
import { call } from "../../rules/fixtures.ts";

/** The call as a node leaves it once its Subtract for this termination is sent (the rules' termination.seized). */
const withTerminationReleased = (c: CallRecord["call"], contextId: string, id: string): CallRecord["call"] => ({
  ...c,
  terminations: c.terminations.map((t) => (t.contextId === contextId && t.id === id ? { ...t, seized: false } : t)),
});

const dialog = (callId: string, localSeq: number): UaDialog => ({
  callId,
  localTag: "gmsc-tag",
  remoteTag: "peer-tag",
  localUri: "<sip:gmsc@127.0.0.1>",
  remoteUri: "<sip:peer@127.0.0.1>",
  remoteTarget: "sip:peer@127.0.0.1:5070",
  routeSet: ["<sip:stp.example.net;lr>"],
  localSeq,
  remoteSeq: null,
});

function record(over: Partial<CallRecord["call"]> = {}): CallRecord {
  const c = call(over);
  return {
    call: c,
    preceding: { callId: c.callId, inviteCSeq: 1, peer: "udp://127.0.0.1:5061", dialog: dialog(c.callId, 0) },
    succeeding: {
      callId: "leg-2@gmsc.example.net",
      inviteCSeq: 1,
      peer: "udp://127.0.0.1:5070",
      dialog: dialog("leg-2@gmsc.example.net", 1),
    },
    createdAt: 0,
  };
}

/** Two nodes' views of one shared store, with a clock the test moves. */
function sharedStore() {
  let now = 1_000_000;
  const calls = new MemoryStore<CallRecord>("GMSC", () => now);
  const index = new MemoryStore<CallIndexRecord>("GMSC", () => now);
  return {
    a: new CallRecords(calls, index),
    b: new CallRecords(calls, index),
    index,
    advance: (seconds: number) => {
      now += seconds * 1000;
    },
  };
}

const key = "gmsc-call-1@gmsc.example.net";

describe("GMSC call records shared by several nodes", () => {
  it("a write lands on the stored record: each node's progress is kept (released terminations, ended legs, CSeqs, clearing)", () => {
    const start = record();
    // Node A released the originating termination and started clearing; node B meanwhile ended the preceding leg,
    // released the destination termination and sent a BYE on the succeeding leg (CSeq 2).
    const ours: CallRecord = {
      ...start,
      call: { ...withTerminationReleased(start.call, "4711", "ip/1/1/1"), clearing: true },
      clearingRule: "23.231:7.3.2/1#release-termination",
    };
    const stored: CallRecord = {
      ...start,
      call: withTerminationReleased(withLegTerminated(start.call, "preceding"), "4711", "ip/1/1/2"),
      succeeding: { ...start.succeeding, dialog: dialog("leg-2@gmsc.example.net", 2) },
      clearingRule: "23.231:7.3.1/b.2#bye",
    };
    const merged = mergeCallRecords(ours, stored);
    expect(merged.call.terminations.map((t) => t.seized)).toEqual([false, false]);
    expect(merged.call.preceding.state).toBe("terminated");
    expect(merged.call.clearing).toBe(true);
    expect(merged.succeeding.dialog?.localSeq).toBe(2);
    // The clearing stays counted under the rule that started it first.
    expect(merged.clearingRule).toBe("23.231:7.3.1/b.2#bye");
    // With nothing changed meanwhile, the write is what the node computed.
    expect(mergeCallRecords(ours, start)).toEqual({ ...ours, clearingRule: ours.clearingRule });
  });

  it("a write onto the record it was computed from is that write; a field only the stored record holds is kept", () => {
    const start = record({ terminations: [] });
    const ours: CallRecord = { ...start, call: withLegTerminated(start.call, "succeeding") };
    expect(mergeCallRecords(ours, start)).toEqual(ours);
    // Another node's lease (a field ours lacks) and a leg further on in the store: both are kept.
    const leased: CallRecord = { ...start, leaseOwner: "GMSC-B", leaseUntil: 5 };
    expect(mergeCallRecords(ours, leased)).toEqual({ ...ours, leaseOwner: "GMSC-B", leaseUntil: 5 });
    const further: CallRecord = { ...start, call: withLegTerminated(start.call, "preceding") };
    const merged = mergeCallRecords(ours, further);
    expect([merged.call.preceding.state, merged.call.succeeding.state]).toEqual(["terminated", "terminated"]);
    expect(merged).not.toBe(ours);
  });

  it("23.231:7.3.4/2 two nodes claiming the same terminations for a Subtract: only the first gets them, never both", async () => {
    const { a, b } = sharedStore();
    await a.create(key, record());
    const byA = await a.claim(key, [{ contextId: "4711", terminationId: "ip/1/1/1" }]);
    const byB = await b.claim(key, [
      { contextId: "4711", terminationId: "ip/1/1/1" },
      { contextId: "4711", terminationId: "ip/1/1/2" },
    ]);
    expect([...byA]).toEqual(["4711|ip/1/1/1"]);
    expect([...byB]).toEqual(["4711|ip/1/1/2"]);
    expect((await a.get(key))?.value.call.terminations.map((t) => t.seized)).toEqual([false, false]);
    expect([...(await a.claim(key, [{ contextId: "4711", terminationId: "ip/1/1/2" }]))]).toEqual([]);
  });

  it("a node that did not set the call up finds it by the succeeding leg's Call-ID and by an MGW termination; the index goes with the call", async () => {
    const { a, b, index } = sharedStore();
    await a.create(key, record());
    expect(await b.keyOfSucceedingLeg("leg-2@gmsc.example.net")).toBe(key);
    expect(await b.keyOfTermination("4711", "ip/1/1/2")).toBe(key);
    expect(await b.keyOfTermination("4711", "ip/9/9/9")).toBeUndefined();
    expect(await b.keyOfSucceedingLeg("other@gmsc.example.net")).toBeUndefined();
    // B ends the call: every termination released, both legs over.
    const over = record({
      preceding: { state: "terminated", provisionalReceived: false, finalResponseReceived: true },
      succeeding: { state: "terminated", provisionalReceived: true, finalResponseReceived: true },
      terminations: record().call.terminations.map((t) => ({ ...t, seized: false })),
      clearing: true,
    });
    const result = await b.write(key, over);
    expect(result.record).toBeUndefined();
    expect(result.ended?.call.clearing).toBe(true);
    expect(await a.get(key)).toBeUndefined();
    expect(await index.keys()).toEqual([]);
    // A, still holding its older copy, does not bring the removed call back.
    expect(await a.write(key, record())).toEqual({});
    expect(await a.get(key)).toBeUndefined();
  });

  it("expiry follows the call's life: 200 s while it is set up, 24 h once answered, 64 s while it is cleared", async () => {
    const setUp = record({
      preceding: { state: "early", provisionalReceived: false, finalResponseReceived: false },
      succeeding: { state: "calling", provisionalReceived: false, finalResponseReceived: false },
    });
    const s = sharedStore();
    await s.a.create(key, setUp);
    s.advance(199);
    expect(await s.a.get(key)).toBeDefined();
    s.advance(2);
    expect(await s.a.get(key)).toBeUndefined();

    const t = sharedStore();
    await t.a.create(key, setUp);
    await t.a.write(key, record());
    t.advance(23 * 3600);
    expect(await t.a.get(key)).toBeDefined();
    // The index lives as long as an answered call may.
    expect(await t.b.keyOfSucceedingLeg("leg-2@gmsc.example.net")).toBe(key);
    await t.a.write(key, record({ clearing: true }));
    t.advance(63);
    expect(await t.a.get(key)).toBeDefined();
    t.advance(2);
    expect(await t.a.get(key)).toBeUndefined();
  });
});
