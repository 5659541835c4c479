// The live demo's scenarios of TS 23.231 §7.3: MSC-A calls through the GMSC, which seizes two MGW terminations
// and calls MSC-B; the call is then cleared by a CANCEL or BYE from MSC-A (§7.3.1 b.1, b.2), a final error from
// MSC-B (b.3), the GMSC itself (§7.3.2), or a Bearer Released from the MGW on either side (§7.3.3). A scenario
// ends when the GMSC holds no call and the MGW has had a Subtract for every termination it added.
import { callIdOf } from "../sip/messages/header-access.ts";
import { waitUntil } from "./bounded-wait.ts";
import { CALLED_NUMBER, type DemoNetwork } from "./demo-network.ts";
import type { Answer } from "./demo-user-agent.ts";
import type { Scenario } from "./scenario.ts";

const C = "23.231:7.3";

interface GmscCall {
  /** The preceding leg's Call-ID (the call's key at the GMSC) and the succeeding leg's. */
  callId: string;
  succeeding: string;
  /** Where the MGW's command list stood when the call began. */
  mgFrom: number;
}

async function placeCall(net: DemoNetwork, callId: string, answer: Answer): Promise<GmscCall> {
  const { mscA, mscB, gmsc } = net;
  const legsBefore = mscB.invitesReceived().length;
  const mgFrom = net.mg.commands.length;
  mscB.answerNextWith(answer);
  await mscA.invite({
    callId,
    requestUri: `sip:${CALLED_NUMBER}@${gmsc.sip};user=phone`,
    from: "sip:+4930123@msc-a.demo;user=phone",
    to: `sip:+${CALLED_NUMBER}@gmsc.demo;user=phone`,
  });
  const succeeding = await waitUntil(
    "MSC-B receives the GMSC's INVITE",
    5000,
    () => mscB.invitesReceived()[legsBefore],
  );
  return { callId, succeeding, mgFrom };
}

async function answeredCall(net: DemoNetwork, callId: string): Promise<GmscCall> {
  const call = await placeCall(net, callId, { kind: "answer" });
  await net.mscA.receivedFor(callId, "200 (INVITE)");
  await net.mscB.receivedFor(call.succeeding, "ACK");
  return call;
}

/** The GMSC holds nothing of the call and every termination added for it got its Subtract. */
async function cleared(net: DemoNetwork, call: GmscCall): Promise<string[]> {
  const since = () => net.mg.commands.slice(call.mgFrom);
  await waitUntil("the MGW receives a Subtract for each termination seized", 5000, () => {
    const added = since().filter((c) => c.command === "Add");
    const subtracted = new Set(
      since()
        .filter((c) => c.command === "Subtract")
        .map((c) => c.terminationId),
    );
    return added.length === 2 && added.every((a) => subtracted.has(a.terminationId));
  });
  await waitUntil(
    "the GMSC releases the call",
    5000,
    async () => (await net.gmsc.admin("GET", `/v1/calls/${encodeURIComponent(call.callId)}`)).status === 404,
  );
  return [call.callId, call.succeeding];
}

/** Both legs got their BYE from the GMSC. */
async function byeToBoth(net: DemoNetwork, call: GmscCall): Promise<void> {
  await Promise.all([net.mscA.receivedFor(call.callId, "BYE"), net.mscB.receivedFor(call.succeeding, "BYE")]);
}

async function bearerReleasedOn(net: DemoNetwork, n: number, side: "originating" | "destination") {
  const call = await answeredCall(net, `demo-gmsc-${n}@127.0.0.1`);
  const r = await net.gmsc.admin("GET", `/v1/calls/${encodeURIComponent(call.callId)}`);
  const terminations = (r.json() as { call?: { terminations: Array<{ id: string; contextId: string; side: string }> } })
    .call?.terminations;
  const t = terminations?.find((x) => x.side === side);
  if (t === undefined) throw new Error(`the GMSC holds no ${side}-side termination for ${call.callId}: ${r.text}`);
  await net.mg.bearerReleased(Number(t.contextId), t.id);
  await byeToBoth(net, call);
  return cleared(net, call);
}

export const gmscScenarios: Scenario[] = [
  {
    title: "GMSC §7.3.1 b.1: CANCEL from the preceding node (MSC-A) while MSC-B rings",
    node: "gmsc",
    clauses: [`${C}.1/b.1`],
    async run(net, n) {
      const call = await placeCall(net, `demo-gmsc-${n}@127.0.0.1`, { kind: "ring" });
      await net.mscA.receivedFor(call.callId, "180 (INVITE)");
      net.mscA.cancel(call.callId);
      await net.mscB.receivedFor(call.succeeding, "CANCEL");
      await net.mscA.receivedFor(call.callId, "487 (INVITE)");
      return cleared(net, call);
    },
  },
  {
    title: "GMSC §7.3.1 b.2: BYE from the preceding node (MSC-A) on an answered call",
    node: "gmsc",
    clauses: [`${C}.1/b.2`],
    async run(net, n) {
      const call = await answeredCall(net, `demo-gmsc-${n}@127.0.0.1`);
      await net.mscA.bye(call.callId);
      await net.mscB.receivedFor(call.succeeding, "BYE");
      await net.mscA.receivedFor(call.callId, "200 (BYE)");
      return cleared(net, call);
    },
  },
  {
    title: "GMSC §7.3.1 b.3: 486 Busy Here from the succeeding node (MSC-B)",
    node: "gmsc",
    clauses: [`${C}.1/b.3`],
    async run(net, n) {
      const call = await placeCall(net, `demo-gmsc-${n}@127.0.0.1`, { kind: "reject", status: 486 });
      await waitUntil("MSC-A receives a final error response to its INVITE", 5000, () =>
        net.mscA.received.some((r) => /^[3-6]\d\d \(INVITE\)$/.test(r.label) && callIdOf(r.message) === call.callId),
      );
      return cleared(net, call);
    },
  },
  {
    title: "GMSC §7.3.2: GMSC-initiated clearing of an answered call (admin API)",
    node: "gmsc",
    clauses: [`${C}.2/1`, `${C}.2/2`],
    async run(net, n) {
      const call = await answeredCall(net, `demo-gmsc-${n}@127.0.0.1`);
      const r = await net.gmsc.admin("POST", `/v1/calls/${encodeURIComponent(call.callId)}/release`, {
        cause: "administrative",
      });
      if (r.status !== 202) throw new Error(`the GMSC answered the release ${r.status}: ${r.text}`);
      await byeToBoth(net, call);
      return cleared(net, call);
    },
  },
  {
    title: "GMSC §7.3.3: Bearer Released (Notify g/cause) on the destination side",
    node: "gmsc",
    clauses: [`${C}.3/1`],
    run: (net, n) => bearerReleasedOn(net, n, "destination"),
  },
  {
    title: "GMSC §7.3.3: Bearer Released (Notify g/cause) on the originating side",
    node: "gmsc",
    clauses: [`${C}.3/2`],
    run: (net, n) => bearerReleasedOn(net, n, "originating"),
  },
];
