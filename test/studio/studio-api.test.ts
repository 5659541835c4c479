// The studio's JSON API without a browser: lint-checked save, preview, approvals, path confinement and the
// loopback guard, on a temporary copy of the project.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { liveDemo } from "../../src/demo/live-demo.ts";
import { scscfScenarios } from "../../src/demo/scripted-demo.ts";
import { scscfScenarios as liveScscfScenarios } from "../../src/demo/scscf-scenarios.ts";
import { LiveRules, type ReloadResult } from "../../src/rules/live-rules.ts";
import { rulesLint } from "../../src/rules/rules-lint.ts";
import { projectRoot } from "../../src/rules/schema-registry.ts";
import { type Studio, startStudio } from "../../src/studio/studio-server.ts";
import { type StudioProject, send, studioProject } from "./studio-project.ts";

const scscfFile = "rules/24.229-5.4.5.1.2.rules.json";
const sessionTimer = `"session-timer": {
        "protocol": "SIP",
        "cause": 408,`;

let project: StudioProject;
let studio: Studio;
const api = (method: string, path: string, body?: unknown) => send(studio.port, method, path, { body });

beforeAll(async () => {
  project = studioProject();
  studio = await startStudio({
    root: project.root,
    port: 0,
    results: join(projectRoot, "test/fixtures/audit/vitest-sample.json"),
  });
});

afterAll(async () => {
  await studio?.close();
  project?.remove();
});

describe("studio API: clause view", () => {
  it("lists each clause item with its status, rule elements by JSON pointer, tests and the wire fields it produces (24.229:5.4.5.1.2/1.g)", async () => {
    const { status, body } = await api("GET", "/api/overview");
    expect(status).toBe(200);
    expect(body.clauses.map((c: { clause: string }) => c.clause)).toEqual(
      expect.arrayContaining(["24.229:5.4.5.1.2", "23.231:7.3.1"]),
    );
    const item = body.clauses
      .flatMap((c: { items: unknown[] }) => c.items)
      .find((i: { id: string }) => i.id === "24.229:5.4.5.1.2/1.g");
    expect(item.status).toBe("covered");
    expect(item.rules).toContainEqual(
      expect.objectContaining({ file: scscfFile, pointer: "/rules/0/actions/0/headers/5", what: "header Reason" }),
    );
    expect(item.tests.some((t: { status: string }) => t.status === "passed")).toBe(true);
    expect(item.wire).toContainEqual(
      expect.objectContaining({
        scenario: "S-CSCF serving the calling user: network-internal release (cause administrative)",
        message: "BYE → called",
        field: "Reason",
        value: 'SIP ;cause=503 ;text="Session Terminated"',
      }),
    );
    const deviated = body.clauses
      .flatMap((c: { items: unknown[] }) => c.items)
      .find((i: { id: string }) => i.id === "24.229:5.4.5.1.2/4.a");
    expect(deviated.deviations[0]).toMatchObject({ policy: "item4RequestUri", inForce: "calling-user-contact" });
  });
});

describe("studio API: the last live demo", () => {
  it("shows what the demo's S-CSCF sent for 24.229:5.4.5.1.2/1.g: the Reason on the BYE to bob, and the ladder line naming 24.229:5.4.5.1.2/1", async () => {
    const result = await liveDemo({
      root: project.root,
      keepRunning: false,
      print: () => {},
      scenarios: [liveScscfScenarios[0]],
    });
    expect(result.exitCode, result.output).toBe(0);
    const items = (await api("GET", "/api/overview")).body.clauses.flatMap((c: { items: unknown[] }) => c.items);
    const reason = items.find((i: { id: string }) => i.id === "24.229:5.4.5.1.2/1.g");
    expect(reason.lastRunFields).toContainEqual({
      scenario: liveScscfScenarios[0].title,
      message: expect.stringMatching(/^BYE → /),
      field: "Reason",
      value: 'SIP ;cause=503 ;text="Session Terminated"',
      trace: ["24.229:5.4.5.1.2/1.g", "rfc3326:2"],
    });
    const bye = items.find((i: { id: string }) => i.id === "24.229:5.4.5.1.2/1");
    expect(bye.lastRun.some((l: { line: string }) => / BYE .*24\.229:5\.4\.5\.1\.2\/1\b/.test(l.line))).toBe(true);
  });
});

