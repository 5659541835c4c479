// `cleardown sip check`: accepted/rejected per file with line:column and header, exit status, --json structure.

import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { sipCheck } from "../../src/cli/sip-check.ts";
import { corporaDir, repoRoot } from "./corpora.ts";

const file = (n: string) => resolve(corporaDir, "rfc4475", `${n}.dat`);

describe("sip check", () => {
  it("reports accepted messages and exits 0 (RFC 4475 §3.1.1.1 wsinv)", async () => {
    const r = await sipCheck([file("wsinv"), resolve(repoRoot, "test/fixtures/sip/ims/bye.sip")], { json: false });
    expect(r.exitCode).toBe(0);
    expect(r.output).toMatch(/wsinv\.dat: accepted: INVITE sip:vivekg@chair-dnrc\.example\.com;unknownparam SIP\/2\.0/);
  });

  it("names line:column and header of a rejection, with the grammar's explanation, and exits 1 (RFC 4475 §3.1.2.14 badaspec)", async () => {
    const r = await sipCheck([file("badaspec"), file("wsinv")], { json: false });
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain("badaspec.dat: rejected (syntax): ");
    expect(r.output).toMatch(/badaspec\.dat:5:23 \(To\): To: expected a URI scheme/);
    expect(r.output).toMatch(/RFC 3261 grammar: .*badaspec\.dat:5:23: found " "/);
  });

  it("--json gives the parsed structure", async () => {
    const r = await sipCheck([resolve(repoRoot, "test/fixtures/sip/ims/bye.sip")], { json: true });
    const [entry] = JSON.parse(r.output);
    expect(entry.accepted).toBe(true);
    expect(entry.message.method).toBe("BYE");
    const reason = entry.message.headers.find((h: { name: string }) => h.name === "Reason");
    expect(reason.parsed).toEqual([
      {
        protocol: "SIP",
        params: [
          ["cause", "503"],
          ["text", "Session Terminated"],
        ],
      },
      {
        protocol: "Q.850",
        params: [
          ["cause", "16"],
          ["text", "Normal call clearing"],
        ],
      },
    ]);
  });

  it("a file that cannot be read is a rejection", async () => {
    const r = await sipCheck(["/nonexistent/x.sip"], { json: false });
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain("cannot read");
  });
});
