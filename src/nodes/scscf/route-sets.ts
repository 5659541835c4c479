// The route set towards each party as seen from this S-CSCF (REFERENCE.md §1, "Route sets"). The dialog's
// Record-Route set (as in the 2xx, top entry nearest the called user) splits at this S-CSCF's own entry.
// When an application server record-routed the INVITE, the S-CSCF appears more than once: the split is made
// at its entry nearest the served user, so the BYE towards the remote party passes the application servers
// (and this S-CSCF again) while the BYE towards the served user does not.
import type { Party } from "../../../generated/types/index.ts";

export interface RouteSets {
  routeSetTowardsCalled: string[];
  routeSetTowardsCalling: string[];
  /**
   * The application servers of this S-CSCF's session case and its own entry after them, nearest first: the way a
   * request goes through service control and back here. Empty when no AS record-routed the dialog.
   */
  serviceRoute: string[];
}

/**
 * @param recordRoute Record-Route values of the dialog, top (nearest the called user) first.
 * @param isOwn whether a value is one of this S-CSCF's own Record-Route entries.
 * @param servedUser the party this S-CSCF serves.
 */
export function splitRouteSet(
  recordRoute: string[],
  isOwn: (value: string) => boolean,
  servedUser: Party,
): RouteSets | undefined {
  const own = recordRoute.flatMap((v, i) => (isOwn(v) ? [i] : []));
  if (own.length === 0) return undefined;
  // Serving the calling user, the own entry nearest it is the bottom one; serving the called user, the top one.
  const split = servedUser === "calling" ? own[own.length - 1] : own[0];
  // Adjacent own entries (a double Record-Route, RFC 5658, where the transport changes) are one hop.
  let lo = split;
  let hi = split;
  while (lo > 0 && isOwn(recordRoute[lo - 1])) lo--;
  while (hi < recordRoute.length - 1 && isOwn(recordRoute[hi + 1])) hi++;
  // The service route ends at the own entry farthest from the served user, on the remote party's side.
  let serviceRoute: string[] = [];
  if (servedUser === "calling" && own[0] < lo) serviceRoute = recordRoute.slice(own[0], lo).reverse();
  const last = own[own.length - 1];
  if (servedUser === "called" && last > hi) serviceRoute = recordRoute.slice(hi + 1, last + 1);
  return {
    // Nearest first: from the split towards the top of the list, then towards the bottom.
    routeSetTowardsCalled: recordRoute.slice(0, lo).reverse(),
    routeSetTowardsCalling: recordRoute.slice(hi + 1),
    serviceRoute,
  };
}