describe("studio API: edit, preview, save", () => {
  it("previews a changed Reason of the session-timer cause: the BYEs' Reason fields before → after with 24.229:5.4.5.1.2/1.g and /2.g; nothing is written", async () => {
    const before = project.read(scscfFile);
    const text = before.replace(sessionTimer, sessionTimer.replace("408", "480"));
    const { status, body } = await api("POST", "/api/preview", { file: scscfFile, text });
    expect(status).toBe(200);
    expect(body.lint.ok).toBe(true);
    const scenario = body.scenarios.find(
      (s: { title: string }) =>
        s.title === "S-CSCF serving the calling user: network-internal release (cause session-timer)",
    );
    expect(scenario.changes).toEqual([
      {
        message: "BYE → called",
        field: "Reason",
        before: 'SIP ;cause=408 ;text="Session Timer Expired"',
        after: 'SIP ;cause=480 ;text="Session Timer Expired"',
        trace: ["24.229:5.4.5.1.2/1.g", "rfc3326:2"],
      },
      {
        message: "BYE → calling",
        field: "Reason",
        before: 'SIP ;cause=408 ;text="Session Timer Expired"',
        after: 'SIP ;cause=480 ;text="Session Timer Expired"',
        trace: ["24.229:5.4.5.1.2/2.g", "rfc3326:2"],
      },
    ]);
    expect(scenario.ladder).toMatch(/BYE.*24\.229:5\.4\.5\.1\.2\/1/);
    const unchanged = body.scenarios.filter((s: { changes: unknown[] }) => s.changes.length === 0);
    expect(unchanged.length).toBe(body.scenarios.length - 2);
    expect(project.read(scscfFile)).toBe(before);
  });

  it("previews a row added to the GMSC's errorMapping: the response to the preceding node becomes 480 for a 486 (23.231:7.3.1/b.3)", async () => {
    const file = "rules/23.231-7.3.rules.json";
    const text = project.read(file).replace('"errorMapping": {}', '"errorMapping": { "486": 480 }');
    const { body } = await api("POST", "/api/preview", { file, text });
    expect(body.lint.ok).toBe(true);
    const changed = body.scenarios.filter((s: { changes: unknown[] }) => s.changes.length > 0);
    expect(changed.map((s: { title: string }) => s.title)).toEqual([
      "GMSC §7.3.1 b.3: 486 Busy Here from the succeeding node",
    ]);
    expect(changed[0].changes).toEqual([
      { message: "response → preceding", field: "status", before: "486", after: "480", trace: ["23.231:7.3.1/b.3"] },
    ]);
    expect(changed[0].ladder).toMatch(/-+ 480 -+>\|\s+23\.231:7\.3\.1\/b\.3$/m);
  });

  it("saves an edit that lints clean: the file is written and `rules lint` passes on it", async () => {
    const text = project.read(scscfFile).replace(sessionTimer, sessionTimer.replace("408", "480"));
    const { status, body } = await api("PUT", `/api/rules/${scscfFile.slice("rules/".length)}`, { text });
    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: true, summary: expect.stringContaining("rules are valid") });
    expect(project.read(scscfFile)).toBe(text);
    expect(rulesLint(project.root)).toMatchObject({ exitCode: 0 });
    const { body: overview } = await api("GET", "/api/overview");
    const item = overview.clauses
      .flatMap((c: { items: unknown[] }) => c.items)
      .find((i: { id: string }) => i.id === "24.229:5.4.5.1.2/1.g");
    expect(item.wire).toContainEqual(
      expect.objectContaining({ field: "Reason", value: 'SIP ;cause=480 ;text="Session Timer Expired"' }),
    );
  });

  it("a saved change reaches a running node's rules through its watcher: the BYE's Reason for deregistration becomes 486 (24.229:5.4.5.1.2/1.g)", async () => {
    const live = new LiveRules("scscf", project.root);
    const reloads: ReloadResult[] = [];
    live.watch((r) => reloads.push(r), 20);
    try {
      const deregistration = `"deregistration": {
        "protocol": "SIP",
        "cause": 480,`;
      const text = project.read(scscfFile).replace(deregistration, deregistration.replace("480", "486"));
      expect((await api("PUT", `/api/rules/${scscfFile.slice("rules/".length)}`, { text })).status).toBe(200);
      await expect.poll(() => reloads.some((r) => r.ok && r.changed), { timeout: 10_000 }).toBe(true);
      const [, facts] = scscfScenarios[0];
      const plan = live.plan({ ...facts, event: { type: "release-indication", cause: "deregistration" } });
      const bye = plan.plans.find((p) => p.kind === "sip-request" && p.towards.value === "called");
      expect(bye?.kind === "sip-request" && bye.headers.find((h) => h.name === "Reason")?.value).toBe(
        'SIP ;cause=486 ;text="User Deregistered"',
      );
    } finally {
      live.close();
    }
  });

  it("refuses to write an edit with a bad value: 422 with the problem at its file, line and pointer; the file is unchanged", async () => {
    const before = project.read(scscfFile);
    const text = before.replace(
      '"cause": 503,\n        "text": "Service Expired"',
      '"cause": "abc",\n        "text": "Service Expired"',
    );
    expect(text).not.toBe(before);
    const line = text.slice(0, text.indexOf('"abc"')).split("\n").length;
    const { status, body } = await api("PUT", `/api/rules/${scscfFile.slice("rules/".length)}`, { text });
    expect(status).toBe(422);
    expect(body.ok).toBe(false);
    expect(body.problems).toContainEqual(
      expect.objectContaining({ file: scscfFile, line, pointer: "/tables/reasonByCause/service-expiry/cause" }),
    );
    expect(project.read(scscfFile)).toBe(before);
  });
});

