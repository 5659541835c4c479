// The public identities of a dialog's parties, as the registrar keys them: the From of the INVITE is the
// calling user's, the To the called user's (scheme:user@host, no parameters).
import type { DialogState } from "../../../generated/types/index.ts";
import { makeHeader } from "../../sip/messages/header-access.ts";
import type { NameAddr, Uri } from "../../sip/messages/message.ts";
import { formatUri } from "../../sip/messages/uri.ts";

export function aorOfUri(uri: Uri): string {
  if (uri.scheme === "sip" || uri.scheme === "sips") {
    const u = uri as Extract<Uri, { scheme: "sip" | "sips" }>;
    return `${u.scheme}:${u.user ? `${u.user}@` : ""}${u.host.toLowerCase()}`;
  }
  return formatUri({ ...uri, ...("params" in uri ? { params: [] } : {}) } as Uri);
}

/** The identity in a stored From/To value; undefined if it does not parse. */
export function aorOfHeader(value: string): string | undefined {
  try {
    return aorOfUri((makeHeader("To", value).parsed as NameAddr).uri);
  } catch {
    return undefined;
  }
}

/** The identity of the user this S-CSCF serves in the dialog. */
export function servedIdentity(dialog: DialogState): string | undefined {
  return aorOfHeader(dialog.servedUser === "calling" ? dialog.fromOfInvite : dialog.toOf200);
}
