// `npm start` is the live demo: run as a child process (`cleardown demo`, what the start script runs) against a copy
// of spec/ and rules/, it plays every release scenario of both seeds over loopback with its built-in peers, prints
// each ladder with the clause ids beside the arrows and the fields of each planned message, writes the audit
// report with the ladders embedded, and exits 0. With --keep-running the nodes stay up until SIGTERM. A scenario
// that fails makes it exit 1 naming the step.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { liveDemo } from "../../src/demo/live-demo.ts";
import { scscfScenarios } from "../../src/demo/scscf-scenarios.ts";
import { projectRoot } from "../../src/rules/schema-registry.ts";
import { type ChildNode, startChildNode } from "../support/child-node.ts";
import { type ProjectCopy, projectCopy } from "../support/project-copy.ts";

const bin = resolve(projectRoot, "bin/cleardown.js");
const S = "24.229:5.4.5.1.2";
const G = "23.231:7.3";
const E = "24.229:5.4.5.1.1";
const RULES = "rules/24.229-5.4.5.1.2.rules.json";
const copies: ProjectCopy[] = [];
let running: ChildNode | undefined;

function copy(): ProjectCopy {
  const c = projectCopy("cleardown-demo-");
  copies.push(c);
  return c;
}

/** `cleardown demo …` as a child process on a copy of spec/ and rules/ (its audit/ written there). */
function demo(root: string, args: string[] = []): ChildNode {
  running = startChildNode(bin, ["demo", ...args], { env: { ...process.env, CLEARDOWN_HOME: root } });
  return running;
}

afterEach(async () => {
  await running?.kill();
  running = undefined;
});
afterAll(() => {
  for (const c of copies) c.remove();
});

/** The section of the demo's output for one scenario (from its "== title" to the next). */
function section(out: string, title: string): string[] {
  const blocks = out.split(/^== /m);
  const block = blocks.find((b) => b.startsWith(title));
  if (!block) throw new Error(`no scenario "${title}" in the demo's output:\n${out}`);
  return block.split("\n");
}

const arrow = (lines: string[], label: string, ids: string) =>
  lines.filter((l) => l.includes(` ${label} `) && l.trimEnd().endsWith(ids));

