// RFC 3261 §12 dialog state of a UA (a B2BUA leg) and the requests built in it: §12.1.1 UAS, §12.1.2 UAC,
// §12.2.1.1 loose and strict routing, §13.2.2.4 ACK for a 2xx; missing fields named.
import { describe, expect, it } from "vitest";
import {
  ackFor2xx,
  DialogError,
  inDialog,
  inDialogRequest,
  uacDialog,
  uasDialog,
} from "../../src/sip/dialogs/ua-dialog.ts";
import { headerValue } from "../../src/sip/messages/header-access.ts";
import type { SipRequest, SipResponse } from "../../src/sip/messages/message.ts";
import { parseMessage } from "../../src/sip/messages/parse-message.ts";
import { serializeMessage } from "../../src/sip/messages/serialize-message.ts";

function parse<T extends SipRequest | SipResponse>(lines: string[]): T {
  const r = parseMessage(`${lines.join("\r\n")}\r\n\r\n`);
  if (!r.ok) throw new Error(JSON.stringify(r.fault));
  return r.message as T;
}

const invite = parse<SipRequest>([
  "INVITE sip:4917325@gmsc.example.net SIP/2.0",
  "Via: SIP/2.0/UDP msc-a.example.net;branch=z9hG4bK1",
  "Max-Forwards: 70",
  "From: <sip:4930123@msc-a.example.net>;tag=a1",
  "To: <sip:4917325@gmsc.example.net>",
  "Call-ID: c1@msc-a",
  "CSeq: 314 INVITE",
  "Contact: <sip:msc-a@192.0.2.10:5061>",
  "Record-Route: <sip:p1.example.net;lr>, <sip:p2.example.net;lr>",
  "Content-Length: 0",
]);

const ok = parse<SipResponse>([
  "SIP/2.0 200 OK",
  "Via: SIP/2.0/UDP msc-a.example.net;branch=z9hG4bK1",
  "From: <sip:4930123@msc-a.example.net>;tag=a1",
  "To: <sip:4917325@gmsc.example.net>;tag=b2",
  "Call-ID: c1@msc-a",
  "CSeq: 314 INVITE",
  "Contact: <sip:msc-b@198.51.100.20:5070>",
  "Record-Route: <sip:p1.example.net;lr>, <sip:p2.example.net>",
  "Content-Length: 0",
]);

const lines = (req: SipRequest) => serializeMessage(req).toString().split("\r\n");

describe("RFC 3261 §12 UA dialogs", () => {
  it("rfc3261:12.1.1 the UAS dialog: Record-Route in order, the caller's Contact as remote target, its CSeq as remote", () => {
    const d = uasDialog(invite, "g1");
    expect(d).toEqual({
      callId: "c1@msc-a",
      localTag: "g1",
      remoteTag: "a1",
      localUri: "<sip:4917325@gmsc.example.net>",
      remoteUri: "<sip:4930123@msc-a.example.net>",
      remoteTarget: "sip:msc-a@192.0.2.10:5061",
      routeSet: ["<sip:p1.example.net;lr>", "<sip:p2.example.net;lr>"],
      localSeq: 0,
      remoteSeq: 314,
    });
    const bye = inDialogRequest(d, "BYE");
    expect(lines(bye).slice(0, 6)).toEqual([
      "BYE sip:msc-a@192.0.2.10:5061 SIP/2.0",
      "Max-Forwards: 70",
      "To: <sip:4930123@msc-a.example.net>;tag=a1",
      "From: <sip:4917325@gmsc.example.net>;tag=g1",
      "Call-ID: c1@msc-a",
      "CSeq: 1 BYE",
    ]);
    expect(headerValue(bye, "Route")).toBe("<sip:p1.example.net;lr>, <sip:p2.example.net;lr>");
    // A request from the caller in this dialog carries its tag in From and the GMSC's in To (§12.2.2).
    const fromCaller = (toTag: string) =>
      parse<SipRequest>([
        "BYE sip:gmsc.example.net SIP/2.0",
        "Via: SIP/2.0/UDP msc-a.example.net;branch=z9hG4bK2",
        "From: <sip:4930123@msc-a.example.net>;tag=a1",
        `To: <sip:4917325@gmsc.example.net>;tag=${toTag}`,
        "Call-ID: c1@msc-a",
        "CSeq: 315 BYE",
        "Content-Length: 0",
      ]);
    expect(inDialog(d, fromCaller("g1"))).toBe(true);
    expect(inDialog(d, fromCaller("other"))).toBe(false);
  });

  it("rfc3261:12.1.2 rfc3261:12.2.1.1 the UAC dialog: Record-Route reversed; a strict router first takes the Request-URI and the remote target goes last", () => {
    const d = uacDialog(invite, ok);
    expect(d.routeSet).toEqual(["<sip:p2.example.net>", "<sip:p1.example.net;lr>"]);
    expect(d.localSeq).toBe(314);
    const bye = inDialogRequest(d, "BYE", { cseq: 315 });
    expect(lines(bye)[0]).toBe("BYE sip:p2.example.net SIP/2.0");
    expect(headerValue(bye, "Route")).toBe("<sip:p1.example.net;lr>, <sip:msc-b@198.51.100.20:5070>");
    expect(headerValue(bye, "To")).toBe("<sip:4917325@gmsc.example.net>;tag=b2");
    expect(headerValue(bye, "CSeq")).toBe("315 BYE");
  });

  it("rfc3261:13.2.2.4 the ACK for a 2xx carries the INVITE's CSeq number", () => {
    const ack = ackFor2xx(uacDialog(invite, ok), 314);
    expect(headerValue(ack, "CSeq")).toBe("314 ACK");
    expect(ack.method).toBe("ACK");
  });

  it("a response without Contact cannot make a dialog: the error names the field", () => {
    const noContact = { ...ok, headers: ok.headers.filter((h) => h.name !== "Contact") };
    expect(() => uacDialog(invite, noContact)).toThrow(DialogError);
    expect(() => uacDialog(invite, noContact)).toThrow("Contact of the 200 response: expected a Contact header");
  });
});
