// The release-takeover run (x-24.229:5.4.5.1.2/release-takeover), shared by its test and its bench: SIPp holds
// `n` dialogs through S-CSCF A (a `cleardown serve` process) on a redis-server B shares; a bulk release starts
// on A, and the called UE's P-CSCF stand-in (a UDP relay) holds A's BYEs of the odd-numbered calls, so A dies
// (SIGKILL) with half of the releases done and half with one BYE unanswered; B takes those over.
import { Redis } from "ioredis";
import { freeTcpPort, freeUdpPort } from "../../support/free-port.ts";
import { type SippRun, sippScenarios, startSipp } from "../../support/sipp.ts";
import { raiseSocketBufferCaps, udpDropsByPort } from "../../support/socket-buffers.ts";
import { startUdpTap, type UdpTap } from "../../support/udp-tap.ts";
import { eventually } from "./scscf-harness.ts";
import { type ScscfProcess, startScscfProcess } from "./scscf-process.ts";

export const header = (text: string, name: string) =>
  new RegExp(`\\r\\n${name}: *([^\\r]+)`, "i").exec(text)?.[1] ?? "";
const callNumber = (text: string) => Number(/^load-(\d+)-/.exec(header(text, "Call-ID"))?.[1] ?? -1);
const isBye = (text: string) => text.startsWith("BYE ");

export interface TakeoverRun {
  dialogs: number;
  /** Releases A completed before it died, and those B completed after. */
  doneByA: number;
  takenOverByB: number;
  /** From A's death to the last record gone (every BYE answered at B). */
  takeoverSeconds: number;
  callerSuccessful: number;
  calleeSuccessful: number;
  failed: number;
  /**
   * BYEs B sent to a UE that had answered the same BYE (A's) before: the calling UE answers them 481 (SIPp's
   * out-of-call scenario); the called UE (a SIPp UAS, which has none) leaves them unanswered, so their release
   * ends at Timer F (x-24.229:5.4.5.1.2/bye-failure either way).
   */
  duplicates: number;
  /** The BYEs towards the called UE: A's held ones, and B's, as text. */
  heldByes: string[];
  byesFromB: string[];
}

