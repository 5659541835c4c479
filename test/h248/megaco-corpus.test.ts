// H.248.1 Annex B.2 text encoding against Erlang/OTP megaco's message set (149 messages, versions 1–3, long
// tokens in pretty/, short tokens in compact/): every message decodes with the fast path and with the reference
// grammar, both yield the same model, long and short forms of one message yield the same model, and what the
// encoder writes (both forms) decodes back to it.
import { describe, expect, it } from "vitest";
import { decodeMessage } from "../../src/h248/decode-message.ts";
import { encodeMessage } from "../../src/h248/encode-message.ts";
import { decodeWithGrammar } from "../../src/h248/grammar-reference.ts";
import { type CorpusForm, megacoNames, megacoText, withAuditTokensSorted } from "./megaco-corpus.ts";

const names = megacoNames();
const forms: CorpusForm[] = ["pretty", "compact"];

describe("H.248.1 Annex B.2 — megaco corpus", () => {
  it("holds 149 messages in each form", () => {
    expect(names).toHaveLength(149);
  });

  for (const form of forms) {
    it(`decodes every ${form} message; the fast path equals the Annex B grammar (one parse)`, () => {
      for (const name of names) {
        const text = megacoText(form, name);
        const fast = decodeMessage(text);
        const reference = decodeWithGrammar(text);
        if (!reference.ok) throw new Error(`${form}/${name}: grammar rejects: ${JSON.stringify(reference.fault)}`);
        expect(reference.parses, `${form}/${name}`).toBe(1);
        expect(fast, `${form}/${name}`).toEqual(reference.value);
      }
    }, 60_000);
  }

  it("long-token (pretty) and short-token (compact) forms of each message decode to the same model (B.2: tokens have a long and a short form)", () => {
    for (const name of names) {
      const pretty = decodeMessage(megacoText("pretty", name));
      const compact = decodeMessage(megacoText("compact", name));
      expect(withAuditTokensSorted(pretty), name).toEqual(withAuditTokensSorted(compact));
    }
  });

  it("encode → decode gives the model back, in the long and in the compact form", () => {
    for (const form of forms)
      for (const name of names) {
        const model = decodeMessage(megacoText(form, name));
        for (const compact of [false, true]) {
          const text = encodeMessage(model, { compact });
          expect(decodeMessage(text), `${form}/${name} compact=${compact}`).toEqual(model);
        }
      }
  });

  it("reads concrete values: ServiceChange Restart on ROOT (msg04), ObservedEvents with a timestamp (msg09), SDP (msg11)", () => {
    const sc = decodeMessage(megacoText("compact", "msg04.txt"));
    expect(sc.mId).toEqual({ kind: "ip4", address: "124.124.124.222" });
    const t = sc.body.kind === "transactions" ? sc.body.transactions[0] : undefined;
    expect(t?.kind).toBe("request");
    if (t?.kind !== "request") return;
    const cmd = t.actions[0].commands[0];
    expect(cmd.command).toBe("ServiceChange");
    expect(cmd.terminationIds).toEqual(["root"]);
    expect(cmd.descriptors[0]).toEqual({
      kind: "services",
      parms: [
        { kind: "method", method: "Restart" },
        { kind: "address", address: 55555 },
        { kind: "profile", profile: "resgw/1" },
        { kind: "reason", reason: "901 mg col boot" },
      ],
    });
    const n = decodeMessage(megacoText("pretty", "msg09.txt"));
    expect(JSON.stringify(n)).toContain('"timestamp":"19990729T22010001","name":"dd/ce"');
    expect(JSON.stringify(n)).toContain(
      '{"kind":"property","name":"ds","value":{"kind":"equal","value":"916135551212"}}',
    );
    const r = decodeMessage(megacoText("compact", "msg11.txt"));
    expect(JSON.stringify(r)).toContain(
      JSON.stringify("v=0\r\nc=IN IP4 124.124.124.222\r\nm=audio 2222 RTP/AVP 4\r\na=a=ptime:30\r\na=recvonly\r\n"),
    );
  });
});