describe("studio API: suspect review", () => {
  it("shows an item whose words changed as suspect with the approved text, and approving writes rules/trace-approvals.json and clears it", async () => {
    project.replaceText(
      "spec/24.229-5.4.5.1.2.clause",
      "from the calling to the called user, incremented by one;",
      "from the calling to the called user, incremented by one or more;",
    );
    const suspects = async () =>
      (await api("GET", "/api/overview")).body.clauses
        .flatMap((c: { items: unknown[] }) => c.items)
        .filter((i: { suspect?: unknown }) => i.suspect);
    const found = await suspects();
    expect(found.map((i: { id: string }) => i.id)).toEqual(["24.229:5.4.5.1.2/1.e"]);
    expect(found[0].suspect.approvedText).toContain("incremented by one;");
    expect(found[0].suspect.currentText).toContain("incremented by one or more;");

    const unknown = await api("PUT", "/api/approvals", { ids: ["24.229:5.4.5.1.2/99"] });
    expect(unknown.status).toBe(400);
    expect(project.read("rules/trace-approvals.json")).not.toContain("one or more");

    const { status } = await api("PUT", "/api/approvals", { ids: ["24.229:5.4.5.1.2/1.e"] });
    expect(status).toBe(200);
    const approvals = JSON.parse(project.read("rules/trace-approvals.json"));
    expect(approvals["24.229:5.4.5.1.2/1.e"].text).toContain("incremented by one or more;");
    expect(await suspects()).toEqual([]);
  });
});

describe("studio API: confinement", () => {
  it("reads and writes only the project's own rule files, schemas and clause documents", async () => {
    const escapes = [
      ["GET", "/api/rules/..%2Fpackage.json"],
      ["GET", "/api/rules/..%2F..%2Fetc%2Fpasswd"],
      ["GET", "/api/schemas/..%2Frules%2Ftrace-approvals.json"],
      ["GET", "/api/spec/..%2Fschemas%2Ffacts.schema.json"],
    ];
    for (const [method, path] of escapes) {
      const { status, body } = await api(method, path);
      expect([400, 404], `${method} ${path}`).toContain(status);
      expect(body.error).toMatch(/expected a rule file name|no (schemas|spec)\//);
    }
    const created = await api("PUT", "/api/rules/new.rules.json", { text: "{}" });
    expect(created.status).toBe(404);
    expect(existsSync(join(project.root, "rules/new.rules.json"))).toBe(false);
    const outside = await api("POST", "/api/preview", { file: "../package.json", text: "{}" });
    expect(outside.status).toBe(400);
    const schema = await api("GET", "/api/schemas/rule-file.schema.json");
    expect(schema.body.$defs.ReasonValue).toBeDefined();
    const spec = await api("GET", "/api/spec/24.229-5.4.5.1.2.clause");
    expect(spec.status).toBe(200);
    expect(readFileSync(join(project.root, "spec/24.229-5.4.5.1.2.clause"), "utf8")).toBe(spec.body);
  });

  it("refuses a Host or Origin that is not this loopback server (DNS rebinding), and a body that is not JSON", async () => {
    const port = studio.port;
    const refused: Array<Record<string, string>> = [
      { host: `attacker.example:${port}` },
      { host: `127.0.0.1:${port + 1}` },
      { host: `127.0.0.1:${port}`, origin: "http://attacker.example" },
      { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1.attacker.example:${port}` },
      { host: `localhost:${port}`, "sec-fetch-site": "cross-site" },
    ];
    for (const headers of refused) {
      const { status, body } = await send(port, "GET", "/api/overview", { headers });
      expect(status, JSON.stringify(headers)).toBe(403);
      expect(body.error).toMatch(/^expected/);
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`])
      expect((await send(port, "GET", "/api/overview", { headers: { host } })).status).toBe(200);
    const before = project.read(scscfFile);
    const form = await send(port, "PUT", `/api/rules/${scscfFile.slice("rules/".length)}`, {
      headers: { "content-type": "text/plain" },
    });
    expect(form.status).toBe(415);
    expect(project.read(scscfFile)).toBe(before);
  });
});

describe("studio API: rules on disk that do not lint", () => {
  it("says where they fail, still lists and previews the files, and a clean save mends them", async () => {
    const file = "rules/23.231-7.3.rules.json";
    const good = project.read(file);
    project.replaceText(file, '"facts": "gmsc"', '"facts": "msc"');
    const overview = await api("GET", "/api/overview");
    expect(overview.status).toBe(409);
    expect(overview.body.error).toMatch(/rules\/23\.231-7\.3\.rules\.json:4:\d+ \(\/facts\)/);
    const files = await api("GET", "/api/rules");
    expect(files.body.map((f: { file: string }) => f.file)).toContain(file);
    const previewed = await api("POST", "/api/preview", { file, text: good });
    expect(previewed.body.lint.ok).toBe(true);
    expect(previewed.body.scenarios.length).toBeGreaterThan(0);
    expect((await api("PUT", `/api/rules/${file.slice("rules/".length)}`, { text: good })).status).toBe(200);
    expect((await api("GET", "/api/overview")).status).toBe(200);
  });
});
