// H.248.1 clause 8.2 transactions over UDP (Annex D.1), against a scripted peer on loopback: retransmission with
// back-off and a bounded number of tries, TransactionPending extends the wait (8.2.3), a retransmitted request is
// answered from the reply cache and executed once, TransactionResponseAck (8.2.4) frees the cached reply, and a
// reply with ImmAckRequired is acknowledged.
import { createSocket } from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { decodeMessage } from "../../src/h248/decode-message.ts";
import { H248TimeoutError, TransactionLayer } from "../../src/h248/transactions.ts";
import { openUdpTransport } from "../../src/h248/udp-transport.ts";

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function setup(timers = {}) {
  const transport = await openUdpTransport("127.0.0.1", 0);
  const layer = new TransactionLayer(transport, {
    mId: { kind: "ip4", address: "127.0.0.1", port: transport.local.port },
    timers: { initialRetransmitMs: 40, maxRetransmitMs: 80, maxAttempts: 4, pendingWaitMs: 300, ...timers },
  });
  const peer = createSocket("udp4");
  await new Promise<void>((r) => peer.bind(0, "127.0.0.1", () => r()));
  const received: Array<{ at: number; text: string }> = [];
  peer.on("message", (m) => received.push({ at: Date.now(), text: m.toString() }));
  closers.push(async () => {
    await layer.close();
    await transport.close();
    peer.close();
  });
  const peerAddr = { address: "127.0.0.1", port: peer.address().port };
  const send = (text: string) => peer.send(text, transport.local.port, "127.0.0.1");
  return { layer, peerAddr, received, send };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const subtract = [
  {
    contextId: 7,
    properties: [],
    commands: [{ command: "Subtract" as const, terminationIds: ["ip/1/1/1"], descriptors: [] }],
  },
];

describe("H.248.1 8.2 / Annex D.1 transactions", () => {
  it("retransmits with doubling intervals up to the cap and fails after maxAttempts", async () => {
    const { layer, peerAddr, received } = await setup();
    const started = Date.now();
    const err = await layer.request(peerAddr, subtract).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(H248TimeoutError);
    expect(received).toHaveLength(4);
    const tids = received.map((r) => {
      const b = decodeMessage(r.text).body;
      return b.kind === "transactions" && b.transactions[0].kind === "request" ? b.transactions[0].transactionId : -1;
    });
    expect(new Set(tids).size).toBe(1);
    const gaps = received.slice(1).map((r, i) => r.at - received[i].at);
    expect(gaps[1]).toBeGreaterThanOrEqual(gaps[0] - 10); // 40, 80, 80 ms (back-off capped)
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("8.2.3: Pending stops retransmission and extends the wait; the reply then completes the transaction", async () => {
    const { layer, peerAddr, received, send } = await setup();
    const pending = layer.request(peerAddr, subtract);
    await wait(10);
    const tid = (() => {
      const b = decodeMessage(received[0].text).body;
      return b.kind === "transactions" && b.transactions[0].kind === "request" ? b.transactions[0].transactionId : -1;
    })();
    send(`!/1 [127.0.0.1]:9\nPN=${tid}{}`);
    await wait(250); // longer than the 4 tries would take without Pending
    expect(received).toHaveLength(1);
    send(`!/1 [127.0.0.1]:9\nP=${tid}{IA,C=7{S=ip/1/1/1}}`);
    const reply = await pending;
    expect(reply.actions[0].commands[0]).toEqual({
      command: "Subtract",
      terminationIds: ["ip/1/1/1"],
      descriptors: [],
    });
    await wait(30);
    // ImmAckRequired: the reply is acknowledged with TransactionResponseAck
    expect(decodeMessage(received.at(-1)!.text).body).toEqual({
      kind: "transactions",
      transactions: [{ kind: "responseAck", ranges: [{ first: tid }] }],
    });
  });

  it("a retransmitted request is executed once and answered from the reply cache; ResponseAck frees the entry", async () => {
    const { layer, received, send } = await setup();
    let executed = 0;
    layer.onRequest(async () => {
      executed++;
      await wait(60);
      return [
        {
          contextId: 3,
          properties: [],
          commands: [{ command: "Notify", terminationIds: ["ip/1/1/2"], descriptors: [] }],
        },
      ];
    });
    const notify = "!/1 [127.0.0.1]:9\nT=4711{C=3{N=ip/1/1/2{OE=1{g/cause{Generalcause=NR}}}}}";
    send(notify);
    await wait(20);
    send(notify); // while processing: answered with Pending
    await wait(100);
    send(notify); // after the reply: answered from the cache
    await wait(40);
    expect(executed).toBe(1);
    const kinds = received.map((r) => {
      const b = decodeMessage(r.text).body;
      return b.kind === "transactions" ? b.transactions[0].kind : "error";
    });
    expect(kinds).toEqual(["pending", "reply", "reply"]);
    expect(received[1].text).toBe(received[2].text);
    expect(layer.cachedReplies).toBe(1);
    send("!/1 [127.0.0.1]:9\nK{4711}");
    await wait(30);
    expect(layer.cachedReplies).toBe(0);
  });
});
