// Scale-out with a shared Redis store: any S-CSCF releases any dialog. Two `cleardown serve` processes share a
// real redis-server; a dialog set up through A is released through B after A is killed (SIGKILL), and B sends
// both BYEs right (Route sets and CSeqs from the shared record). A node restarted with the Redis store loses
// no dialog. `cleardown release` is the operator's command for it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Clock } from "../../../src/nodes/scscf/session-timers.ts";
import { freeTcpPort, freeUdpPort } from "../../support/free-port.ts";
import { type RedisPeer, startRedis } from "../../support/redis-server.ts";
import {
  ALICE,
  BOB,
  bye,
  deregisterUe,
  eventually,
  type Json,
  registerUe,
  releaseCall,
  type Scscf,
  type ScscfEndpoint,
  startScscf,
} from "./scscf-harness.ts";
import { runCli, type ScscfProcess, startScscfProcess } from "./scscf-process.ts";

const C = "24.229:5.4.5.1.2";
let redis: RedisPeer;
const nodes: ScscfProcess[] = [];
beforeAll(async () => {
  redis = await startRedis();
}, 60_000);
afterAll(async () => {
  await redis?.stop();
});
afterEach(async () => {
  for (const n of nodes.splice(0)) await n.kill();
});

/** A node on the shared store (a Redis database of its own per test, so tests do not see each other's records). */
async function node(
  name: string,
  db: number,
  ports: { sip?: number; admin?: number } = {},
  config?: Parameters<typeof startScscfProcess>[0]["config"],
): Promise<ScscfProcess> {
  const n = await startScscfProcess({
    name,
    sipPort: ports.sip ?? (await freeUdpPort()),
    adminPort: ports.admin ?? (await freeTcpPort()),
    store: `${redis.url}/${db}`,
    ...(config ? { config } : {}),
  });
  nodes.push(n);
  return n;
}

