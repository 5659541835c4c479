// `cleardown h248 check FILE…`: each H.248 text message (Annex B.2) accepted or rejected with line:column and what
// was expected there (the reference grammar's explanation). Exit status 1 if any file was rejected or unreadable;
// --json prints the decoded structure (src/h248/model.ts) of each message.
import { readFile } from "node:fs/promises";
import { tryDecodeMessage } from "../h248/decode-message.ts";
import { decodeWithGrammar } from "../h248/grammar-reference.ts";
import type { Message } from "../h248/model.ts";

interface Checked {
  file: string;
  accepted: boolean;
  error?: { line: number; column: number; found: string; expected: string[]; grammarExpected?: string[] };
  message?: Message;
  problem?: string;
}

function summary(m: Message): string {
  if (m.body.kind === "error") return `MEGACO/${m.version}, Error ${m.body.error.code}`;
  const parts = m.body.transactions.map((t): string => {
    switch (t.kind) {
      case "request":
        return `Transaction ${t.transactionId} (${t.actions.flatMap((a) => a.commands.map((c) => c.command)).join(", ")})`;
      case "reply":
        return `Reply ${t.transactionId}${t.error ? ` (Error ${t.error.code})` : ""}`;
      case "pending":
        return `Pending ${t.transactionId}`;
      case "responseAck":
        return "TransactionResponseAck";
      default:
        return `Segment ${t.transactionId}/${t.segmentNumber}`;
    }
  });
  return `MEGACO/${m.version}, ${parts.join("; ")}`;
}

async function checkFile(file: string): Promise<Checked> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    return { file, accepted: false, problem: `cannot read: ${(e as Error).message}` };
  }
  const fast = tryDecodeMessage(text);
  if (fast.ok) return { file, accepted: true, message: fast.message };
  const e = fast.error;
  const reference = decodeWithGrammar(text);
  const error: Checked["error"] = { line: e.line, column: e.column, found: e.found, expected: e.expected };
  if (!reference.ok) error.grammarExpected = reference.fault.expected;
  return { file, accepted: false, error };
}

export async function h248Check(
  files: string[],
  opts: { json: boolean },
): Promise<{ exitCode: number; output: string }> {
  if (files.length === 0) return { exitCode: 2, output: "usage: cleardown h248 check [--json] FILE…\n" };
  const results: Checked[] = [];
  for (const f of files) results.push(await checkFile(f));
  const exitCode = results.every((r) => r.accepted) ? 0 : 1;
  if (opts.json) return { exitCode, output: `${JSON.stringify(results, null, 2)}\n` };
  const lines = results.map((r) => {
    if (r.accepted && r.message) return `${r.file}: accepted: ${summary(r.message)}`;
    if (r.problem) return `${r.file}: rejected: ${r.problem}`;
    const e = r.error!;
    const why = `found ${e.found}, expected ${e.expected.join(" or ")}`;
    const grammar = e.grammarExpected?.length ? ` (Annex B grammar expects: ${e.grammarExpected.join("; ")})` : "";
    return `${r.file}:${e.line}:${e.column}: rejected: ${why}${grammar}`;
  });
  return { exitCode, output: `${lines.join("\n")}\n` };
}
