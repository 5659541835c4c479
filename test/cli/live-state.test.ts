// Issue 19 item 2: what a running node holds, through the real `cleardown` binary against real nodes — an S-CSCF
// whose store holds dialogs and bindings (written as the node writes them), and a GMSC carrying a real call (SIPp
// on both sides, the Erlang megaco MG): dialogs (filtered, paged), dialogs show, registrations, calls, reload, stats,
// release --served, each as text and --json.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DialogRecord } from "../../generated/types/index.ts";
import { validateConfig } from "../../src/config/node-config.ts";
import { type ScscfNode, startScscfNode } from "../../src/nodes/scscf/scscf-node.ts";
import { cleardown } from "../support/cleardown-run.ts";
import { silentLogger } from "../support/silent-logger.ts";

const TOKEN = "live-state-token-0123456789";
const ALICE = "sip:alice@home.example";
const BOB = "sip:bob@home.example";

function dialog(i: number, state: "early" | "confirmed" | "releasing", servedUser: "calling" | "called"): DialogRecord {
  return {
    createdAt: Date.now() - 75_000,
    dialog: {
      callId: `call-${String(i).padStart(3, "0")}@192.0.2.4`,
      state,
      servedUser,
      fromOfInvite: `<${ALICE}>;tag=a${i}`,
      toOf200: `<${BOB}>;tag=b${i}`,
      callingContact: "<sip:alice@192.0.2.4:5060>",
      calledContact: "<sip:bob@192.0.2.5:5060>",
      routeSetTowardsCalled: ["<sip:scscf.home.example;lr>", "<sip:pcscf-b.home.example;lr>"],
      routeSetTowardsCalling: ["<sip:pcscf-a.home.example;lr>"],
      cseqCallingToCalled: 100 + i,
      cseqCalledToCalling: 7,
      release: { byeToCalled: "none", byeToCalling: "none" },
    },
  };
}

let node: ScscfNode;
const env = () => ({ CLEARDOWN_ADMIN: node.adminUrl, CLEARDOWN_ADMIN_TOKEN: TOKEN });

beforeAll(async () => {
  node = await startScscfNode({
    config: validateConfig(
      { role: "scscf", sip: ["udp://127.0.0.1:0"], admin: "http://127.0.0.1:0", adminToken: TOKEN, store: "memory" },
      "test",
    ),
    logger: silentLogger(),
  });
  // Five dialogs: three confirmed (alice served as the calling user), one early, one of bob's.
  const records = [
    dialog(1, "confirmed", "calling"),
    dialog(2, "confirmed", "calling"),
    dialog(3, "confirmed", "calling"),
    dialog(4, "early", "calling"),
    dialog(5, "confirmed", "called"),
  ];
  for (const r of records) await node.dialogs.update(r.dialog.callId, () => r);
  await node.registrar.store.update(ALICE, () => ({
    aor: ALICE,
    bindings: [
      {
        contact: "sip:alice@192.0.2.4:5060",
        expiresAt: Date.now() + 3600_000,
        tempGruus: ["t1"],
        callId: "reg-1@192.0.2.4",
        cseq: 3,
        instance: '"<urn:uuid:00000000-0000-1000-8000-000000000001>"',
      },
    ],
  }));
});
afterAll(() => node?.close());