describe("S-CSCF scale-out on a shared redis-server (cleardown serve processes, SIPp UEs)", () => {
  it(`${C}/1.e ${C}/1.f ${C}/2.e ${C}/2.f ${C}/closing a dialog set up through A is released through B after A is killed: both BYEs from the shared record`, async () => {
    const a = await node("scscf-a", 1);
    const b = await node("scscf-b", 1);
    const callId = "sipp-scale-out-1@127.0.0.1";
    await releaseCall(
      b,
      {
        scscf: a,
        served: "calling",
        callId,
        fromTag: "aso",
        toTag: "bso",
        cseq: 200,
        cseq2: 201,
        calleeCseq: 30,
        calleePcscf: true,
      },
      (p) => ({
        toCallee: bye(p.calleeContact, BOB, "bso", ALICE, "aso", callId, "202 BYE", p.calleePcscf!),
        toCaller: bye(p.callerContact, ALICE, "aso", BOB, "bso", callId, "31 BYE", p.callerPcscf),
      }),
      {
        ready: (d) => d.cseqCallingToCalled === 201 && d.cseqCalledToCalling === 30,
        trigger: async () => {
          // B reads the dialog A learnt from the shared store, then A dies.
          const seen = await b.admin("GET", `/v1/dialogs/${encodeURIComponent(callId)}`);
          expect(seen.body.dialog.routeSetTowardsCalled).toHaveLength(1);
          await a.kill();
          const cli = await runCli([
            "release",
            "--admin",
            b.adminUrl,
            "--call-id",
            callId,
            "--cause",
            "administrative",
          ]);
          expect(cli.code).toBe(0);
          expect(cli.output).toContain(`release of ${callId} started (scscf)`);
          expect(cli.output).toContain(`${C}/1#bye-to-called`);
          return undefined;
        },
      },
    );
    await eventually(
      () => b.dialogCount(),
      (n) => n === 0,
      "the shared record is gone",
    );
  });

  it("a registration changed through one node is what the other reads next: its copies follow Redis's invalidations", async () => {
    // Registrations are read by every release (GRUUs, items 2.a and 3.a) and served from a node's copies.
    const trusted = { scscf: { registrarTrusted: ["127.0.0.1"] } };
    const a = await node("scscf-a", 4, {}, trusted);
    const b = await node("scscf-b", 4, {}, trusted);
    const contacts = async () => {
      const r = await a.admin("GET", `/v1/registrations?aor=${encodeURIComponent(BOB)}`);
      return (r.body.registrations as Json[]).flatMap((x) => x.bindings.map((y: Json) => y.contact)).sort();
    };
    const [first, second] = [await freeUdpPort(), await freeUdpPort()];
    await registerUe(b, "bob", first, "urn:uuid:00000000-0000-4000-8000-00000000b0c1");
    expect(await contacts()).toHaveLength(1);
    expect(await contacts()).toHaveLength(1); // A's copy now
    // B adds a second binding: A reads both, not its copy of one.
    await registerUe(b, "bob", second, "urn:uuid:00000000-0000-4000-8000-00000000b0c2");
    // Within a second: Redis's invalidation takes a loopback hop (A's own registrar sweep, every 10 s, would
    // refresh its copy too, so a longer wait could pass without the invalidation).
    await eventually(contacts, (c) => c.length === 2, "A reads the binding registered through B", 1000);
    // And B removes the first.
    await deregisterUe(b, "bob", first, "urn:uuid:00000000-0000-4000-8000-00000000b0c1");
    await eventually(contacts, (c) => c.length === 1 && c[0].includes(`:${second}`), "A reads the removal", 1000);
  });

  it(`${C}/3 ${C}/4 a node restarted with the Redis store loses no dialog: it releases what it learnt before the restart`, async () => {
    // The restarted node comes back on the same SIP and admin addresses, as under a service manager.
    const ports = { sip: await freeUdpPort(), admin: await freeTcpPort() };
    let a = await node("scscf-a", 2, ports);
    const callId = "sipp-restart-1@127.0.0.1";
    await releaseCall(
      a,
      { scscf: a, served: "called", callId, fromTag: "arst", toTag: "brst", cseq: 9, calleeCseq: 70 },
      (p) => ({
        toCallee: bye(p.calleeContact, BOB, "brst", ALICE, "arst", callId, "10 BYE", null),
        toCaller: bye(p.callerContact, ALICE, "arst", BOB, "brst", callId, "71 BYE", p.callerPcscf),
      }),
      {
        ready: (d) => d.cseqCalledToCalling === 70,
        trigger: async () => {
          await a.stop();
          a = await node("scscf-a", 2, ports);
          expect(await a.dialogCount()).toBe(1);
          const r = await a.admin("POST", `/v1/dialogs/${encodeURIComponent(callId)}/release`, {});
          expect(r.status).toBe(202);
          return r.body;
        },
      },
    );
    expect(await a.dialogCount()).toBe(0);
  });

  it(`${C}/intro ${C}/1.g ${C}/2.g a session timer survives its node: the node started next on the shared store arms it and releases the unrefreshed session`, async () => {
    // 20× speed: the session (90 s) is released 60 clock-seconds in, 3 s of real time: after A is gone.
    const clock = fastClock(20);
    const store = `${redis.url}/3`;
    let a: Scscf | undefined = await startScscf("udp", { store, scscf: { sessionTimer: 90 } }, clock);
    let b: Scscf | undefined;
    const callId = "sipp-session-timer-handover-1@127.0.0.1";
    const reason = 'SIP ;cause=408 ;text="Session Timer Expired"';
    const withReason = (c: ReturnType<typeof bye>) => ({ ...c, headers: { ...c.headers, Reason: reason } });
    // The test watches whichever node is up.
    const first = a;
    const live: ScscfEndpoint = {
      ...first,
      admin: (...args) => (b ?? first).admin(...args),
      dialogCount: () => (b ?? first).dialogCount(),
      trace: (id) => (b ?? first).trace(id),
    };
    try {
      await releaseCall(
        live,
        { scscf: first, served: "calling", callId, fromTag: "asth", toTag: "bsth", cseq: 4 },
        (p) => ({
          toCallee: withReason(bye(p.calleeContact, BOB, "bsth", ALICE, "asth", callId, "5 BYE", null)),
          toCaller: withReason(
            bye(p.callerContact, ALICE, "asth", BOB, "bsth", callId, { regex: "[0-9]{1,10} BYE" }, p.callerPcscf),
          ),
        }),
        {
          trigger: async () => {
            // A goes away before the session expires; B, on the same store, is the one whose timer fires.
            await a?.close();
            a = undefined;
            b = await startScscf("udp", { store, scscf: { sessionTimer: 90 } }, clock);
            return undefined;
          },
        },
      );
    } finally {
      await a?.close();
      await b?.close();
    }
  });
});

/** A clock running `k` times faster than real time, shared by the nodes of a test. */
function fastClock(k: number): Clock {
  const start = Date.now();
  return { now: () => start + (Date.now() - start) * k, setTimer: (fn, ms) => setTimeout(fn, ms / k) };
}
