// TS 23.231 §7.3.1 at the wire: the GMSC node between SIPp as the preceding and the succeeding SIP-I node and the
// Erlang/OTP megaco MG. Each test checks what the GMSC sent each SIPp (octet for octet at a UDP tap: ISUP bodies,
// SDP, headers) and exactly the Subtracts the MG decoded.
import { createSocket } from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectBothReleased, noCallsLeft, one } from "./call-checks.ts";
import { addsOf, CALLED, type CallRun, type GmscHarness, startGmscHarness, subtractsOf } from "./gmsc-harness.ts";
import { isup, sippBody } from "./isup.ts";
import { headerOf, isupPart, ladder, messages, sdpPart, wireMessage } from "./wire.ts";

let h: GmscHarness;
beforeAll(async () => {
  h = await startGmscHarness();
}, 120_000);
afterAll(async () => h?.close());

/** The time the MG tap saw the first Subtract, and the time a SIP tap saw a message. */
const firstSubtractAt = (c: CallRun) => c.toMg().find((m) => /\b(Subtract|S)\s*=/.test(m.text))?.at ?? Number.NaN;

async function traceOf(callId: string) {
  const r = await h.admin("GET", `/v1/calls/${encodeURIComponent(callId)}/trace`);
  expect(r.status).toBe(200);
  return r.body.entries as Array<{ at: number; direction: string; label: string; rule?: string; trace?: string[] }>;
}

describe("GMSC set-up (a SIP-I B2BUA with MGW resources)", () => {
  it("x-23.231:7.3.1/relay-responses routes the INVITE by number prefix, seizes two terminations ($ in context $, g/cause armed), points each leg's SDP at the MGW, passes ISUP IAM/ACM/ANM unchanged, ACKs each leg", async () => {
    const c = await h.call({ preceding: "gmsc-preceding-bye.xml", succeeding: "gmsc-succeeding-answer.xml" });
    await c.done();
    const [orig, dest] = addsOf(c.mgCommands());
    expect(orig.contextId).toBeGreaterThan(0);
    expect(dest.contextId).toBe(orig.contextId);
    expect(orig.terminationId).not.toBe(dest.terminationId);
    const add = c.toMg().find((m) => /\b(Add|A)\s*=\s*\$/.test(m.text))?.text ?? "";
    expect(add).toMatch(/\b(Context|C)\s*=\s*\$/);
    expect(add.match(/\b(Add|A)\s*=\s*\$/g)).toHaveLength(2);
    expect(add.match(/\b(Events|E)\s*=\s*1\s*\{\s*g\/cause\s*\}/g)).toHaveLength(2);

    const invite = one(messages(c.toSucceeding(), /^INVITE /), "INVITE towards the succeeding node");
    expect(invite.start).toBe(
      `INVITE sip:${CALLED}@127.0.0.1:${h.node.shell.transportLayer.addresses[0].port};user=phone SIP/2.0`,
    );
    expect(headerOf(invite, "P-Asserted-Identity")).toBe("<tel:+4930123>");
    expect(headerOf(invite, "Call-ID")).not.toBe(c.callId);
    expect(headerOf(invite, "From")).not.toContain("MscA");
    expect(headerOf(invite, "CSeq")).toBe("1 INVITE");
    expect(sdpPart(invite)).toBe(
      "v=0\r\no=msc-a 53655765 2353687637 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
        `m=audio ${dest.localPort} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000`,
    );
    expect(isupPart(invite)).toEqual(isup.IAM);

    expect(ladder(c.toPreceding())).toEqual([
      "100 Trying (INVITE)",
      "180 Ringing (INVITE)",
      "200 OK (INVITE)",
      "200 OK (BYE)",
    ]);
    const ringing = one(messages(c.toPreceding(), /^SIP\/2\.0 180/), "180 upstream");
    expect(ringing.body).toEqual(sippBody(isup.ACM));
    const ok = one(
      messages(c.toPreceding(), /^SIP\/2\.0 200 OK/).filter((m) => headerOf(m, "CSeq") === "1 INVITE"),
      "200 OK (INVITE)",
    );
    expect(headerOf(ok, "Contact")).toBe(`<sip:127.0.0.1:${h.node.shell.transportLayer.addresses[0].port}>`);
    expect(headerOf(ok, "To")).toMatch(/^<sip:4917325@127\.0\.0\.1;user=phone>;tag=[0-9a-f]{12}$/);
    expect(sdpPart(ok)).toBe(
      "v=0\r\no=msc-b 2890844527 2890844527 IN IP4 198.51.100.20\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
        `m=audio ${orig.localPort} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000`,
    );
    expect(isupPart(ok)).toEqual(isup.ANM);
    // The ACK for the 2xx on the succeeding leg, in its dialog (RFC 3261 §13.2.2.4).
    const ack = one(messages(c.toSucceeding(), /^ACK /), "ACK downstream");
    expect(ack.start).toMatch(new RegExp(`^ACK sip:msc-b@127\\.0\\.0\\.1:${h.succeedingTap.port} SIP/2\\.0$`));
    expect(headerOf(ack, "CSeq")).toBe("1 ACK");
    expect(headerOf(ack, "To")).toMatch(/;tag=\d+MscB1$/);
    // The destination-side termination learnt the succeeding node's media (Remote descriptor).
    expect(
      c
        .mgCommands()
        .filter((l) => l.command === "Modify")
        .map((l) => l.terminationIds),
    ).toEqual([[dest.terminationId]]);
  });

  it("answers an INVITE no route matches with 404 and seizes nothing", async () => {
    const c = await h.call({
      preceding: "gmsc-preceding-rejected.xml",
      succeeding: "gmsc-succeeding-answer.xml",
      fill: { NUMBER: "3312345", STATUS: 404 },
      timeoutMs: 3000,
    });
    await c.caller.succeeded();
    await c.callee.stop();
    expect(ladder(c.toPreceding())).toEqual(["100 Trying (INVITE)", "404 Not Found (INVITE)"]);
    expect(c.toSucceeding()).toEqual([]);
    expect(addsOf(c.mgCommands())).toEqual([]);
  });
});

