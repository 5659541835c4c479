// The fast-path decoder of H.248 text messages (Annex B.2: megacoMessage … commandReply). Hand-written so a
// message decodes in microseconds; h248-text.ne is the reference it is proven equal to (test/h248/*).
import {
  auditDescriptor,
  contextAudit,
  contextPropertyAfter,
  descriptorAfter,
  errorDescriptor,
  observedEventsDescriptor,
  portNumber,
  servicesDescriptor,
  terminationIds,
} from "./decode-descriptors.ts";
import type {
  ActionReply,
  ActionRequest,
  CommandName,
  CommandReply,
  CommandRequest,
  ContextId,
  ContextProperty,
  Descriptor,
  Message,
  MId,
  Transaction,
  TransactionAckRange,
  TransactionReply,
} from "./model.ts";
import { H248SyntaxError, isDigits, isTerminationId, TextCursor } from "./text-cursor.ts";
import { keywordOf } from "./tokens.ts";

export { H248SyntaxError } from "./text-cursor.ts";

const LBRKT = 123;
const RBRKT = 125;
const COMMA = 44;
const EQUAL = 61;

export type DecodeResult = { ok: true; message: Message } | { ok: false; error: H248SyntaxError };

/** Decodes one H.248 text message (long or short tokens); throws H248SyntaxError naming line:column. */
export function decodeMessage(text: string): Message {
  const c = new TextCursor(text);
  c.skipLwsp();
  const message = megacoMessage(c);
  if (!c.atEnd()) c.fail("a transaction or the end of the message");
  return message;
}

export function tryDecodeMessage(text: string): DecodeResult {
  try {
    return { ok: true, message: decodeMessage(text) };
  } catch (err) {
    if (err instanceof H248SyntaxError) return { ok: false, error: err };
    throw err;
  }
}

function megacoMessage(c: TextCursor): Message {
  // MegacopToken SLASH Version SEP mId SEP messageBody
  const t = c.text;
  let p = c.pos;
  if (t.charCodeAt(p) === 33) p++;
  else if (startsWithFolded(t, p, "MEGACO")) p += 6;
  else c.fail('"MEGACO" or "!"');
  if (t.charCodeAt(p) !== 47) c.fail('"/"', p);
  p++;
  const vStart = p;
  while (p < t.length && t.charCodeAt(p) >= 48 && t.charCodeAt(p) <= 57) p++;
  if (p === vStart || p - vStart > 2) c.fail("a version (1 or 2 digits)", vStart);
  const version = Number(t.slice(vStart, p));
  c.pos = p;
  sep(c);
  const mId = readMId(c, true);
  if (c.atEnd()) c.fail("a transaction or an Error descriptor");
  const { keyword, at } = c.keyword("a transaction or an Error descriptor");
  if (keyword === "Error") return { version, mId, body: { kind: "error", error: errorDescriptor(c) } };
  const transactions: Transaction[] = [transaction(c, keyword, at)];
  while (!c.atEnd()) {
    const k = c.keyword("a transaction");
    transactions.push(transaction(c, k.keyword, k.at));
  }
  return { version, mId, body: { kind: "transactions", transactions } };
}

function startsWithFolded(t: string, p: number, upper: string): boolean {
  for (let i = 0; i < upper.length; i++) {
    let c = t.charCodeAt(p + i);
    if (c >= 97 && c <= 122) c -= 32;
    if (c !== upper.charCodeAt(i)) return false;
  }
  return true;
}

/** SEP = (WSP / EOL / COMMENT) LWSP: at least one. */
function sep(c: TextCursor): void {
  const ch = c.peek();
  if (ch !== 32 && ch !== 9 && ch !== 13 && ch !== 10 && ch !== 59) c.fail("white space");
  c.skipLwsp();
}

/**
 * mId = ((domainAddress / domainName) [":" portNumber]) / mtpAddress / deviceName. In the header a SEP must
 * follow (`header`); elsewhere (ServiceChangeAddress, MgcIdToTry) LWSP.
 */
