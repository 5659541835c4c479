// TS 23.231 §7.3.1 option a (policy gmscOption "a"): the GMSC processes a release indication as a SIP user agent
// towards the side it came from and starts a release of its own towards the other side (RFC 3261), instead of
// forwarding what it received. Checked at the wire against SIPp and the Erlang megaco MG.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectBothReleased, one } from "./call-checks.ts";
import { type GmscHarness, startGmscHarness } from "./gmsc-harness.ts";
import { headerOf, ladder, messages } from "./wire.ts";

let h: GmscHarness;
beforeAll(async () => {
  h = await startGmscHarness({ policy: { gmscOption: "a" } });
}, 120_000);
afterAll(async () => h?.close());

describe("TS 23.231 §7.3.1 option a: the GMSC as a user agent towards each side", () => {
  it("23.231:7.3.1/intro 23.231:7.3.1/a BYE from the preceding node: answered 200 OK by the GMSC itself (no RLC relayed), both terminations subtracted, a BYE of the GMSC's own in the succeeding dialog", async () => {
    const c = await h.call({ preceding: "gmsc-preceding-bye.xml", succeeding: "gmsc-succeeding-answer.xml" });
    await c.done();
    await expectBothReleased(h, c);
    const ok = one(
      messages(c.toPreceding(), /^SIP\/2\.0 200/).filter((m) => headerOf(m, "CSeq") === "2 BYE"),
      "200 OK (BYE)",
    );
    expect(ok.body.length).toBe(0);
    expect(headerOf(ok, "Content-Type")).toBeUndefined();
    const bye = one(messages(c.toSucceeding(), /^BYE /), "BYE downstream");
    // The GMSC's own BYE: built by the succeeding leg's dialog, nothing of the received one (no REL, no Reason).
    expect(bye.start).toBe(`BYE sip:msc-b@127.0.0.1:${h.succeedingTap.port} SIP/2.0`);
    expect(headerOf(bye, "CSeq")).toBe("2 BYE");
    expect(headerOf(bye, "Reason")).toBeUndefined();
    expect(bye.body.length).toBe(0);
    const trace = (await h.admin("GET", `/v1/calls/${c.callId}/trace`)).body.entries as Array<{
      label: string;
      rule?: string;
    }>;
    expect(trace.find((e) => e.label === "200 OK (BYE)")?.rule).toBe("23.231:7.3.1/a#bye-as-ua");
  });

  it("23.231:7.3.1/a CANCEL from the preceding node: 200 OK (CANCEL) and 487 for the INVITE at once as its UAS, a CANCEL towards the succeeding node, both terminations subtracted", async () => {
    const c = await h.call({
      preceding: "gmsc-preceding-ringing-cancel.xml",
      succeeding: "gmsc-succeeding-ring-cancel.xml",
    });
    await c.done();
    await expectBothReleased(h, c);
    expect(ladder(c.toPreceding())).toEqual([
      "100 Trying (INVITE)",
      "180 Ringing (INVITE)",
      "200 OK (CANCEL)",
      "487 Request Terminated (INVITE)",
    ]);
    expect(ladder(c.toSucceeding())).toEqual(["INVITE", "CANCEL", "ACK"]);
    // The 487 upstream came from the GMSC as UAS, before the succeeding node answered the CANCEL.
    const at = (list: Array<{ text: string; at: number }>, start: string) =>
      list.find((m) => m.text.startsWith(start))?.at ?? Number.NaN;
    expect(at(c.timesToPreceding(), "SIP/2.0 487")).toBeLessThan(at(c.timesToSucceeding(), "ACK "));
  });

  it("23.231:7.3.1/a final error response 486 from the succeeding node: ACKed as its UAC, both terminations subtracted, the preceding INVITE answered 486 by the GMSC as its UAS (the received ISUP REL is not relayed)", async () => {
    const c = await h.call({
      preceding: "gmsc-preceding-rejected.xml",
      succeeding: "gmsc-succeeding-reject.xml",
      fill: { STATUS: 486, REASON: "Busy Here" },
    });
    await c.done();
    await expectBothReleased(h, c);
    expect(ladder(c.toSucceeding())).toEqual(["INVITE", "ACK"]);
    const busy = one(messages(c.toPreceding(), /^SIP\/2\.0 486/), "486 upstream");
    expect(busy.body.length).toBe(0);
    expect(headerOf(busy, "Reason")).toBeUndefined();
  });
});
