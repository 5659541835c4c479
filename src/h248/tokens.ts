// The Annex B tokens the codec knows, each as [long form, short form]. Tokens are case-insensitive (B.2); the
// model names each by its long form, the encoder writes one form or the other, the fast decoder looks words up here.

export const TOKENS: ReadonlyArray<readonly [string, string]> = [
  ["Add", "A"],
  ["ANDLgc", "ANDLgc"],
  ["Audit", "AT"],
  ["AuditCapability", "AC"],
  ["AuditValue", "AV"],
  ["Both", "B"],
  ["Bothway", "BW"],
  ["Brief", "BR"],
  ["Buffer", "BF"],
  ["Context", "C"],
  ["ContextAudit", "CA"],
  ["ContextAttr", "CT"],
  ["ContextList", "CLT"],
  ["DigitMap", "DM"],
  ["SPADirection", "SPADI"],
  ["Disconnected", "DC"],
  ["Delay", "DL"],
  ["Duration", "DR"],
  ["Embed", "EM"],
  ["Emergency", "EG"],
  ["EmergencyOff", "EGO"],
  ["EmergencyValue", "EGV"],
  ["Error", "ER"],
  ["EventBuffer", "EB"],
  ["Events", "E"],
  ["External", "EX"],
  ["Failover", "FL"],
  ["Forced", "FO"],
  ["Graceful", "GR"],
  ["HandOff", "HO"],
  ["IEPSCall", "IEPS"],
  ["ImmAckRequired", "IA"],
  ["Inactive", "IN"],
  ["Internal", "IT"],
  ["Intersignal", "SPAIS"],
  ["IntByEvent", "IBE"],
  ["IntBySigDescr", "IBS"],
  ["Isolate", "IS"],
  ["InService", "IV"],
  ["Iteration", "IR"],
  ["KeepActive", "KA"],
  ["Local", "L"],
  ["LocalControl", "O"],
  ["LockStep", "SP"],
  ["Loopback", "LB"],
  ["Media", "M"],
  ["MEGACO", "!"],
  ["Segment", "SM"],
  ["Method", "MT"],
  ["MgcIdToTry", "MG"],
  ["Mode", "MO"],
  ["Modify", "MF"],
  ["Modem", "MD"],
  ["Move", "MV"],
  ["MTP", "MTP"],
  ["Mux", "MX"],
  ["NeverNotify", "NBNN"],
  ["Notify", "N"],
  ["NotifyCompletion", "NC"],
  ["ImmediateNotify", "NBIN"],
  ["RegulatedNotify", "NBRN"],
  ["ObservedEvents", "OE"],
  ["OFF", "OFF"],
  ["Oneway", "OW"],
  ["OnewayBoth", "OWB"],
  ["OnewayExternal", "OWE"],
  ["OnOff", "OO"],
  ["ORLgc", "ORLgc"],
  ["ON", "ON"],
  ["OtherReason", "OR"],
  ["OutOfService", "OS"],
  ["Packages", "PG"],
  ["Pending", "PN"],
  ["Priority", "PR"],
  ["Profile", "PF"],
  ["Reason", "RE"],
  ["ReceiveOnly", "RC"],
  ["Reply", "P"],
  ["ResetEventsDescriptor", "RSE"],
  ["Restart", "RS"],
  ["Remote", "R"],
  ["SPARequestID", "SPARQ"],
  ["ReservedGroup", "RG"],
  ["ReservedValue", "RV"],
  ["END", "&"],
  ["SendOnly", "SO"],
  ["SendReceive", "SR"],
  ["Services", "SV"],
  ["ServiceStates", "SI"],
  ["ServiceChange", "SC"],
  ["ServiceChangeAddress", "AD"],
  ["ServiceChangeInc", "SIC"],
  ["SignalList", "SL"],
  ["Signals", "SG"],
  ["SignalType", "SY"],
  ["Statistics", "SA"],
  ["Stream", "ST"],
  ["Subtract", "S"],
  ["TerminationState", "TS"],
  ["Test", "TE"],
  ["TimeOut", "TO"],
  ["Topology", "TP"],
  ["Transaction", "T"],
  ["TransactionResponseAck", "K"],
  ["Version", "V"],
];

const SHORT = new Map<string, string>(TOKENS.map(([long, short]) => [long, short]));