describe("GMSC set-up refusals", () => {
  /** Sends one request from a loopback socket and returns the GMSC's final response (a 100 Trying skipped). */
  async function exchange(request: string): Promise<string> {
    const socket = createSocket("udp4");
    await new Promise<void>((r) => socket.bind(0, "127.0.0.1", () => r()));
    const port = socket.address().port;
    try {
      const final = new Promise<string>((resolve) =>
        socket.on("message", (m) => {
          const text = m.toString("utf8");
          if (!text.startsWith("SIP/2.0 100")) resolve(text);
        }),
      );
      socket.send(
        request.replaceAll("@@PORT@@", String(port)),
        h.node.shell.transportLayer.addresses[0].port,
        "127.0.0.1",
      );
      return await h.waitFor(
        "the GMSC's answer",
        () => Promise.race([final, new Promise<undefined>((r) => setTimeout(() => r(undefined), 50))]),
        5000,
      );
    } finally {
      socket.close();
    }
  }

  const invite = (headers: string[], body = "") =>
    [
      `INVITE sip:${CALLED}@127.0.0.1 SIP/2.0`,
      "Via: SIP/2.0/UDP 127.0.0.1:@@PORT@@;branch=z9hG4bK-refusal-" + Math.random().toString(16).slice(2),
      "Max-Forwards: 70",
      "From: <sip:4930123@127.0.0.1>;tag=r1",
      `To: <sip:${CALLED}@127.0.0.1>`,
      `Call-ID: refusal-${Math.random().toString(16).slice(2)}@127.0.0.1`,
      "CSeq: 1 INVITE",
      ...headers,
      `Content-Length: ${Buffer.byteLength(body)}`,
      "",
      body,
    ].join("\r\n");

  it("answers an INVITE it cannot make a dialog or a body of with 400, the Reason naming what was expected, and seizes nothing", async () => {
    const adds = h.mg.lines().filter((l) => l.command === "Add").length;
    const noContact = wireMessage(await exchange(invite([])));
    expect(noContact.start).toBe("SIP/2.0 400 Bad Request");
    expect(headerOf(noContact, "Reason")).toBe(
      'SIP ;cause=400 ;text="Contact of the INVITE: expected a Contact header (remote target, §12.1)"',
    );
    const noBoundary = wireMessage(
      await exchange(
        invite(["Contact: <sip:a@127.0.0.1:@@PORT@@>", "Content-Type: multipart/mixed"], "--x\r\n\r\nv=0\r\n--x--\r\n"),
      ),
    );
    expect(noBoundary.start).toBe("SIP/2.0 400 Bad Request");
    expect(headerOf(noBoundary, "Reason")).toBe(
      'SIP ;cause=400 ;text="Content-Type multipart/mixed: expected a boundary parameter (RFC 2046 §5.1.1)"',
    );
    expect(h.mg.lines().filter((l) => l.command === "Add").length).toBe(adds);
  });
});