describe("npm start: the live demo", () => {
  let root: string;
  let run: ChildNode;
  let code: number | null;
  beforeAll(async () => {
    root = copy().root;
    run = demo(root);
    code = await run.exited;
  }, 70_000);

  it("plays all nine release scenarios over loopback and exits 0", () => {
    expect(code, run.stderr()).toBe(0);
    expect(run.stdout()).toMatch(/^9 release scenarios played over loopback in \d+\.\d s$/m);
    expect(run.stdout()).not.toContain("!! scenario failed");
  });

  it("closes with the audit's verdict: without test results it says tests not run and names `npm test`, not 0 covered", () => {
    const last = run.stdout().trimEnd().split("\n").at(-1);
    expect(last).toMatch(
      /^audit: tests not run \(`npm test` runs them\): (\d+)\/\1 normative items have a rule, none counted covered yet; 0 suspect;/,
    );
    expect(run.stdout()).not.toMatch(/\b0\/\d+ normative items covered/);
  });

  it(`${S}/1 ${S}/1.e ${S}/1.g ${S}/2 S-CSCF serving the calling user: a BYE arrow to each UE with its clause id, the BYE's fields with theirs`, () => {
    const lines = section(run.stdout(), "S-CSCF serving the calling user");
    expect(lines[1].trim().split(/\s+/)).toEqual(["UE", "alice", "S-CSCF", "UE", "bob"]);
    expect(arrow(lines, "BYE", `   ${S}/1`)[0]).toMatch(/\|-+ BYE -+>\|\s+24\.229:5\.4\.5\.1\.2\/1$/);
    expect(arrow(lines, "BYE", `   ${S}/2`)[0]).toMatch(/\|<-+ BYE -+\|\s+\|\s+24\.229:5\.4\.5\.1\.2\/2$/);
    expect(lines).toContain(`  BYE → UE bob  (rule ${S}/1#bye-to-called)`);
    // The INVITE had CSeq 1: item 1.e's CSeq is one more.
    expect(lines).toContain(`      CSeq: 2 BYE  [${S}/1.e, rfc3261:8.1.1.5, x-${S}/cseq-range]`);
    expect(lines).toContain(`      Reason: SIP ;cause=503 ;text="Session Terminated"  [${S}/1.g, rfc3326:2]`);
    expect(lines.filter((l) => l.includes(" 200 OK (BYE) "))).toHaveLength(2);
  });

  it(`${S}/3 ${S}/3.e ${S}/4 ${S}/4.i S-CSCF serving the called user: a BYE arrow to each UE with its clause id`, () => {
    const lines = section(run.stdout(), "S-CSCF serving the called user");
    expect(arrow(lines, "BYE", `   ${S}/3`)[0]).toMatch(/\|-+ BYE -+>\|\s+24\.229:5\.4\.5\.1\.2\/3$/);
    expect(arrow(lines, "BYE", `   ${S}/4`)[0]).toMatch(/\|<-+ BYE -+\|/);
    expect(lines).toContain(`  BYE → UE alice  (rule ${S}/4#bye-to-calling)`);
    expect(lines).toContain(`      CSeq: 2 BYE  [${S}/3.e, rfc3261:8.1.1.5, x-${S}/cseq-range]`);
    expect(lines).toContain(`      routing: internal-service-control  [${S}/4.i]`);
  });

  it(`${E}/1 ${E}/2 S-CSCF cancelling a session being established: a CANCEL arrow to bob and a 487 arrow to alice with their clause ids, no BYE`, () => {
    const lines = section(run.stdout(), "S-CSCF: network-internal release of a session being established");
    expect(arrow(lines, "CANCEL", `   ${E}/1, rfc3261:9.1`)[0]).toMatch(
      /\|-+ CANCEL -+>\|\s+24\.229:5\.4\.5\.1\.1\/1, rfc3261:9\.1$/,
    );
    expect(arrow(lines, "487 Request Terminated (INVITE)", `   ${E}/2`)[0]).toMatch(
      /^(\d\d:\d\d:\d\d\.\d{3} +\+\d+ms)? +\|<-+ 487 Request Terminated \(INVITE\) -+\|/,
    );
    expect(lines.some((l) => l.includes(" BYE "))).toBe(false);
    expect(lines).toContain(`  CANCEL → UE bob  (rule ${E}/intro#cancel-early-dialog)`);
    expect(lines).toContain(`      status: 487  [${E}/2, x-24.229:5.4.5.1.2/early-dialog]`);
    expect(
      lines.filter(
        (l) =>
          l === '      Reason: SIP ;cause=503 ;text="Session Terminated"  [x-24.229:5.4.5.1.2/early-dialog, rfc3326:2]',
      ),
    ).toHaveLength(2);
  });

  it(`${G}.1/b.1 ${G}.1/b.2 ${G}.1/b.3 ${G}.4/2 GMSC §7.3.1: CANCEL, BYE and a final error each end in two H.248 Subtract arrows to the MGW with their clause ids`, () => {
    const cancel = section(run.stdout(), "GMSC §7.3.1 b.1");
    expect(arrow(cancel, "CANCEL", `${G}.1/b.1, rfc3261:9.1`)).toHaveLength(1);
    expect(cancel.some((l) => / 487 Request Terminated \(INVITE\) /.test(l) && l.endsWith(`${G}.1/b.3`))).toBe(true);
    const bye = section(run.stdout(), "GMSC §7.3.1 b.2");
    expect(arrow(bye, "BYE", `   ${G}.1/b.2`)[0]).toMatch(/\|-+ BYE -+>\|\s+23\.231:7\.3\.1\/b\.2$/);
    const subtracts = bye.filter((l) => /-+ Subtract rtp\/\d+ -+>\|/.test(l));
    expect(subtracts).toHaveLength(2);
    for (const l of subtracts)
      expect(l).toMatch(
        /\|-+ Subtract rtp\/\d+ -+>\|.*H\.248 23\.231:7\.3\.1\/b\.2, 23\.231:7\.3\.4\/1, 23\.231:7\.3\.4\/2$/,
      );
    const error = section(run.stdout(), "GMSC §7.3.1 b.3");
    expect(error.filter((l) => /-+ Subtract rtp\/\d+ -+>\|/.test(l) && l.includes(`H.248 ${G}.1/b.3`))).toHaveLength(2);
    expect(error.some((l) => / 486 Busy Here \(INVITE\) /.test(l) && l.endsWith(`   ${G}.1/b.3`))).toBe(true);
  });

  it(`${G}.2/1 ${G}.2/2 ${G}.3/1 ${G}.3/2 GMSC §7.3.2 and §7.3.3: the GMSC's own clearing and a Bearer Released on either side subtract both terminations and BYE both sides`, () => {
    const own = section(run.stdout(), "GMSC §7.3.2");
    expect(own.filter((l) => /-+ Subtract rtp\/\d+ -+>\|/.test(l) && l.includes(`H.248 ${G}.2/1`))).toHaveLength(2);
    expect(arrow(own, "BYE", `${G}.2/2, ${G}.3/1, ${G}.3/3, 23.231:7.2.3.2`)).toHaveLength(1);
    for (const side of ["destination", "originating"]) {
      const lines = section(run.stdout(), `GMSC §7.3.3: Bearer Released (Notify g/cause) on the ${side} side`);
      expect(lines.filter((l) => /\|<-+ Notify rtp\/\d+ g\/cause -+\|/.test(l))).toHaveLength(1);
      expect(
        lines.filter((l) => /-+ Subtract rtp\/\d+ -+>\|/.test(l) && l.includes(`H.248 ${G}.3/1, ${G}.3/2`)),
      ).toHaveLength(2);
      expect(lines).toContain('      Reason: Q.850 ;cause=38 ;text="Network out of order"  [rfc3326:2]');
    }
  });

  it("writes the audit report with the demo scenarios' ladders embedded", () => {
    const html = readFileSync(join(root, "audit/report.html"), "utf8");
    expect(html).toContain("Ladder diagrams of the demo scenarios");
    expect(html.match(/<section class="scenario"/g)).toHaveLength(9);
    expect(html).toContain("<svg ");
    expect(existsSync(join(root, "audit/report.json"))).toBe(true);
    const ladders = JSON.parse(readFileSync(join(root, "audit/demo-ladders.json"), "utf8")) as Array<{ text: string }>;
    expect(ladders).toHaveLength(9);
    expect(ladders[0].text).toContain(`   ${S}/1`);
  });
});

