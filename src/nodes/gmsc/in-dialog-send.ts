// A request the GMSC sends in a leg's dialog (a BYE it forwards or initiates): its final response (or Timer F as
// 408, a transport failure as 503, RFC 3261 §8.1.3.1) comes back to the rules as a bye-response-received event,
// after the leg is marked over (§15.1.1: whatever the answer, the dialog ends).
import type { Side } from "../../../generated/types/index.ts";
import type { SipRequest, SipResponse } from "../../sip/messages/message.ts";
import { destinationOf, nextHopUri } from "../../sip/transport/next-hop.ts";
import { withLegTerminated } from "./call-state.ts";
import type { GmscServices } from "./gmsc-context.ts";

export async function sendOnLeg(
  g: GmscServices,
  key: string,
  side: Side,
  req: SipRequest,
  bye: "forwarded" | "initiated",
  rule: string,
): Promise<void> {
  const { metrics } = g.shell;
  const sentAt = performance.now();
  const answer = (status: number, response?: SipResponse) => {
    metrics.observeByeLatency((performance.now() - sentAt) / 1000);
    // RFC 3261 §15.1.1: a 481 or 408 (or Timer F) still ends the dialog, but the clearing had a request fail.
    if (status >= 300) metrics.countRule(metrics.releasesFailed, rule);
    void g.queue(
      key,
      {
        event: { type: "bye-response-received", from: side, status, bye },
        ...(response === undefined ? {} : { response }),
      },
      (r) => ({ ...r, call: withLegTerminated(r.call, side) }),
    );
  };
  let destination: Awaited<ReturnType<typeof destinationOf>>;
  try {
    destination = await destinationOf(nextHopUri(req));
  } catch (err) {
    g.log.error({ callId: key, side, err: (err as Error).message }, "no destination for the in-dialog request");
    answer(503);
    return;
  }
  g.shell.transactions.sendRequest(req, destination, {
    onResponse: (res) => {
      if (res.status >= 200) answer(res.status, res);
    },
    onTimeout: () => answer(408),
    onTransportError: () => answer(503),
  });
}
