// `cleardown sip check FILE…`: for each captured message, accepted or rejected and why (line:column, header).
// A syntax rejection is also explained by the reference grammar (what it expected where). Exit status 1 if any
// message was rejected; --json gives the parsed structure.

import { isUtf8 } from "node:buffer";
import { readFile } from "node:fs/promises";
import { describeFault as describeGrammarFault } from "../grammar/run-grammar.ts";
import { parseHeadWithGrammar } from "../sip/messages/grammar-reference.ts";
import type { SipMessage } from "../sip/messages/message.ts";
import { parseMessage } from "../sip/messages/parse-message.ts";
import { startLineText } from "../sip/messages/serialize-message.ts";
import { describeFault, type SipFault } from "../sip/messages/sip-fault.ts";

interface Checked {
  file: string;
  accepted: boolean;
  fault?: SipFault;
  grammar?: string;
  message?: unknown;
}

function jsonMessage(m: SipMessage, ignoredBytes: number) {
  const body = Buffer.from(m.body);
  return {
    startLine: startLineText(m),
    ...(m.kind === "request" ? { method: m.method, uri: m.uri } : { status: m.status, reason: m.reason }),
    version: m.version,
    headers: m.headers.map((h) => (h.parsed === undefined ? { name: h.name, value: h.value } : h)),
    body: isUtf8(body)
      ? { encoding: "utf8", text: body.toString("utf8") }
      : { encoding: "base64", text: body.toString("base64") },
    ignoredBytes,
  };
}

async function checkFile(file: string): Promise<Checked> {
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (e) {
    const fault: SipFault = {
      layer: "framing",
      line: 0,
      column: 0,
      message: `cannot read: ${(e as Error).message}`,
      status: 400,
    };
    return { file, accepted: false, fault };
  }
  const r = parseMessage(raw);
  if (r.ok) return { file, accepted: true, message: jsonMessage(r.message, r.ignoredBytes) };
  const out: Checked = { file, accepted: false, fault: r.fault };
  if (r.fault.layer === "syntax") {
    const end = raw.indexOf("\r\n\r\n");
    if (end !== -1) {
      const g = parseHeadWithGrammar(raw.toString("utf8", 0, end + 4));
      if (!g.ok) out.grammar = describeGrammarFault(g.fault);
    }
  }
  return out;
}

export async function sipCheck(
  files: string[],
  opts: { json: boolean },
): Promise<{ exitCode: number; output: string }> {
  const results: Checked[] = [];
  for (const f of files) results.push(await checkFile(f));
  const exitCode = results.every((r) => r.accepted) ? 0 : 1;
  if (opts.json) return { exitCode, output: `${JSON.stringify(results, null, 2)}\n` };
  const lines: string[] = [];
  for (const r of results) {
    if (r.accepted) {
      const m = r.message as { startLine: string; headers: unknown[]; body: { text: string } };
      lines.push(`${r.file}: accepted: ${m.startLine} (${m.headers.length} header fields)`);
    } else {
      lines.push(`${r.file}: rejected (${r.fault!.layer}): ${r.file}:${describeFault(r.fault!)}`);
      if (r.grammar) lines.push(`  RFC 3261 grammar: ${r.file}:${r.grammar}`);
    }
  }
  return { exitCode, output: `${lines.join("\n")}\n` };
}
