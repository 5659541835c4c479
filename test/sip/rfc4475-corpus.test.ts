// RFC 4475 (SIP torture test messages): one test per message, with what the RFC asks of it.
import { describe, expect, it } from "vitest";
import { respondToMalformed } from "../../src/sip/messages/bad-request.ts";
import {
  callIdOf,
  contacts,
  cseqOf,
  fromOf,
  headerValue,
  headerValues,
  maxForwardsOf,
  routes,
  tagOf,
  toOf,
  vias,
} from "../../src/sip/messages/header-access.ts";
import type { SipMessage, SipRequest, SipResponse, SipUri } from "../../src/sip/messages/message.ts";
import { parseMessage } from "../../src/sip/messages/parse-message.ts";
import { checkRequest, checkResponse, type ElementPolicy } from "../../src/sip/messages/request-checks.ts";
import type { FaultLayer } from "../../src/sip/messages/sip-fault.ts";
import { rfc4475, rfc4475Names } from "./corpora.ts";

function accept(name: string): SipMessage {
  const r = parseMessage(rfc4475(name));
  if (!r.ok) throw new Error(`${name} rejected: ${JSON.stringify(r.fault)}`);
  return r.message;
}
const req = (name: string) => accept(name) as SipRequest;
const sipUri = (u: unknown) => u as SipUri;

