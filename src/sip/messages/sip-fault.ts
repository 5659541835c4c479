// Why a message was rejected, and where: the layer that could tell, line:column in the raw message, the header
// field concerned, and the response status a request would get (RFC 3261 §8.2, §21).

export type FaultLayer = "size" | "framing" | "syntax" | "semantic";

export interface SipFault {
  layer: FaultLayer;
  /** 1-based line and column in the raw message (columns count characters of the decoded head) */
  line: number;
  column: number;
  /** canonical name of the header field concerned, if any */
  header?: string;
  /** what was wrong, in words (used in the Warning of a 400) */
  message: string;
  /** response status for a request: 400, 505 (version), 513 (too large) */
  status: number;
}

export function describeFault(f: SipFault): string {
  const where = f.header ? ` (${f.header})` : "";
  return `${f.line}:${f.column}${where}: ${f.message}`;
}