describe("TS 23.231 §7.3.1 call clearing received from a peer SIP-I node (option b)", () => {
  it("23.231:7.3.1/intro 23.231:7.3.1/b 23.231:7.3.1/b.2 23.231:7.3.4/1 23.231:7.3.4/2 BYE from the preceding node: Subtract of both seized terminations, then the BYE forwarded with ISUP REL, the 200 OK (BYE) back with RLC", async () => {
    const c = await h.call({ preceding: "gmsc-preceding-bye.xml", succeeding: "gmsc-succeeding-answer.xml" });
    await c.done();
    await expectBothReleased(h, c);
    expect(ladder(c.toSucceeding())).toEqual(["INVITE", "ACK", "BYE"]);
    const bye = one(messages(c.toSucceeding(), /^BYE /), "forwarded BYE");
    expect(bye.start).toBe(`BYE sip:msc-b@127.0.0.1:${h.succeedingTap.port} SIP/2.0`);
    expect(headerOf(bye, "CSeq")).toBe("2 BYE");
    expect(headerOf(bye, "To")).toMatch(/;tag=\d+MscB1$/);
    expect(headerOf(bye, "Reason")).toBe('Q.850;cause=16;text="Normal call clearing"');
    expect(headerOf(bye, "Content-Type")).toBe("application/isup;version=itu-t92+");
    expect(bye.body).toEqual(sippBody(isup.REL));
    const okBye = one(
      messages(c.toPreceding(), /^SIP\/2\.0 200/).filter((m) => headerOf(m, "CSeq") === "2 BYE"),
      "200 OK (BYE)",
    );
    expect(okBye.body).toEqual(sippBody(isup.RLC));
    expect(headerOf(okBye, "Content-Type")).toBe("application/isup;version=itu-t92+");
    // §7.3.1 b.2: 7.3.4 first, then the BYE forwarded.
    const byeAt = c.timesToSucceeding().find((m) => m.text.startsWith("BYE "))?.at ?? Number.NaN;
    expect(firstSubtractAt(c)).toBeLessThan(byeAt);
    expect((await h.admin("GET", `/v1/calls/${c.callId}`)).status).toBe(404);
  });

  it("23.231:7.3.1/b.2 23.231:7.3.4/2 BYE from the succeeding node: Subtracts, the BYE forwarded upstream in the preceding leg's dialog with ISUP REL, the 200 OK (BYE) with RLC back downstream", async () => {
    const c = await h.call({
      preceding: "gmsc-preceding-wait-bye.xml",
      succeeding: "gmsc-succeeding-answer-then-bye.xml",
    });
    await c.done();
    await expectBothReleased(h, c);
    const bye = one(messages(c.toPreceding(), /^BYE /), "BYE upstream");
    // The preceding leg's dialog: its Contact as Request-URI, its tags swapped, the GMSC's first CSeq there.
    expect(bye.start).toBe(`BYE sip:msc-a@127.0.0.1:${h.precedingTap.port} SIP/2.0`);
    expect(headerOf(bye, "Call-ID")).toBe(c.callId);
    expect(headerOf(bye, "To")).toMatch(/^<sip:4930123@127\.0\.0\.1;user=phone>;tag=\d+MscA1$/);
    expect(headerOf(bye, "CSeq")).toBe("1 BYE");
    expect(headerOf(bye, "Reason")).toBe('Q.850;cause=16;text="Normal call clearing"');
    expect(bye.body).toEqual(sippBody(isup.REL));
    const okBye = one(messages(c.toSucceeding(), /^SIP\/2\.0 200/), "200 OK (BYE) downstream");
    expect(headerOf(okBye, "CSeq")).toBe("1 BYE");
    expect(okBye.body).toEqual(sippBody(isup.RLC));
  });

  it("23.231:7.3.1/b.1 CANCEL after a provisional response: 200 OK (CANCEL) upstream, CANCEL downstream with the Reason, the downstream 487 relayed upstream, both terminations subtracted", async () => {
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
    const invite = one(messages(c.toSucceeding(), /^INVITE /), "INVITE");
    const cancel = one(messages(c.toSucceeding(), /^CANCEL /), "CANCEL");
    // RFC 3261 §9.1: the INVITE's Request-URI, Call-ID, From, To, CSeq number and top Via (its branch).
    expect(cancel.start.replace("CANCEL", "INVITE")).toBe(invite.start);
    expect(headerOf(cancel, "Via")).toBe(headerOf(invite, "Via"));
    expect(headerOf(cancel, "CSeq")).toBe("1 CANCEL");
    expect(headerOf(cancel, "Reason")).toBe('Q.850;cause=16;text="Normal call clearing"');
    const trace = await traceOf(headerOf(invite, "Call-ID") ?? "");
    // The call's one trace holds both legs: the CANCEL the GMSC sent downstream is the one with a rule.
    expect(trace.find((e) => e.direction === "sent" && e.label === "CANCEL")?.rule).toBe(
      "23.231:7.3.1/b.1#cancel-downstream",
    );
    expect(await traceOf(c.callId)).toEqual(trace);
  });

  it("23.231:7.3.1/b.1 rfc3261:9.1 CANCEL before any provisional response from the succeeding node: 200 OK (CANCEL) at once, the CANCEL downstream deferred until the 180 has come", async () => {
    const c = await h.call({
      preceding: "gmsc-preceding-early-cancel.xml",
      succeeding: "gmsc-succeeding-ring-cancel.xml",
      // The CANCEL comes once the INVITE went on (the MGW answers the Add within milliseconds on loopback).
      fill: { HOLD_MS: 300 },
      succeedingFill: { RING_AFTER_MS: 900 },
    });
    await c.done();
    await expectBothReleased(h, c);
    expect(ladder(c.toPreceding())).toEqual([
      "100 Trying (INVITE)",
      "200 OK (CANCEL)",
      "487 Request Terminated (INVITE)",
    ]);
    expect(ladder(c.toSucceeding())).toEqual(["INVITE", "CANCEL", "ACK"]);
    const invite = one(messages(c.toSucceeding(), /^INVITE /), "INVITE");
    const upstream = await traceOf(c.callId);
    const downstream = await traceOf(headerOf(invite, "Call-ID") ?? "");
    const cancelIn = upstream.find((e) => e.direction === "received" && e.label === "CANCEL");
    const ringing = downstream.find((e) => e.direction === "received" && e.label.startsWith("180"));
    const cancelOut = downstream.find((e) => e.direction === "sent" && e.label === "CANCEL");
    expect(cancelIn && ringing && cancelOut).toBeTruthy();
    expect(cancelIn!.at).toBeLessThan(ringing!.at);
    expect(ringing!.at).toBeLessThan(cancelOut!.at);
    expect(cancelOut!.rule).toBe("23.231:7.3.1/b.1#deferred-cancel-sent");
  });

  it("23.231:7.3.1/b.3 23.231:7.3.4/2 final error response 486 from the succeeding node: ACKed, both terminations subtracted, then 486 forwarded upstream with its ISUP REL and Reason", async () => {
    const c = await h.call({
      preceding: "gmsc-preceding-rejected.xml",
      succeeding: "gmsc-succeeding-reject.xml",
      fill: { STATUS: 486, REASON: "Busy Here" },
    });
    await c.done();
    await expectBothReleased(h, c);
    expect(ladder(c.toSucceeding())).toEqual(["INVITE", "ACK"]);
    const invite = one(messages(c.toSucceeding(), /^INVITE /), "INVITE");
    const ack = one(messages(c.toSucceeding(), /^ACK /), "ACK");
    // §17.1.1.3: the ACK of a non-2xx goes in the INVITE's transaction: same Request-URI and branch.
    expect(ack.start.replace("ACK", "INVITE")).toBe(invite.start);
    expect(headerOf(ack, "Via")).toBe(headerOf(invite, "Via"));
    expect(ladder(c.toPreceding())).toEqual(["100 Trying (INVITE)", "180 Ringing (INVITE)", "486 Busy Here (INVITE)"]);
    const busy = one(messages(c.toPreceding(), /^SIP\/2\.0 486/), "486 upstream");
    expect(headerOf(busy, "Reason")).toBe('Q.850;cause=17;text="User busy"');
    expect(busy.body).toEqual(sippBody(isup.REL_BUSY));
    const busyAt = c.timesToPreceding().find((m) => m.text.startsWith("SIP/2.0 486"))?.at ?? Number.NaN;
    expect(firstSubtractAt(c)).toBeLessThan(busyAt);
  });

  it("x-23.231:7.3.1/2xx-crossing-cancel a 200 OK crossing the CANCEL: the GMSC ACKs it and ends the succeeding dialog with a BYE, answers the preceding INVITE 487, subtracts each termination once", async () => {
    const c = await h.call({
      preceding: "gmsc-preceding-ringing-cancel.xml",
      succeeding: "gmsc-succeeding-2xx-crossing.xml",
    });
    await c.done();
    await expectBothReleased(h, c);
    expect(ladder(c.toSucceeding())).toEqual(["INVITE", "CANCEL", "ACK", "BYE"]);
    const ack = one(messages(c.toSucceeding(), /^ACK /), "ACK of the 2xx");
    expect(headerOf(ack, "To")).toMatch(/;tag=\d+MscB1$/);
    expect(headerOf(ack, "CSeq")).toBe("1 ACK");
    expect(headerOf(one(messages(c.toSucceeding(), /^BYE /), "BYE"), "CSeq")).toBe("2 BYE");
    expect(ladder(c.toPreceding())).toEqual([
      "100 Trying (INVITE)",
      "180 Ringing (INVITE)",
      "200 OK (CANCEL)",
      "487 Request Terminated (INVITE)",
    ]);
  });

  it("x-23.231:7.3.1/redirect-response 23.231:7.3.4/2 a 302 from the succeeding node: ACKed by the INVITE transaction, both terminations subtracted, the 302 forwarded upstream with both Contact alternatives and no Contact of the GMSC's", async () => {
    const c = await h.call({
      preceding: "gmsc-preceding-rejected.xml",
      succeeding: "gmsc-succeeding-redirect.xml",
      fill: { STATUS: 302 },
    });
    await c.done();
    await expectBothReleased(h, c);
    expect(ladder(c.toSucceeding())).toEqual(["INVITE", "ACK"]);
    expect(ladder(c.toPreceding())).toEqual([
      "100 Trying (INVITE)",
      "180 Ringing (INVITE)",
      "302 Moved Temporarily (INVITE)",
    ]);
    const redirect = one(messages(c.toPreceding(), /^SIP\/2\.0 302/), "302 upstream");
    expect(redirect.headers.filter(([n]) => n === "Contact").map(([, v]) => v)).toEqual([
      "<sip:4917399@198.51.100.77:5060;user=phone>;q=0.7",
      "<sip:4917398@198.51.100.78:5060;user=phone>;q=0.3",
    ]);
    const redirectAt = c.timesToPreceding().find((m) => m.text.startsWith("SIP/2.0 302"))?.at ?? Number.NaN;
    expect(firstSubtractAt(c)).toBeLessThan(redirectAt);
    await noCallsLeft(h);
    const decided = h.logs.find(
      (l) => l.msg === "decided" && l.callId === c.callId && (l.event as { status?: number }).status === 302,
    ) as { plans: Array<{ rule: string }> } | undefined;
    expect(decided?.plans.map((p) => p.rule)).toContain("x-23.231:7.3.1/redirect-response#forward-3xx");
  });

  it("23.231:7.3.4/2 across every call of this file: each termination an Add seized was subtracted exactly once, none other", async () => {
    const lines = h.mg.lines().filter((l) => l.event === "command");
    const seized = addsOf(lines).map((a) => `${a.contextId}/${a.terminationId}`);
    expect(seized.length).toBeGreaterThan(10);
    expect([...subtractsOf(lines)].sort()).toEqual([...seized].sort());
  });
});