/** The run the test and the bench share: `n` dialogs, A killed once the calls it could end have ended. */
export async function takeoverRun(redisUrl: string, n: number, leaseMs: number): Promise<TakeoverRun> {
  const config = {
    // B's Timer F (64·T1) 32 s: a duplicate the called UE (a SIPp UAS) leaves unanswered ends its release at B
    // within the run.
    timers: { t1: 500, t2: 4000, t4: 5000 },
    scscf: { bulkReleaseConcurrency: 1024, releaseLeaseMs: leaseMs },
    limits: { requestsPerSecond: 100_000, requestBurst: 100_000 },
  };
  const nodes: ScscfProcess[] = [];
  const start = async (name: string, t1: number) => {
    const node = await startScscfProcess({
      name,
      sipPort: await freeUdpPort(),
      adminPort: await freeTcpPort(),
      store: `${redisUrl}/5`,
      // A's Timer F (64·T1) must not end the held BYEs before A dies, however loaded the machine.
      config: { ...config, timers: { ...config.timers, t1 } },
    });
    nodes.push(node);
    return node;
  };
  let tap: UdpTap | undefined;
  const sipps: SippRun[] = [];
  // The nodes ask for 8 MiB socket buffers; the kernel's default caps (208 KiB) would drop the release burst's
  // answers at A, and the called UE answers a retransmitted BYE of a call it ended no more.
  raiseSocketBufferCaps();
  try {
    await redisFlush();
    const a = await start("scscf-a", 4000);
    const b = await start("scscf-b", 500);
    const calleePort = await freeUdpPort();
    const callerPort = await freeUdpPort();
    tap = await startUdpTap({ address: "127.0.0.1", port: calleePort });
    const fill = {
      BYE_WAIT_MS: 90_000,
      LINGER_MS: 0,
      CALLEE_PORT: tap.port,
      CONTACT_PORT: tap.port,
      SCSCF: `127.0.0.1:${a.port}`,
      CALLER_PROXY_PORT: "",
    };
    // The calling UE answers a BYE on a call it ended 481 (SIPp's out-of-call scenario, a UAC's only): a
    // duplicate. The called UE cannot get one: A's BYEs to it that reached it all ended their releases on A.
    const ooc = ["-oocsf", `${sippScenarios}/scscf-ue-out-of-call-481.xml`];
    const big = ["-buff_size", String(8 * 1024 * 1024), "-max_socket", "4096", "-watchdog_minor_threshold", "5000"];
    const callee = await startSipp({
      scenario: "scscf-load-callee.xml",
      local: { address: "127.0.0.1", port: calleePort },
      calls: n,
      timeoutMs: 150_000,
      traceMessages: false,
      fill,
      args: big,
    });
    sipps.push(callee);
    const caller = await startSipp({
      scenario: "scscf-load-caller.xml",
      local: { address: "127.0.0.1", port: callerPort },
      remote: `127.0.0.1:${a.port}`,
      calls: n,
      rate: Math.min(n, 500),
      limit: n,
      timeoutMs: 150_000,
      traceMessages: false,
      callId: "load-%u-%p@%s",
      fill,
      args: [...big, ...ooc, "-rp", "1000"],
    });
    sipps.push(caller);
    const count = async (node: ScscfProcess, state?: string) => {
      const r = await node.admin("GET", `/v1/dialogs?limit=0${state ? `&state=${state}` : ""}`);
      return (state ? r.body.matching : r.body.count) as number;
    };
    await eventually(
      () => count(b, "confirmed"),
      (k) => k === n,
      `${n} confirmed dialogs`,
      120_000,
    );
    // The last ACKs pass end to end after the 2xx that confirms the dialog.
    await new Promise((r) => setTimeout(r, 1000));
    // While A lives, its BYEs of odd-numbered calls towards the called UE are held in the network.
    tap.drop = (d) => {
      const text = d.data.toString("latin1");
      return d.direction === "to-peer" && isBye(text) && callNumber(text) % 2 === 1;
    };
    void a.admin("POST", "/v1/dialogs/release", { all: true, cause: "administrative" }).catch(() => undefined);
    const even = Math.ceil(n / 2);
    const odd = n - even;
    // Every release A could end has ended (both BYEs answered); the others wait for their called UE's answer. A
    // datagram the kernel dropped anywhere on the way (a full socket buffer) is named: a lost 200 to a BYE leaves
    // its release waiting, since the called UE answers no retransmission of a call it ended.
    await eventually(
      () => count(b),
      (k) => k <= odd,
      "A's releases of the even-numbered calls ended",
      120_000,
    ).catch((err: Error) => {
      const [nodeA, nodeB, relay, ue1, ue2] = udpDropsByPort([a.port, b.port, tap?.port ?? 0, calleePort, callerPort]);
      const drops = { nodeA, nodeB, relay, callee: ue1, caller: ue2 };
      throw new Error(`${err.message}; UDP datagrams the kernel dropped so far: ${JSON.stringify(drops)}`);
    });
    await a.kill();
    const killedAt = performance.now();
    const doneByA = n - (await count(b));
    // What A sent before it died and is still on its way is lost with it (A's Via): only B's BYEs pass now.
    const fromA = `127.0.0.1:${a.port};`;
    tap.drop = (d) => d.direction === "to-peer" && header(d.data.toString("latin1"), "Via").includes(fromA);
    await eventually(
      () => count(b),
      (k) => k === 0,
      "B completed every release A left",
      120_000,
    );
    const takeoverSeconds = (performance.now() - killedAt) / 1000;
    await Promise.all([caller.exited, callee.exited]);
    const cs = caller.stats();
    const es = callee.stats();
    const byes = (list: { data: Buffer }[]) => list.map((d) => d.data.toString("latin1")).filter(isBye);
    const byesFromB = byes(tap.datagrams.filter((d) => d.direction === "to-peer" && d.at >= killedAt));
    // The called UE's answers to BYEs before A died: a BYE B sends on one of those calls is a duplicate.
    const answered = new Set(
      tap.datagrams
        .filter((d) => d.direction === "from-peer" && d.at < killedAt)
        .map((d) => d.data.toString("latin1"))
        .filter((t) => t.startsWith("SIP/2.0 2") && / BYE$/.test(header(t, "CSeq")))
        .map((t) => header(t, "Call-ID")),
    );
    const duplicates =
      caller
        .logs()
        .split("\n")
        .filter((l) => l.includes("duplicate BYE answered 481")).length +
      new Set(byesFromB.map((t) => header(t, "Call-ID")).filter((id) => answered.has(id))).size;
    return {
      dialogs: n,
      doneByA,
      takenOverByB: n - doneByA,
      takeoverSeconds,
      callerSuccessful: cs.successful,
      calleeSuccessful: es.successful,
      failed: cs.failed + es.failed,
      duplicates,
      heldByes: byes(tap.dropped),
      byesFromB,
    };
  } finally {
    for (const s of sipps) await s.stop();
    for (const node of nodes) await node.kill();
    await tap?.close();
  }

  async function redisFlush() {
    const r = new Redis(`${redisUrl}/5`);
    await r.flushdb();
    r.disconnect();
  }
}
