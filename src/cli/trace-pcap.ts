// `cleardown trace --pcap FILE CALL-ID`: the call's messages, with their text and the addresses they crossed, from
// the node's trace, written as a pcap file for Wireshark or tshark.
import { writeFileSync } from "node:fs";
import { capturable, pcapFile } from "../trace/pcap.ts";
import type { TraceEntryView } from "../trace/trace-view.ts";
import type { AdminClient } from "./admin-client.ts";
import { CliError, exitCodes, type Result } from "./command-line.ts";

export async function writeTracePcap(client: AdminClient, callId: string, file: string): Promise<Result> {
  const { entries } = await client.json<{ entries: TraceEntryView[] }>(
    "GET",
    `/v1/calls/${encodeURIComponent(callId)}/trace?format=json&raw=1`,
  );
  const messages = capturable(entries);
  if (messages.length === 0)
    throw new CliError(
      `the node kept no message text for ${callId} (it is older than the node's traces.messageCalls most recent calls, or that is 0)`,
      exitCodes.failure,
    );
  try {
    writeFileSync(file, pcapFile(messages));
  } catch (err) {
    throw new CliError(`cannot write ${file}: ${(err as Error).message}`, exitCodes.failure);
  }
  const left = entries.length - messages.length;
  return {
    exitCode: 0,
    output: `wrote ${messages.length} messages of ${callId} to ${file}${left ? ` (${left} without their text)` : ""}`,
  };
}