export function readMId(c: TextCursor, header = false): MId {
  const t = c.text;
  const start = c.pos;
  const ch = c.peek();
  let mId: MId;
  let p = start;
  if (ch === 91) {
    const end = t.indexOf("]", p);
    if (end < 0) c.fail('"]"', t.length);
    const address = t.slice(p + 1, end);
    if (isIPv4(address)) mId = { kind: "ip4", address };
    else if (isIPv6(address)) mId = { kind: "ip6", address };
    else c.fail("an IPv4 or IPv6 address", p + 1);
    p = end + 1;
  } else if (ch === 60) {
    const end = t.indexOf(">", p);
    if (end < 0) c.fail('">"', t.length);
    const name = t.slice(p + 1, end);
    if (!/^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$/.test(name)) c.fail("a domain name", p + 1);
    mId = { kind: "domain", name };
    p = end + 1;
  } else if (startsWithFolded(t, p, "MTP") && /^\s*\{/.test(t.slice(p + 3, p + 8))) {
    c.pos = p + 3;
    c.skipLwsp();
    c.expect(LBRKT);
    const at = c.pos;
    const w = c.word("an MTP address (4 to 8 hex digits)");
    if (!/^[0-9A-Fa-f]{4,8}$/.test(w)) c.fail("an MTP address (4 to 8 hex digits)", at);
    if (c.peek() !== RBRKT) c.fail('"}"');
    c.pos++;
    mId = { kind: "mtp", address: w };
    if (header) sep(c);
    else c.skipLwsp();
    return mId;
  } else {
    // deviceName = pathNAME
    while (p < t.length && isPathChar(t.charCodeAt(p))) p++;
    const name = t.slice(start, p);
    if (!/^[A-Za-z*]/.test(name) || !isTerminationId(name))
      c.fail("an mId ([address]:port, <domain> or a device name)");
    c.pos = p;
    if (header) sep(c);
    else c.skipLwsp();
    return { kind: "device", name };
  }
  c.pos = p;
  if (t.charCodeAt(p) === 58) {
    const pStart = p + 1;
    let q = pStart;
    let port = 0;
    for (; q < t.length; q++) {
      const d = t.charCodeAt(q);
      if (d < 48 || d > 57) break;
      port = port * 10 + d - 48;
    }
    if (q === pStart || q - pStart > 5 || port > 65535) c.fail("a portNumber", pStart);
    mId = mId.kind === "ip4" ? { kind: "ip4", address: mId.address, port } : { ...mId, port };
    c.pos = q;
  }
  if (header) sep(c);
  else c.skipLwsp();
  return mId;
}

function isPathChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) ||
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    c === 95 ||
    c === 42 ||
    c === 36 ||
    c === 47 ||
    c === 64 ||
    c === 46 ||
    c === 45
  );
}

/** IPv4address = V4hex "." V4hex "." V4hex "." V4hex, each 1 to 3 digits up to 255. */
export function isIPv4(s: string): boolean {
  let parts = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || value > 255) return false;
      parts++;
      digits = 0;
      value = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      digits++;
      value = value * 10 + (c - 48);
    } else return false;
  }
  return parts === 4;
}

export function isIPv6(s: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(s) || !s.includes(":")) return false;
  let hex = s;
  let groupsForV4 = 0;
  const lastColon = s.lastIndexOf(":");
  if (s.slice(lastColon + 1).includes(".")) {
    if (!isIPv4(s.slice(lastColon + 1))) return false;
    hex = `${s.slice(0, lastColon + 1)}0`;
    groupsForV4 = 1;
  }
  const halves = hex.split("::");
  if (halves.length > 2) return false;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const all = halves.flatMap(groups);
  if (!all.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  const n = all.length + groupsForV4;
  return halves.length === 2 ? n <= 7 : n === 8;
}

function transaction(c: TextCursor, keyword: string | undefined, at: number): Transaction {
  switch (keyword) {
    case "Transaction": {
      c.expect(EQUAL);
      const transactionId = c.uint("a TransactionID");
      c.expect(LBRKT);
      const actions: ActionRequest[] = [];
      do actions.push(actionRequest(c));
      while (c.eat(COMMA));
      c.expect(RBRKT);
      return { kind: "request", transactionId, actions };
    }
    case "Reply":
      return transactionReply(c);
    case "Pending": {
      c.expect(EQUAL);
      const transactionId = c.uint("a TransactionID");
      c.expect(LBRKT);
      c.expect(RBRKT);
      return { kind: "pending", transactionId };
    }
    case "TransactionResponseAck": {
      c.expect(LBRKT);
      const ranges: TransactionAckRange[] = [];
      do {
        const pat = c.pos;
        const w = c.word("a TransactionID or range");
        const dash = w.indexOf("-");
        const first = dash < 0 ? w : w.slice(0, dash);
        const last = dash < 0 ? undefined : w.slice(dash + 1);
        if (!isUint32(first) || (last !== undefined && !isUint32(last))) c.fail("a TransactionID or range", pat);
        ranges.push(last === undefined ? { first: Number(first) } : { first: Number(first), last: Number(last) });
      } while (c.eat(COMMA));
      c.expect(RBRKT);
      return { kind: "responseAck", ranges };
    }
    case "Segment": {
      c.expect(EQUAL);
      const seg = segmentedId(c, true);
      const out: Transaction = {
        kind: "segmentReply",
        transactionId: seg.transactionId,
        segmentNumber: seg.segmentNumber as number,
      };
      if (seg.complete) out.segmentationComplete = true;
      return out;
    }
  }
  return c.fail("Transaction, Reply, Pending, TransactionResponseAck or Segment", at);
}

