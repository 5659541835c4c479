// Every H.248 datagram between the GMSC's MGC and its MGW, copied to the node's HEP3 mirror (Homer) with both ends.
import type { HepMirror } from "../../audit/hep.ts";
import type { H248Peer } from "../../h248/mgc.ts";

export function h248Mirror(hep: HepMirror) {
  return (direction: "sent" | "received", text: string, local: H248Peer, peer: H248Peer): void => {
    const [src, dst] = direction === "sent" ? [local, peer] : [peer, local];
    hep.mirror({
      time: Date.now(),
      wire: { transport: "UDP", src, dst },
      protocol: "H.248",
      payload: Buffer.from(text, "utf8"),
    });
  };
}
