// The live demo's scenario of TS 24.229 §5.4.5.1.1: alice calls bob through the S-CSCF serving her, bob's UE
// rings and does not answer, and a network-internal indication (the admin API's release) cancels the session
// being established: a CANCEL towards bob (item 1), 487 to alice's INVITE (item 2).
import { waitUntil } from "./bounded-wait.ts";
import { ALICE, BOB, type DemoNetwork } from "./demo-network.ts";
import type { Scenario } from "./scenario.ts";

const C = "24.229:5.4.5.1.1";

async function cancelledSession(net: DemoNetwork, callId: string): Promise<string[]> {
  const { alice, bob, scscf } = net;
  const path = `/v1/dialogs/${encodeURIComponent(callId)}`;
  bob.answerNextWith({ kind: "ring" });
  await alice.invite({ callId, requestUri: bob.contact, from: ALICE, to: BOB, route: `<sip:${scscf.sip};lr;orig>` });
  await alice.receivedFor(callId, "180 (INVITE)");
  await waitUntil("the S-CSCF holds the dialog early", 5000, async () => {
    const r = await scscf.admin("GET", path);
    return r.status === 200 && (r.json() as { dialog: { state: string } }).dialog.state === "early";
  });
  const r = await scscf.admin("POST", `${path}/release`, { cause: "administrative" });
  if (r.status !== 202) throw new Error(`the S-CSCF answered the release ${r.status}: ${r.text}`);
  await Promise.all([bob.receivedFor(callId, "CANCEL"), alice.receivedFor(callId, "487 (INVITE)")]);
  await waitUntil(
    "the S-CSCF forgets the early dialog",
    5000,
    async () => (await scscf.admin("GET", path)).status === 404,
  );
  return [callId];
}

export const scscfCancellationScenario: Scenario = {
  title: "S-CSCF: network-internal release of a session being established (TS 24.229 §5.4.5.1.1 items 1 and 2)",
  node: "scscf",
  clauses: [`${C}/1`, `${C}/2`],
  run: (net, n) => cancelledSession(net, `demo-scscf-${n}@127.0.0.1`),
};
