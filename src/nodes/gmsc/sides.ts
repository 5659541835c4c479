// The two sides of a GMSC call as TS 23.231 names them: the preceding node (the originating side, whose INVITE
// the GMSC answers) and the succeeding node (the destination side, to which it sends its own INVITE).
import type { Side } from "../../../generated/types/index.ts";

export type { Side };

export const otherSide = (side: Side): Side => (side === "preceding" ? "succeeding" : "preceding");

/** The MGW termination facing a side. */
export const terminationSideOf = (side: Side) => (side === "preceding" ? "originating" : "destination");

export function isSide(value: string): value is Side {
  return value === "preceding" || value === "succeeding";
}