describe("RFC 4475 §3.1.1 valid messages: parsed, with the values the RFC explains", () => {
  it("§3.1.1.1 wsinv: a short tortuous INVITE (folding, compact forms, odd case and white space)", () => {
    const m = req("wsinv");
    expect(sipUri(m.uri)).toMatchObject({
      user: "vivekg",
      host: "chair-dnrc.example.com",
      params: [["unknownparam", null]],
    });
    expect(tagOf(toOf(m))).toBe("1918181833n");
    expect(fromOf(m)?.displayName).toBe('J Rosenberg \\"');
    expect(tagOf(fromOf(m))).toBe("98asjd8");
    expect(maxForwardsOf(m)).toBe(68);
    expect(cseqOf(m)).toEqual({ seq: 9, method: "INVITE" });
    expect(vias(m).map((v) => [v.transport, v.host, v.params])).toEqual([
      ["UDP", "192.0.2.2", [["branch", "390skdjuw"]]],
      ["TCP", "spindle.example.com", [["branch", "z9hG4bK9ikj8"]]],
      ["UDP", "192.168.255.111", [["branch", "z9hG4bK30239"]]],
    ]);
    expect(headerValue(m, "Subject")).toBe("");
    expect(headerValue(m, "NewFangledHeader")).toBe("newfangled value continued newfangled value");
    expect(headerValue(m, "UnknownHeaderWithUnusualValue")).toBe(";;,,;;,;");
    expect(sipUri(routes(m)[0].uri).params).toEqual([
      ["lr", null],
      ["unknownwith", "value"],
      ["unknown-no-value", null],
    ]);
    const c = contacts(m);
    expect(c !== "*" && c[0]).toMatchObject({
      displayName: 'Quoted string ""',
      params: [
        ["newparam", "newvalue"],
        ["secondparam", null],
        ["q", "0.33"],
      ],
    });
    expect(m.body.length).toBe(150);
  });

  it("§3.1.1.2 intmeth: wide range of valid characters (method, user, password, Call-ID, quoted pairs, UTF-8)", () => {
    const m = req("intmeth");
    expect(m.method).toBe("!interesting-Method0123456789_*+`.%indeed'~");
    expect(sipUri(m.uri).user).toBe("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    expect(sipUri(m.uri).password).toBe("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    expect(cseqOf(m)?.method).toBe(m.method);
    expect(callIdOf(m)).toBe("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
    expect(toOf(m)?.displayName).toBe("BEL:\x07 NUL:\x00 DEL:\x7f");
    expect(fromOf(m)?.displayName).toBe("token1~` token2'+_ token3*%!.-");
    expect(fromOf(m)?.params[0]).toEqual([
      "fromParam''~+*_!.-%",
      "\u0440\u0430\u0431\u043e\u0442\u0430\u044e\u0449\u0438\u0439",
    ]);
    expect(tagOf(fromOf(m))).toBe("_token~1'+`*%!-.");
    expect(headerValue(m, "extensionHeader-!.%*+_`'~")).toBe("\ufeff\u5927\u505c\u96fb");
  });

  it("§3.1.1.3 esc01: escaped characters in URIs are kept as written", () => {
    const m = req("esc01");
    expect(sipUri(m.uri).user).toBe("sips%3Auser%40example.com");
    expect(sipUri(toOf(m)?.uri).user).toBe("%75se%72");
    expect(sipUri(fromOf(m)?.uri).user).toBe("I%20have%20spaces");
    const c = contacts(m);
    expect(c !== "*" && sipUri(c[0].uri).params).toEqual([
      ["%6C%72", null],
      ["n%61me", "v%61lue%25%34%31"],
    ]);
  });

  it("§3.1.1.4 escnull: escaped NULs in user parts; two Contact header fields", () => {
    const m = req("escnull");
    expect(sipUri(toOf(m)?.uri).user).toBe("null-%00-null");
    expect(headerValues(m, "Contact")).toHaveLength(2);
  });

  it("§3.1.1.5 esc02: %-escapes in a method and a header name are not escapes there", () => {
    const m = req("esc02");
    expect(m.method).toBe("RE%47IST%45R");
    expect(toOf(m)?.displayName).toBe("%Z%45");
    expect(headerValues(m, "Contact")).toHaveLength(2);
    expect(headerValue(m, "C%6Fntact")).toBe("<sip:alias2@host2.example.com>");
  });

  it("§3.1.1.6 lwsdisp: a display name not followed by white space", () => {
    expect(fromOf(req("lwsdisp"))?.displayName).toBe("caller");
  });

  it("§3.1.1.7 longreq: long values everywhere", () => {
    const m = req("longreq");
    expect(toOf(m)?.displayName).toContain("extremeextreme");
    expect(tagOf(fromOf(m))).toMatch(/^1298298298/);
    expect(vias(m).length).toBeGreaterThan(30);
    expect(m.body.length).toBe(Number(headerValue(m, "Content-Length")));
  });

  it("§3.1.1.8 dblreq: only the first message of the datagram is framed by Content-Length", () => {
    const r = parseMessage(rfc4475("dblreq"));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect((r.message as SipRequest).method).toBe("REGISTER");
    expect(r.message.body.length).toBe(0);
    expect(r.ignoredBytes).toBeGreaterThan(100);
  });

  it("§3.1.1.9 semiuri: a ';' in the user part of the Request-URI", () => {
    const u = sipUri(req("semiuri").uri);
    expect(u).toMatchObject({ user: "user;par=u%40example.net", host: "example.com", params: [] });
  });

  it("§3.1.1.10 transports: Via with every transport token", () => {
    expect(vias(req("transports")).map((v) => v.transport)).toEqual(["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"]);
  });

  it("§3.1.1.11 mpart01: a multipart body with binary octets framed by Content-Length", () => {
    const m = req("mpart01");
    expect(m.body.length).toBe(553);
    expect(Buffer.from(m.body).toString("latin1")).toContain("--7a9cbec02ceef655--");
  });

  it("§3.1.1.12 unreason: a UTF-8 reason phrase with unusual characters", () => {
    const m = accept("unreason") as SipResponse;
    expect(m.status).toBe(200);
    expect(m.reason.startsWith("= 2**3 * 5**2 ")).toBe(true);
  });

  it("§3.1.1.13 noreason: an empty reason phrase", () => {
    const m = accept("noreason") as SipResponse;
    expect([m.status, m.reason]).toEqual([100, ""]);
  });
});

// Expected handling of each invalid message: the layer that rejects it, and what a receiving element does.
const INVALID: Record<string, { layer: FaultLayer; header?: string; outcome: number | "drop" }> = {
  badinv01: { layer: "syntax", header: "Via", outcome: "drop" }, // §3.1.2.1 (Via unreadable: no response route)
  clerr: { layer: "framing", header: "Content-Length", outcome: 400 }, // §3.1.2.2
  ncl: { layer: "syntax", header: "Content-Length", outcome: 400 }, // §3.1.2.3
  scalar02: { layer: "semantic", header: "CSeq", outcome: 400 }, // §3.1.2.4
  scalarlg: { layer: "semantic", header: "CSeq", outcome: "drop" }, // §3.1.2.5 (a response)
  quotbal: { layer: "syntax", header: "To", outcome: "drop" }, // §3.1.2.6 (To unreadable)
  ltgtruri: { layer: "syntax", outcome: 400 }, // §3.1.2.7
  lwsruri: { layer: "syntax", outcome: 400 }, // §3.1.2.8
  lwsstart: { layer: "syntax", outcome: 400 }, // §3.1.2.9
  trws: { layer: "syntax", outcome: 400 }, // §3.1.2.10
  escruri: { layer: "semantic", outcome: 400 }, // §3.1.2.11
  baddate: { layer: "syntax", header: "Date", outcome: 400 }, // §3.1.2.12
  regbadct: { layer: "syntax", header: "Contact", outcome: 400 }, // §3.1.2.13
  badaspec: { layer: "syntax", header: "To", outcome: "drop" }, // §3.1.2.14
  baddn: { layer: "framing", outcome: "drop" }, // §3.1.2.15 (no empty line; From/To unreadable)
  badvers: { layer: "semantic", outcome: 505 }, // §3.1.2.16
  mismatch01: { layer: "semantic", header: "CSeq", outcome: 400 }, // §3.1.2.17
  mismatch02: { layer: "semantic", header: "CSeq", outcome: 400 }, // §3.1.2.18
  bigcode: { layer: "syntax", outcome: "drop" }, // §3.1.2.19 (a response)
};

describe("RFC 4475 §3.1.2 invalid messages: rejected at the layer that can tell; 400 when a response can be formed", () => {
  for (const [name, want] of Object.entries(INVALID)) {
    it(`${name}: rejected (${want.layer}${want.header ? `, ${want.header}` : ""}) then ${want.outcome}`, () => {
      const raw = rfc4475(name);
      const r = parseMessage(raw);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.fault.layer).toBe(want.layer);
      expect(r.fault.header).toBe(want.header);
      expect(r.fault.line).toBeGreaterThan(0);
      const action = respondToMalformed(raw, r.fault, { host: "proxy.example.net", toTag: "t1" });
      if (want.outcome === "drop") {
        expect(action.action).toBe("drop");
      } else {
        expect(action.action).toBe("respond");
        if (action.action !== "respond") return;
        expect(action.response.status).toBe(want.outcome);
        const warning = headerValue(action.response, "Warning") ?? "";
        expect(warning).toMatch(/^399 proxy\.example\.net "\d+:\d+/);
        expect(tagOf(toOf(action.response))).toBeDefined();
        expect(callIdOf(action.response)).toBe(callIdIn(raw));
      }
    });
  }
});

// The Call-ID as the sender wrote it (the 400 must echo it).
const callIdIn = (raw: Buffer) => /\r\n(?:Call-ID|i)[ \t]*:[ \t]*([^\r]*)/i.exec(raw.toString("utf8"))?.[1];

describe("RFC 4475 §3.2 transaction layer", () => {
  it("§3.2.1 badbranch: a branch of just the magic cookie is parsed as is", () => {
    expect(vias(req("badbranch"))[0].params).toEqual([["branch", "z9hG4bK"]]);
  });
});

const proxy: ElementPolicy = { role: "proxy" };
const uas: ElementPolicy = { role: "uas" };
const registrar: ElementPolicy = { role: "registrar" };

describe("RFC 4475 §3.3 application layer: parsed by the codec, then answered by the element (request-checks)", () => {
  const answer = (name: string, policy: ElementPolicy) => checkRequest(req(name), policy)?.status ?? null;
  it("§3.3.1 insuf: missing required header fields → 400", () => expect(answer("insuf", uas)).toBe(400));
  it("§3.3.2 unkscm: unknown Request-URI scheme → 416", () => expect(answer("unkscm", proxy)).toBe(416));
  it("§3.3.3 novelsc: novel Request-URI scheme → 416", () => expect(answer("novelsc", uas)).toBe(416));
  it("§3.3.4 unksm2: unknown schemes in To/From/Contact parse; a registrar refuses the AOR → 416", () => {
    const m = req("unksm2");
    expect(toOf(m)?.uri).toEqual({ scheme: "isbn", value: "2983792873" });
    expect(answer("unksm2", registrar)).toBe(416);
  });
  it("§3.3.5 bext01: unknown Require → 420 at a UAS, unknown Proxy-Require → 420 at a proxy, with Unsupported", () => {
    const a = checkRequest(req("bext01"), uas);
    expect(a?.status).toBe(420);
    expect(a?.headers).toEqual([["Unsupported", "nothingSupportsThis, nothingSupportsThisEither"]]);
    expect(checkRequest(req("bext01"), proxy)?.headers).toEqual([
      ["Unsupported", "noProxiesSupportThis, norDoAnyProxiesSupportThis"],
    ]);
  });
  it("§3.3.6 invut: unknown Content-Type at a UAS → 415 with Accept", () => {
    expect(checkRequest(req("invut"), uas)).toMatchObject({ status: 415, headers: [["Accept", "application/sdp"]] });
  });
  it("§3.3.7 regaut01: an unknown Authorization scheme parses (authentication is not this element's)", () => {
    expect(headerValue(req("regaut01"), "Authorization")).toBe("NoOneKnowsThisScheme opaque-data=here");
    expect(answer("regaut01", registrar)).toBeNull();
  });
  it("§3.3.8 multi01: several To/From/CSeq/Call-ID/Max-Forwards → 400", () =>
    expect(answer("multi01", proxy)).toBe(400));
  it("§3.3.9 mcl01: several Content-Length values → 400", () => expect(answer("mcl01", uas)).toBe(400));
  it("§3.3.10 bcast: a response whose next Via is a broadcast address is dropped", () => {
    expect(checkResponse(accept("bcast") as SipResponse)).toMatch(/broadcast/);
  });
  it("§3.3.11 zeromf: Max-Forwards 0 → 483 at a proxy; a UAS processes it", () => {
    expect(answer("zeromf", proxy)).toBe(483);
    expect(answer("zeromf", uas)).toBeNull();
  });
  it("§3.3.12 cparam01: a parameter after a bare addr-spec is a Contact parameter", () => {
    const c = contacts(req("cparam01"));
    expect(c !== "*" && [c[0].params, sipUri(c[0].uri).params]).toEqual([[["unknownparam", null]], []]);
  });
  it("§3.3.13 cparam02: a parameter inside <> is a URI parameter", () => {
    const c = contacts(req("cparam02"));
    expect(c !== "*" && [c[0].params, sipUri(c[0].uri).params]).toEqual([[], [["unknownparam", null]]]);
  });
  it("§3.3.14 regescrt: an escaped Route header in a Contact URI is kept in the URI", () => {
    const c = contacts(req("regescrt"));
    expect(c !== "*" && sipUri(c[0].uri).headers).toEqual([["Route", "%3Csip:sip.example.com%3E"]]);
    expect(answer("regescrt", registrar)).toBeNull();
  });
  it("§3.3.15 sdp01: Accept without application/sdp on an INVITE → 406", () => expect(answer("sdp01", uas)).toBe(406));
});

describe("RFC 4475 §3.4 backward compatibility", () => {
  it("§3.4.1 inv2543: an RFC 2543 INVITE (no branch, no Max-Forwards) is accepted", () => {
    const m = req("inv2543");
    expect(vias(m)[0].params).toEqual([]);
    expect(checkRequest(m, proxy)).toBeNull();
  });
});

it("RFC 4475 Appendix A: every message of the corpus is covered by a test above", () => {
  const covered = new Set([
    ...Object.keys(INVALID),
    ...["wsinv", "intmeth", "esc01", "escnull", "esc02", "lwsdisp", "longreq", "dblreq", "semiuri", "transports"],
    ...["mpart01", "unreason", "noreason", "badbranch", "insuf", "unkscm", "novelsc", "unksm2", "bext01", "invut"],
    ...["regaut01", "multi01", "mcl01", "bcast", "zeromf", "cparam01", "cparam02", "regescrt", "sdp01", "inv2543"],
  ]);
  expect(rfc4475Names().filter((n) => !covered.has(n))).toEqual([]);
});