function isUint32(s: string): boolean {
  return isDigits(s) && s.length <= 10 && Number(s) <= 0xffffffff;
}

/** TransactionID [SLASH SegmentNumber [SLASH SegmentationCompleteToken]] — one SafeChar word. */
function segmentedId(
  c: TextCursor,
  segmentRequired: boolean,
): { transactionId: number; segmentNumber?: number; complete: boolean } {
  const at = c.pos;
  const w = c.word("a TransactionID");
  const parts = w.split("/");
  const what = segmentRequired ? "TransactionID/SegmentNumber" : "a TransactionID";
  if (!isUint32(parts[0]) || parts.length > 3 || (segmentRequired && parts.length < 2)) c.fail(what, at);
  if (parts.length >= 2 && (!isDigits(parts[1]) || parts[1].length > 5 || Number(parts[1]) > 65535))
    c.fail("a SegmentNumber", at);
  if (parts.length === 3 && keywordOf(parts[2]) !== "END") c.fail("END or &", at);
  return {
    transactionId: Number(parts[0]),
    segmentNumber: parts.length >= 2 ? Number(parts[1]) : undefined,
    complete: parts.length === 3,
  };
}

function transactionReply(c: TextCursor): TransactionReply {
  c.expect(EQUAL);
  const seg = segmentedId(c, false);
  const reply: TransactionReply = { kind: "reply", transactionId: seg.transactionId, actions: [] };
  if (seg.segmentNumber !== undefined) reply.segmentNumber = seg.segmentNumber;
  if (seg.complete) reply.segmentationComplete = true;
  c.expect(LBRKT);
  let k = c.keyword("Context, Error or ImmAckRequired");
  if (k.keyword === "ImmAckRequired") {
    reply.immAckRequired = true;
    c.expect(COMMA);
    k = c.keyword("Context or Error");
  }
  if (k.keyword === "Error") {
    reply.error = errorDescriptor(c);
    c.expect(RBRKT);
    return reply;
  }
  for (;;) {
    if (k.keyword !== "Context") c.fail("Context", k.at);
    reply.actions.push(actionReply(c));
    if (!c.eat(COMMA)) break;
    k = c.keyword("Context");
  }
  c.expect(RBRKT);
  return reply;
}

/** ContextID = UINT32 / "*" / "-" / "$". */
function contextId(c: TextCursor): ContextId {
  const at = c.pos;
  const w = c.word("a ContextID");
  if (w === "*" || w === "-" || w === "$") return w;
  if (!isUint32(w)) c.fail("a ContextID (number, $, - or *)", at);
  return Number(w);
}

function actionRequest(c: TextCursor): ActionRequest {
  const k = c.keyword("Context");
  if (k.keyword !== "Context") c.fail("Context", k.at);
  c.expect(EQUAL);
  const action: ActionRequest = { contextId: contextId(c), properties: [], commands: [] };
  c.expect(LBRKT);
  // contextProperties, then one contextAudit, then commands (B.2 actionRequest)
  let phase = 0;
  do {
    const { keyword, word, at } = c.keyword("a context property, ContextAudit or a command");
    if (phase === 0) {
      const prop = contextPropertyAfter(c, keyword);
      if (prop !== undefined) {
        action.properties.push(prop);
        continue;
      }
    }
    if (phase <= 1 && keyword === "ContextAudit") {
      action.audit = contextAudit(c);
      phase = 2;
      continue;
    }
    phase = 2;
    action.commands.push(commandRequest(c, word, at));
  } while (c.eat(COMMA));
  c.expect(RBRKT);
  return action;
}

const COMMANDS: ReadonlySet<string> = new Set([
  "Add",
  "Modify",
  "Move",
  "Subtract",
  "AuditValue",
  "AuditCapability",
  "Notify",
  "ServiceChange",
]);

