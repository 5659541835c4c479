// RFC 5627: is a Contact URI a GRUU, and which registered contact is bound to it? Pure string work on URIs
// the shell has already parsed and stored; the core imports no SIP codec.
import type { RegistrarBinding } from "../../generated/types/index.ts";

interface UriParts {
  /** scheme:user@host[:port], lower-cased scheme and host. */
  base: string;
  params: Map<string, string | null>;
}

function splitUri(uri: string): UriParts {
  const bare = uri.trim().replace(/^<(.*)>$/, "$1");
  const noHeaders = bare.split("?")[0];
  const [base, ...rest] = noHeaders.split(";");
  const params = new Map<string, string | null>();
  for (const p of rest) {
    const eq = p.indexOf("=");
    params.set((eq === -1 ? p : p.slice(0, eq)).toLowerCase(), eq === -1 ? null : decodeURIComponent(p.slice(eq + 1)));
  }
  const at = base.lastIndexOf("@");
  const normalised =
    at === -1
      ? base.toLowerCase()
      : `${base.slice(0, at).replace(/^[^:]+:/, (s) => s.toLowerCase())}${base.slice(at).toLowerCase()}`;
  return { base: normalised, params };
}

const stripAngles = (s: string) => s.replace(/^<(.*)>$/, "$1").replace(/^"(.*)"$/, "$1");

export type GruuKind = "public" | "temporary" | "none";

export function gruuKind(uri: string): GruuKind {
  // Most contacts are no GRUU: a URI without a "gr" parameter needs no splitting.
  if (!/;\s*gr\b/i.test(uri)) return "none";
  const { params } = splitUri(uri);
  if (!params.has("gr")) return "none";
  return params.get("gr") === null ? "temporary" : "public";
}

/**
 * The contact bound to a GRUU (RFC 5627 §3): for a public GRUU, the binding of that AOR whose +sip.instance
 * equals the gr value; for a temporary GRUU, the binding it was issued for. Undefined when no live binding.
 */
export function contactBoundToGruu(uri: string, bindings: RegistrarBinding[]): string | undefined {
  const { base, params } = splitUri(uri);
  const gr = params.get("gr");
  if (gr === undefined) return undefined;
  if (gr !== null) {
    const instance = stripAngles(gr);
    return bindings.find(
      (b) => b.instance !== undefined && stripAngles(b.instance) === instance && splitUri(b.aor).base === base,
    )?.contact;
  }
  return bindings.find((b) => b.tempGruus.some((t) => splitUri(t).base === base))?.contact;
}