describe("npm start -- --keep-running", () => {
  it("leaves both nodes up, prints their admin URLs and token and the studio command, and stops on SIGTERM", async () => {
    const run = demo(copy().root, ["--keep-running"]);
    const until = Date.now() + 60_000;
    while (!run.stdout().includes("The nodes keep running") && run.process.exitCode === null && Date.now() < until)
      await new Promise((r) => setTimeout(r, 50));
    const out = run.stdout();
    const token = /CLEARDOWN_ADMIN_TOKEN=(\S+)/.exec(out)?.[1];
    const admins = [...out.matchAll(/^ {2}(S-CSCF|GMSC) +sip udp:\/\/\S+ +admin (http:\/\/127\.0\.0\.1:\d+)/gm)];
    expect(token, out + run.stderr()).toBeDefined();
    expect(admins.map((m) => m[1])).toEqual(["S-CSCF", "GMSC"]);
    expect(out).toMatch(/^Edit, preview and approve the clauses' rules in a browser: node bin\/cleardown\.js studio$/m);
    for (const [, role, url] of admins) {
      const r = await fetch(`${url}/v1/health`, { headers: { authorization: `Bearer ${token}` } });
      expect(r.status).toBe(200);
      expect(((await r.json()) as { role: string }).role).toBe(role === "GMSC" ? "gmsc" : "scscf");
    }
    const trace = await fetch(`${admins[0][2]}/v1/calls/demo-scscf-1%40127.0.0.1/trace?format=text`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await trace.text()).toContain(`   ${S}/1`);
    run.signal("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(run.stderr() + run.stdout()).toContain("stopped");
  });
});

describe("a spec editor's change to rules/ in the next npm start", () => {
  it(`${S}/1.g ${S}/2.g an edited Reason in tables.reasonByCause is on the BYEs the demo shows; a broken rule file stops it with the lint's file:line:column`, async () => {
    const edits = copy();
    edits.editJson(RULES, (doc) => {
      doc.tables.reasonByCause.administrative = { protocol: "SIP", cause: 480, text: "Released by the network" };
    });
    const edited = demo(edits.root);
    expect(await edited.exited, edited.stderr()).toBe(0);
    const lines = section(edited.stdout(), "S-CSCF serving the calling user");
    expect(lines).toContain(`      Reason: SIP ;cause=480 ;text="Released by the network"  [${S}/1.g, rfc3326:2]`);
    expect(lines).toContain(`      Reason: SIP ;cause=480 ;text="Released by the network"  [${S}/2.g, rfc3326:2]`);

    edits.replaceText(RULES, '"cause": 480', '"cause": "four-eighty"');
    const broken = demo(edits.root);
    expect(await broken.exited).toBe(1);
    // Human words first, then the lint's lines; no raw JSON log record anywhere.
    expect(broken.stderr()).toMatch(/^The demo did not start: spec\/ or rules\/ has a problem/);
    expect(broken.stderr()).toMatch(
      /^ {2}rules\/24\.229-5\.4\.5\.1\.2\.rules\.json:\d+:\d+ \(\/tables\/reasonByCause\/administrative\/cause\): /m,
    );
    expect(broken.stderr() + broken.stdout()).not.toMatch(/^\s*\{/m);
  });

  it(`a changed clause word (§5.4.5.1.2 item 1.e) makes the next demo close with "1 suspect" and the item to approve`, async () => {
    const edits = copy();
    edits.replaceText(
      "spec/24.229-5.4.5.1.2.clause",
      "from the calling to the called user, incremented by one;",
      "from the calling to the called user, incremented by one or more;",
    );
    const run = demo(edits.root);
    expect(await run.exited, run.stderr()).toBe(0);
    const last = run.stdout().trimEnd().split("\n").at(-1) ?? "";
    expect(last).toContain("; 1 suspect (clause text changed since approved:");
    const report = JSON.parse(readFileSync(join(edits.root, "audit/report.json"), "utf8"));
    expect(report.items.find((r: { id: string }) => r.id === `${S}/1.e`).status).toBe("suspect");
  });
});

describe("a scenario that fails", () => {
  it("makes the demo exit 1 naming the scenario and the step that did not happen", async () => {
    const printed: string[] = [];
    const result = await liveDemo({
      root: copy().root,
      keepRunning: false,
      print: (l) => printed.push(l),
      scenarios: [
        { ...scscfScenarios[0], title: "expects a clause item no message names", clauses: [`${S}/9`] },
        {
          title: "waits for a BYE that never comes",
          node: "scscf",
          clauses: [],
          run: async (net) => {
            await net.alice.receivedFor("never@127.0.0.1", "BYE", 200);
            return [];
          },
        },
      ],
    });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain("2 of 2 scenarios failed:");
    expect(result.output).toContain(`expects a clause item no message names: no message the node sent names ${S}/9`);
    expect(result.output).toContain(
      "waits for a BYE that never comes: alice receives BYE for never@127.0.0.1: did not happen within 200 ms",
    );
    expect(printed).toContain(
      "!! scenario failed: alice receives BYE for never@127.0.0.1: did not happen within 200 ms",
    );
  });
});
