// The MGC (src/h248/mgc.ts) against a real H.248 stack: an MG written on Erlang/OTP megaco (test/peers/megaco),
// over UDP text on loopback. H.248.1 clause 11 (registration), 7.2 (Add, Subtract, AuditValue, Notify), 8.2
// (transactions, at-most-once), Annex D.1 (retransmission over UDP).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generalCauseOf, MediaGatewayController, type MgcEvent, type NotifyIndication } from "../../src/h248/mgc.ts";
import { H248TimeoutError } from "../../src/h248/transactions.ts";
import { type MegacoMg, startMegacoMg } from "../peers/megaco/mg.ts";

let mgc: MediaGatewayController;
let mg: MegacoMg;
const events: MgcEvent[] = [];
const notifies: NotifyIndication[] = [];
const notifyRequestsSeen: number[] = [];

beforeAll(async () => {
  mgc = await MediaGatewayController.start({
    address: "127.0.0.1",
    port: 0,
    timers: { initialRetransmitMs: 100, maxRetransmitMs: 200, maxAttempts: 3, replyCacheMs: 5000 },
    onMessage: (_from, m) => {
      if (m.body.kind !== "transactions") return;
      for (const t of m.body.transactions)
        if (t.kind === "request" && t.actions.some((a) => a.commands.some((c) => c.command === "Notify")))
          notifyRequestsSeen.push(t.transactionId);
    },
  });
  mgc.on((e) => events.push(e));
  mgc.onNotify(async (n) => {
    notifies.push(n);
    // slower than the MG's 100 ms request timer, so megaco retransmits the Notify while it is being handled
    await new Promise((r) => setTimeout(r, 350));
    return undefined;
  });
  mg = await startMegacoMg(mgc.local.port);
}, 60_000);

afterAll(async () => {
  await mg?.stop();
  await mgc?.close();
});

describe("MGC ↔ Erlang/OTP megaco MG", () => {
  it("clause 11.2: the MG registers with ServiceChange Restart on ROOT and the MGC answers it", () => {
    const reg = events.find((e) => e.type === "mg-registered");
    expect(reg).toMatchObject({
      type: "mg-registered",
      method: "Restart",
      reason: "901 Cold Boot",
      mg: { port: mg.port },
    });
    expect(mgc.mg).toEqual({ address: "127.0.0.1", port: mg.port });
  });

  let contextId = 0;
  let terms: string[] = [];

  it("clause 7.2.1: Add of two $ terminations in a new context ($) arms g/cause and returns the MG's Local SDP", async () => {
    const result = await mgc.add("$", [
      { terminationId: "$", events: { requestId: 11 }, localSdp: "v=0\r\nc=IN IP4 $\r\nm=audio $ RTP/AVP 0\r\n" },
      { terminationId: "$", events: { requestId: 12 } },
    ]);
    contextId = result.contextId;
    terms = result.terminations.map((t) => t.terminationId);
    expect(contextId).toBeGreaterThan(0);
    expect(terms).toEqual([expect.stringMatching(/^ip\/1\/1\/\d+$/), expect.stringMatching(/^ip\/1\/1\/\d+$/)]);
    expect(result.terminations[0].localSdp).toMatch(/^v=0\r\nc=IN IP4 127\.0\.0\.1\r\nm=audio \d+ RTP\/AVP 0\r\n$/);
    await mg.waitFor(() => mg.commands().filter((c) => c.command === "Add").length >= 2);
    const adds = mg.commands().filter((c) => c.command === "Add");
    expect(adds).toEqual([
      { command: "Add", contextId, terminationIds: [terms[0]], detail: "mediaDescriptor,eventsDescriptor" },
      { command: "Add", contextId, terminationIds: [terms[1]], detail: "eventsDescriptor" },
    ]);
  });

  it("clause 7.2.5: AuditValue of all contexts lists the context and its terminations", async () => {
    expect(await mgc.auditContexts()).toEqual([{ contextId, terminationIds: terms }]);
  });

  it("clause 7.2.7 / 8.2.3: a Notify g/cause reaches the handler once, is answered, and megaco's retransmissions are answered from the reply cache", async () => {
    mg.sendBearerReleased(terms[0], { requestId: 11, generalCause: "NR", failureCause: "bearer released" });
    const reply = await mg.waitFor((l) => l.event === "notify-reply");
    expect(reply.ok).toBe(true);
    expect(notifies).toHaveLength(1);
    expect(notifies[0]).toMatchObject({ contextId, terminationId: terms[0], requestId: 11 });
    expect(generalCauseOf(notifies[0].events[0])).toEqual({ generalCause: "NR", failureCause: "bearer released" });
    await new Promise((r) => setTimeout(r, 400));
    // megaco retransmitted the Notify (same TransactionId) while it was handled; it was executed once
    expect(notifyRequestsSeen.length).toBeGreaterThan(1);
    expect(new Set(notifyRequestsSeen).size).toBe(1);
    expect(notifies).toHaveLength(1);
  });

  it("clause 7.2.3 Release Termination: Subtract with Audit{} reaches the MG exactly once per termination", async () => {
    const first = await mgc.subtract(contextId, terms[0]);
    expect(first).toEqual({ terminationIds: [terms[0]], statistics: [] });
    const second = await mgc.subtract(contextId, terms[1], { statistics: true });
    expect(second.statistics.map((s) => s.name)).toEqual(["nt/os", "nt/dur"]);
    await mg.waitFor(() => mg.commands().filter((c) => c.command === "Subtract").length >= 2);
    const subtracts = mg.commands().filter((c) => c.command === "Subtract");
    expect(subtracts).toEqual([
      { command: "Subtract", contextId, terminationIds: [terms[0]], detail: "empty" },
      { command: "Subtract", contextId, terminationIds: [terms[1]], detail: "statsToken" },
    ]);
    expect(await mgc.auditContexts()).toEqual([]);
  });

  it("Annex D.1: a silent MG gets bounded retries, then the transaction fails and mg-unreachable is raised; its return (ServiceChange Restart) raises mg-returned", async () => {
    mg.silence();
    await mg.waitFor((l) => l.event === "silenced");
    const before = mg.lines().filter((l) => l.event === "ignored").length;
    const started = Date.now();
    const failure = await mgc.subtract(contextId, "ip/1/1/99").catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(H248TimeoutError);
    expect((failure as H248TimeoutError).attempts).toBe(3);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(mg.lines().filter((l) => l.event === "ignored").length - before).toBe(3);
    expect(events.filter((e) => e.type === "mg-unreachable")).toHaveLength(1);

    mg.restart("restart");
    await mg.waitFor(
      (l) =>
        l.event === "registered" &&
        l.method === "restart" &&
        mg.lines().filter((x) => x.event === "registered").length >= 2,
    );
    expect(events.find((e) => e.type === "mg-returned")).toMatchObject({ type: "mg-returned", wasUnreachable: true });
  });

  it("clause 7.2.8: ServiceChange Forced on a termination is surfaced as terminations-out-of-service (bearer loss)", async () => {
    mg.forceOutOfService("ip/1/1/7");
    const reply = await mg.waitFor((l) => l.event === "forced-reply");
    expect(reply.ok).toBe(true);
    expect(events.find((e) => e.type === "terminations-out-of-service")).toMatchObject({
      terminationIds: ["ip/1/1/7"],
      method: "Forced",
      reason: "905 Termination taken out of service",
    });
  });
});