// Spellings written by earlier megaco text encoders (before H.248.1 v3 fixed the names), read, never written.
export const ALIASES: ReadonlyArray<readonly [string, string]> = [
  ["EmergencyOffToken", "EmergencyOff"],
  ["Direction", "SPADirection"],
  ["DI", "SPADirection"],
  ["RequestID", "SPARequestID"],
  ["RQ", "SPARequestID"],
];

/** Upper-cased long or short form (or alias) → the long form. */
export const KEYWORDS: ReadonlyMap<string, string> = new Map([
  ...TOKENS.flatMap(([long, short]) => [[long.toUpperCase(), long] as const, [short.toUpperCase(), long] as const]),
  ...ALIASES.map(([alias, long]) => [alias.toUpperCase(), long] as const),
]);

/** The form of `long` to write: itself, or its short form in the compact encoding. */
export function tokenForm(long: string, compact: boolean): string {
  if (!compact) return long;
  const s = SHORT.get(long);
  if (s === undefined) throw new Error(`no Annex B token named ${long}`);
  return s;
}

/** The case-folded hash the decoder computes while it scans a word (see TextCursor.word). */
export function foldedHash(upper: string): number {
  let h = 0;
  for (let i = 0; i < upper.length; i++) h = (Math.imul(h, 31) + upper.charCodeAt(i)) | 0;
  return h;
}

// Open-addressing table of the upper-cased spellings by folded hash: 512 slots for ~200 spellings.
const SLOTS = 512;
const SLOT_HASH = new Int32Array(SLOTS);
const SLOT_UPPER: string[] = new Array(SLOTS).fill("");
const SLOT_LONG: string[] = new Array(SLOTS).fill("");
for (const [upper, long] of KEYWORDS) {
  const h = foldedHash(upper);
  let i = h & (SLOTS - 1);
  while (SLOT_UPPER[i] !== "") i = (i + 1) & (SLOTS - 1);
  SLOT_HASH[i] = h;
  SLOT_UPPER[i] = upper;
  SLOT_LONG[i] = long;
}

/** The keyword spelled by text[start, end) whose folded hash is `hash`, without slicing or upper-casing. */
export function keywordAt(text: string, start: number, end: number, hash: number): string | undefined {
  const len = end - start;
  for (let i = hash & (SLOTS - 1); SLOT_UPPER[i] !== ""; i = (i + 1) & (SLOTS - 1)) {
    if (SLOT_HASH[i] !== hash) continue;
    const upper = SLOT_UPPER[i];
    if (upper.length !== len) continue;
    let j = 0;
    for (; j < len; j++) {
      let c = text.charCodeAt(start + j);
      if (c >= 97 && c <= 122) c -= 32;
      if (c !== upper.charCodeAt(j)) break;
    }
    if (j === len) return SLOT_LONG[i];
  }
  return undefined;
}

// Words as they were spelled → keyword or null: the decoder meets the same few spellings again and again, and a
// lookup by the word itself spares upper-casing it (the hot spot of decoding). Bounded: cleared when full.
const spelled = new Map<string, string | null>();
const LONGEST = 22; // "TransactionResponseAck"

/** The keyword a word spells, if any (case-insensitive). */
export function keywordOf(word: string): string | undefined {
  if (word.length > LONGEST) return undefined;
  const hit = spelled.get(word);
  if (hit !== undefined) return hit ?? undefined;
  const k = KEYWORDS.get(word.toUpperCase()) ?? null;
  if (spelled.size >= 4096) spelled.clear();
  spelled.set(word, k);
  return k ?? undefined;
}

// Parameter NAMEs that mean a keyword in event / signal / observed-event parameter lists, so "ST=1" there is a
// stream, never a parameter named ST (Annex B lists eventStream before eventOther; megaco scans them as tokens).
export const EVENT_PARAMETER_KEYWORDS: ReadonlySet<string> = new Set([
  "Stream",
  "KeepActive",
  "DigitMap",
  "Embed",
  "ImmediateNotify",
  "NeverNotify",
  "RegulatedNotify",
  "ResetEventsDescriptor",
]);
export const SIGNAL_PARAMETER_KEYWORDS: ReadonlySet<string> = new Set([
  "Stream",
  "SignalType",
  "Duration",
  "NotifyCompletion",
  "KeepActive",
  "SPADirection",
  "SPARequestID",
  "Intersignal",
]);
export const OBSERVED_PARAMETER_KEYWORDS: ReadonlySet<string> = new Set(["Stream"]);
