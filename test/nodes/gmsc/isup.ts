// Encapsulated ISUP (ITU-T Q.763) messages the SIPp peers carry in their SIP-I bodies (application/isup,
// RFC 3204), written to files SIPp inserts with [file name=…]. Octets 0x0A and 0x0D never occur in them, so
// SIPp's line-ending handling cannot touch them; NUL does (a real REL has one), which is why the wire is checked
// at a UDP tap and not in SIPp's message log.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const isup = {
  /** IAM: nature of connection 00, forward call indicators 60 01, category 0b, TMR 03 (3.1 kHz), called 4917325. */
  IAM: Buffer.from([0x01, 0x00, 0x60, 0x01, 0x0b, 0x03, 0x02, 0x00, 0x06, 0x83, 0x90, 0x94, 0x71, 0x23, 0x05]),
  /** ACM: backward call indicators 16 14, no optional part. */
  ACM: Buffer.from([0x06, 0x16, 0x14, 0x00]),
  /** ANM: no optional part. */
  ANM: Buffer.from([0x09, 0x00]),
  /** REL: cause 16 normal call clearing (ITU-T coding, user location). */
  REL: Buffer.from([0x0c, 0x02, 0x00, 0x02, 0x80, 0x90]),
  /** REL: cause 17 user busy (the 486's). */
  REL_BUSY: Buffer.from([0x0c, 0x02, 0x00, 0x02, 0x80, 0x91]),
  /** RLC: no optional part. */
  RLC: Buffer.from([0x10, 0x00]),
} as const;

export type IsupName = keyof typeof isup;

/** Writes every message to a temp dir; returns the placeholders (ISUP_IAM, …) with the file paths. */
export function isupFiles(): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), "cleardown-isup-"));
  const out: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(isup)) {
    const file = join(dir, `${name}.bin`);
    writeFileSync(file, bytes);
    out[`ISUP_${name}`] = file;
  }
  return out;
}

/** A single-part body as SIPp sends it: the file's octets and the CRLF SIPp ends every body with (in its length). */
export const sippBody = (message: Buffer) => Buffer.concat([message, Buffer.from("\r\n")]);
