// `cleardown h248 check`: H.248.1 Annex B.2 messages accepted, syntax faults rejected with line:column and the
// expected token, --json gives the decoded model.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { h248Check } from "../../src/cli/h248-check.ts";
import { megacoPath } from "./megaco-corpus.ts";

const dir = mkdtempSync(join(tmpdir(), "cleardown-h248-check-"));

describe("h248 check (H.248.1 Annex B.2)", () => {
  it("accepts corpus messages and names what they hold", async () => {
    const r = await h248Check([megacoPath("compact", "msg04.txt"), megacoPath("pretty", "msg30b.txt")], {
      json: false,
    });
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain("msg04.txt: accepted: MEGACO/1, Transaction 9998 (ServiceChange)");
    expect(r.output).toContain("msg30b.txt: accepted: MEGACO/1, TransactionResponseAck");
  });

  it("rejects a fault with line:column and the expected token", async () => {
    const bad = join(dir, "bad.txt");
    writeFileSync(
      bad,
      "MEGACO/1 [10.0.0.1]:2944\nTransaction = 5 {\n  Context = 1 { Subtract = ip/1/1/1 { Audit { } }\n}\n",
    );
    const r = await h248Check([bad], { json: false });
    expect(r.exitCode).toBe(1);
    expect(r.output).toMatch(/bad\.txt:5:1: rejected: found end of input, expected "}"/);
    const wrong = join(dir, "wrong.txt");
    writeFileSync(wrong, "!/1 [10.0.0.1]:2944\nT=5{C=1{S=ip/1/1/1{AT{}},Q=2}}");
    const w = await h248Check([wrong], { json: false });
    expect(w.output).toContain(
      'wrong.txt:2:26: rejected: found "Q", expected a command (Add, Modify, Move, Subtract, …)',
    );
  });

  it("--json prints the decoded structure", async () => {
    const r = await h248Check([megacoPath("compact", "msg30b.txt")], { json: true });
    const parsed = JSON.parse(r.output);
    expect(parsed[0].accepted).toBe(true);
    expect(parsed[0].message.body.transactions[0]).toEqual({ kind: "responseAck", ranges: [{ first: 9, last: 13 }] });
  });
});
