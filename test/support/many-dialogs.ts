// An S-CSCF whose memory store holds many dialogs, written as the node writes them (for paging the admin API's
// lists at scale: a test that a page comes back, and the bench that times it).
import type { DialogRecord } from "../../generated/types/index.ts";
import { validateConfig } from "../../src/config/node-config.ts";
import { type ScscfNode, startScscfNode } from "../../src/nodes/scscf/scscf-node.ts";
import { silentLogger } from "./silent-logger.ts";

export const MANY_TOKEN = "many-dialogs-token-0123456789";

export async function scscfWithDialogs(count: number): Promise<ScscfNode> {
  const node = await startScscfNode({
    config: validateConfig(
      { role: "scscf", sip: ["udp://127.0.0.1:0"], admin: "http://127.0.0.1:0", adminToken: MANY_TOKEN },
      "many dialogs",
    ),
    logger: silentLogger(),
  });
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    const callId = `${i.toString(36).padStart(5, "0")}-many@192.0.2.4`;
    const record: DialogRecord = {
      createdAt: now,
      dialog: {
        callId,
        // Every tenth an early one, so a filter has something to pass over.
        state: i % 10 === 0 ? "early" : "confirmed",
        servedUser: "calling",
        fromOfInvite: `<sip:user${i % 1000}@home.example>;tag=f${i}`,
        toOf200: `<sip:peer@other.example>;tag=t${i}`,
        callingContact: "<sip:ue@192.0.2.4:5060>",
        calledContact: "<sip:peer@192.0.2.5:5060>",
        routeSetTowardsCalled: [],
        routeSetTowardsCalling: [],
        cseqCallingToCalled: 1,
        cseqCalledToCalling: null,
        release: { byeToCalled: "none", byeToCalling: "none" },
      },
    };
    await node.dialogs.update(callId, () => record);
  }
  return node;
}