function commandRequest(c: TextCursor, word: string, at: number): CommandRequest {
  let w = word;
  let optional = false;
  let wildcardReply = false;
  if (/^O-/i.test(w)) {
    optional = true;
    w = w.slice(2);
  }
  if (/^W-/i.test(w)) {
    wildcardReply = true;
    w = w.slice(2);
  }
  const keyword = keywordOf(w);
  if (keyword === undefined || !COMMANDS.has(keyword)) return c.fail("a command (Add, Modify, Move, Subtract, …)", at);
  const command = keyword as CommandName;
  c.expect(EQUAL);
  const req: CommandRequest = { command, terminationIds: terminationIds(c), descriptors: [] };
  if (optional) req.optional = true;
  if (wildcardReply) req.wildcardReply = true;
  const d = req.descriptors;
  switch (command) {
    case "Add":
    case "Modify":
    case "Move":
      if (c.eat(LBRKT)) {
        do {
          const k = c.keyword("a descriptor");
          d.push(descriptorAfter(c, k.keyword, k.at, "amm"));
        } while (c.eat(COMMA));
        c.expect(RBRKT);
      }
      break;
    case "Subtract":
    case "AuditValue":
    case "AuditCapability": {
      if (command !== "Subtract") c.expect(LBRKT);
      if (command !== "Subtract" || c.eat(LBRKT)) {
        const k = c.keyword("Audit");
        if (k.keyword !== "Audit") c.fail("Audit", k.at);
        d.push(auditDescriptor(c));
        c.expect(RBRKT);
      }
      break;
    }
    case "Notify": {
      c.expect(LBRKT);
      const k = c.keyword("ObservedEvents");
      if (k.keyword !== "ObservedEvents") c.fail("ObservedEvents", k.at);
      d.push(observedEventsDescriptor(c));
      if (c.eat(COMMA)) {
        const e = c.keyword("Error");
        if (e.keyword !== "Error") c.fail("Error", e.at);
        d.push(errorDescriptor(c));
      }
      c.expect(RBRKT);
      break;
    }
    case "ServiceChange": {
      c.expect(LBRKT);
      const k = c.keyword("Services");
      if (k.keyword !== "Services") c.fail("Services", k.at);
      d.push(servicesDescriptor(c, readMId));
      c.expect(RBRKT);
      break;
    }
  }
  return req;
}

function actionReply(c: TextCursor): ActionReply {
  c.expect(EQUAL);
  const action: ActionReply = { contextId: contextId(c), properties: [], commands: [] };
  c.expect(LBRKT);
  let phase = 0;
  do {
    const { keyword, at } = c.keyword("a context property, a command reply or Error");
    if (keyword === "Error") {
      action.error = errorDescriptor(c);
      break;
    }
    if (phase === 0) {
      const prop: ContextProperty | undefined = contextPropertyAfter(c, keyword);
      if (prop !== undefined) {
        action.properties.push(prop);
        continue;
      }
    }
    phase = 1;
    action.commands.push(commandReply(c, keyword, at));
  } while (c.eat(COMMA));
  c.expect(RBRKT);
  return action;
}

function commandReply(c: TextCursor, keyword: string | undefined, at: number): CommandReply {
  if (keyword === undefined || !COMMANDS.has(keyword)) return c.fail("a command reply (Add, Modify, …) or Error", at);
  const command = keyword as CommandName;
  c.expect(EQUAL);
  const reply: CommandReply = { command, terminationIds: terminationIds(c), descriptors: [] };
  if (!c.eat(LBRKT)) return reply;
  const d: Descriptor[] = reply.descriptors;
  switch (command) {
    case "Notify": {
      const k = c.keyword("Error");
      if (k.keyword !== "Error") c.fail("Error", k.at);
      d.push(errorDescriptor(c));
      break;
    }
    case "ServiceChange": {
      const k = c.keyword("Services or Error");
      if (k.keyword === "Error") d.push(errorDescriptor(c));
      else if (k.keyword === "Services") d.push(servicesDescriptor(c, readMId));
      else c.fail("Services or Error", k.at);
      break;
    }
    default:
      do {
        const k = c.keyword("a descriptor or audit item");
        d.push(descriptorAfter(c, k.keyword, k.at, "reply"));
      } while (c.eat(COMMA));
  }
  c.expect(RBRKT);
  return reply;
}

export { portNumber };
