// The live demo's scenarios of TS 24.229 §5.4.5.1.2: alice calls bob through the S-CSCF, which serves either
// the calling user (items 1 and 2) or the called user (items 3 and 4); a network-internal indication (the admin
// API's release) makes it send a BYE to each party. Each step is awaited, bounded, on what the UEs received.
import { waitUntil } from "./bounded-wait.ts";
import { ALICE, BOB, type DemoNetwork } from "./demo-network.ts";
import { type Scenario, ScenarioFailed } from "./scenario.ts";

const C = "24.229:5.4.5.1.2";

async function releasedSession(net: DemoNetwork, served: "calling" | "called", callId: string): Promise<string[]> {
  const { alice, bob, scscf } = net;
  const path = `/v1/dialogs/${encodeURIComponent(callId)}`;
  // The top Route's `orig` says the S-CSCF serves the calling user; without it, the called user, whose contact
  // the S-CSCF finds in its registrar.
  await alice.invite({
    callId,
    requestUri: served === "calling" ? bob.contact : BOB,
    from: ALICE,
    to: BOB,
    route: `<sip:${scscf.sip};lr${served === "calling" ? ";orig" : ""}>`,
  });
  await alice.receivedFor(callId, "200 (INVITE)");
  await bob.receivedFor(callId, "ACK");
  await waitUntil("the S-CSCF holds the dialog confirmed", 5000, async () => {
    const r = await scscf.admin("GET", path);
    return r.status === 200 && (r.json() as { dialog: { state: string } }).dialog.state === "confirmed";
  });
  const r = await scscf.admin("POST", `${path}/release`, { cause: "administrative" });
  if (r.status !== 202) throw new Error(`the S-CSCF answered the release ${r.status}: ${r.text}`);
  // A reading that sends a BYE elsewhere (item 4's literal words, --config) fails here, its ladder still shown.
  await Promise.all([alice.receivedFor(callId, "BYE"), bob.receivedFor(callId, "BYE")]).catch((err: Error) => {
    throw new ScenarioFailed(err.message, [callId]);
  });
  await waitUntil(
    "the S-CSCF forgets the dialog after both 200 (BYE)",
    5000,
    async () => (await scscf.admin("GET", path)).status === 404,
  );
  return [callId];
}

export const scscfScenarios: Scenario[] = [
  {
    title: "S-CSCF serving the calling user: network-internal release (TS 24.229 §5.4.5.1.2 items 1 and 2)",
    node: "scscf",
    clauses: [`${C}/1`, `${C}/2`],
    run: (net, n) => releasedSession(net, "calling", `demo-scscf-${n}@127.0.0.1`),
  },
  {
    title: "S-CSCF serving the called user: network-internal release (TS 24.229 §5.4.5.1.2 items 3 and 4)",
    node: "scscf",
    clauses: [`${C}/3`, `${C}/4`],
    run: (net, n) => releasedSession(net, "called", `demo-scscf-${n}@127.0.0.1`),
  },
];