describe("cleardown dialogs / dialogs show / registrations (S-CSCF)", () => {
  it("lists every dialog: Call-ID, state, served user and identity, age, owner", async () => {
    const r = await cleardown(["dialogs"], env());
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^CALL-ID\s+STATE\s+SERVES\s+IDENTITY\s+AGE\s+OWNER$/);
    expect(lines[1]).toMatch(
      /^call-001@192\.0\.2\.4\s+confirmed\s+calling\s+sip:alice@home\.example\s+1m\d\ds\s+S-CSCF$/,
    );
    expect(lines.at(-1)).toBe("5 of 5 dialogs");
  });

  it("--state and --served filter; --json gives the node's records", async () => {
    const early = await cleardown(["dialogs", "--state", "early", "--json"], env());
    expect(early.code, early.stderr).toBe(0);
    expect(JSON.parse(early.stdout).items.map((d: { callId: string }) => d.callId)).toEqual(["call-004@192.0.2.4"]);
    const bobs = await cleardown(["dialogs", "--served", BOB, "--json"], env());
    const [only] = JSON.parse(bobs.stdout).items;
    expect(only).toMatchObject({ callId: "call-005@192.0.2.4", servedUser: "called", servedIdentity: BOB });
    expect(only.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const bad = await cleardown(["dialogs", "--state", "ringing"], env());
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe("the node answered 400: state: expected early, confirmed, releasing; found ringing");
  });

  it("pages: --limit 2 gives two and the cursor of the next page; --cursor continues; --all follows every page", async () => {
    const first = await cleardown(["dialogs", "--limit", "2"], env());
    const next = /--cursor (\S+)$/.exec(first.stdout.trim())?.[1];
    expect(first.stdout).toMatch(/^2 of 5 dialogs; next page: cleardown dialogs --cursor \S+$/m);
    expect(next).toBeDefined();
    const second = await cleardown(["dialogs", "--limit", "2", "--cursor", next as string, "--json"], env());
    expect(JSON.parse(second.stdout).items.map((d: { callId: string }) => d.callId)).toEqual([
      "call-003@192.0.2.4",
      "call-004@192.0.2.4",
    ]);
    const all = await cleardown(["dialogs", "--limit", "2", "--all", "--json"], env());
    const out = JSON.parse(all.stdout);
    expect(out.items).toHaveLength(5);
    expect(out.next).toBeUndefined();
  });

  it("dialogs show: state, parties, Contacts, route sets, CSeqs, age and owner node", async () => {
    const r = await cleardown(["dialogs", "show", "call-005@192.0.2.4"], env());
    expect(r.code, r.stderr).toBe(0);
    for (const line of [
      /^Call-ID\s+call-005@192\.0\.2\.4$/m,
      /^state\s+confirmed$/m,
      /^serves\s+the called user sip:bob@home\.example$/m,
      /^From \(INVITE\)\s+<sip:alice@home\.example>;tag=a5$/m,
      /^calling Contact\s+<sip:alice@192\.0\.2\.4:5060>$/m,
      /^called Contact\s+<sip:bob@192\.0\.2\.5:5060>$/m,
      /^route set → called\s+<sip:scscf\.home\.example;lr>, <sip:pcscf-b\.home\.example;lr>$/m,
      /^CSeq calling→called\s+105$/m,
      /^CSeq called→calling\s+7$/m,
      /^age\s+1m\d\ds$/m,
      /^owner node\s+S-CSCF \(record version 1\)$/m,
    ])
      expect(r.stdout).toMatch(line);
    const missing = await cleardown(["dialogs", "show", "nope@x"], env());
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe("the node answered 404: no dialog with Call-ID nope@x");
  });

  it("registrations: each binding with its expiry and instance", async () => {
    const r = await cleardown(["registrations"], env());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^AOR\s+CONTACT\s+EXPIRES IN\s+INSTANCE\s+TEMP-GRUUS\s+OWNER$/m);
    expect(r.stdout).toMatch(
      /^sip:alice@home\.example\s+sip:alice@192\.0\.2\.4:5060\s+(59m\d\ds|1h00m)\s+"<urn:uuid:0+-0000-1000-8000-0+1>"\s+1\s+S-CSCF$/m,
    );
    expect(r.stdout.trim().split("\n").at(-1)).toBe("1 of 1 addresses of record");
  });

  it("calls asks a GMSC: against an S-CSCF, exit 1 naming the command to use", async () => {
    const r = await cleardown(["calls"], env());
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `cleardown calls: the node at ${node.adminUrl} is an S-CSCF; calls asks a GMSC (try cleardown dialogs)`,
    );
  });

  it("reload: the rules on disk, unchanged", async () => {
    const r = await cleardown(["reload"], env());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^rules reloaded: (unchanged|new version) [0-9a-f]{16}$/);
  });

  it("24.229:5.4.5.1.2/1 stats: what the node holds and the releases per rule that starts one", async () => {
    const r = await cleardown(["stats"], env());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^S-CSCF \(scscf\), rules [0-9a-f]{16}, store memory$/m);
    expect(r.stdout).toMatch(/^\s+5\s+dialogs$/m);
    expect(r.stdout).toMatch(/^\s+1\s+addresses of record registered$/m);
    expect(r.stdout).toMatch(/^\s+24\.229:5\.4\.5\.1\.2\/1#bye-to-called\s+0\s+0\s+0$/m);
    expect(r.stdout).toContain("BYE final responses: 0");
  });

  it("release --served with no dialog of that user: 0 matched", async () => {
    const r = await cleardown(["release", "--served", "sip:carol@home.example"], env());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^bulk release \(administrative\): 0 matched, 0 started, 0 not started, \d+ ms$/);
  });
});
