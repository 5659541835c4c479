// The properties the fuzzer holds the H.248 codec to, for any text: what the fast-path decoder accepts encodes
// (long and compact form) to text that decodes back to the same message. Nothing may throw; a decode fault is a
// result like any other.
import { isDeepStrictEqual } from "node:util";
import { type DecodeResult, tryDecodeMessage } from "../../src/h248/decode-message.ts";
import { encodeMessage } from "../../src/h248/encode-message.ts";
import type { Message } from "../../src/h248/model.ts";
import { ACCEPTED, guarded, REJECTED, type Verdict, violation } from "./verdict.ts";

function checkAccepted(message: Message): Verdict {
  for (const compact of [false, true]) {
    const form = compact ? "compact" : "long";
    const text = guarded(`encodeMessage (${form})`, () => encodeMessage(message, { compact }));
    if ("verdict" in text) return text.verdict;
    const back = guarded(`tryDecodeMessage (${form} re-encoding)`, () => tryDecodeMessage(text.value));
    if ("verdict" in back) return back.verdict;
    if (!back.value.ok) return violation(`${form} re-encoding`, `rejected: ${back.value.error.message}`);
    if (!isDeepStrictEqual(back.value.message, message)) {
      return violation(`${form} re-encoding`, `decodes to a different message: ${JSON.stringify(text.value)}`);
    }
  }
  return ACCEPTED;
}

/** Holds the H.248 codec's properties, given what tryDecodeMessage made of the text. */
export function checkH248(result: DecodeResult): Verdict {
  return result.ok ? checkAccepted(result.message) : REJECTED;
}
