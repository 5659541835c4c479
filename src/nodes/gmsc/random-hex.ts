// Tags and Call-IDs of the GMSC's legs: cryptographically random (RFC 3261 §19.3: at least 32 bits of randomness),
// taken from a pool of random octets filled 4 KiB at a time, so a call pays for no random draw of its own (three
// per call set-up otherwise, each a call into the CSPRNG and a buffer).
import { randomFillSync } from "node:crypto";

const pool = Buffer.alloc(4096);
let used = pool.length;

/** `octets` random octets in hex; no octet is handed out twice. */
export function randomHex(octets: number): string {
  if (octets > pool.length) throw new RangeError(`randomHex: at most ${pool.length} octets`);
  if (used + octets > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const hex = pool.toString("hex", used, used + octets);
  used += octets;
  return hex;
}
