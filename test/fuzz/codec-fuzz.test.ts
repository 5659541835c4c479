// Fuzzing both codecs with 20 000 mutated and generated messages (test/fuzz/fuzz-run.ts; the benchmark runs a
// million): no exception escapes parseMessage, the stream framer, bad-request.ts or tryDecodeMessage; what is
// accepted round-trips; every 400 formed is valid SIP. Plus an operation count showing that stream framing and
// host scanning read each octet a bounded number of times (speed itself is the benchmark's, never asserted).
import { beforeAll, describe, expect, it, vi } from "vitest";
import { parseMessage } from "../../src/sip/messages/parse-message.ts";
import { StreamFramer } from "../../src/sip/transport/stream-framer.ts";
import { longSipHeaders, sipWithLongHeader } from "./fuzz-inputs.ts";
import { type CodecStats, describeFailure, fuzzCodecs } from "./fuzz-run.ts";

function expectClean(s: CodecStats): void {
  const failures = s.failures.map(describeFailure).join("\n");
  expect({ exceptions: s.exceptions, violations: s.violations, failures }).toEqual({
    exceptions: 0,
    violations: 0,
    failures: "",
  });
}

describe("codec fuzzing (fast-check plans over the corpora and generated messages)", () => {
  let sip: CodecStats;
  let h248: CodecStats;
  beforeAll(() => {
    ({ sip, h248 } = fuzzCodecs(20_000, 4475));
  }, 60_000);

  it("SIP: 10 000 messages, nothing escapes, the properties hold, both outcomes are reached", () => {
    expect(sip.messages).toBe(10_000);
    expectClean(sip);
    expect(sip.accepted).toBeGreaterThan(300);
    expect(sip.rejected).toBeGreaterThan(5000);
  });

  it("H.248: 10 000 messages, nothing escapes, what decodes re-encodes to itself", () => {
    expect(h248.messages).toBe(10_000);
    expectClean(h248);
    expect(h248.accepted).toBeGreaterThan(300);
    expect(h248.rejected).toBeGreaterThan(5000);
  });
});

type Method = (this: never, ...args: never[]) => unknown;
type Cost = (self: never, args: never[], result: never) => number;

/**
 * Runs `f` with each named method of `proto` wrapped to add `cost(receiver, args, result)` to a count, and returns
 * the count: how much searching or copying a piece of code does, whatever the machine's speed.
 */
function work(proto: object, costs: Record<string, Cost>, f: () => void): number {
  let total = 0;
  const methods = proto as Record<string, Method>;
  const spies = Object.entries(costs).map(([name, cost]) => {
    const original = methods[name];
    return vi.spyOn(methods, name).mockImplementation(function (this: never, ...args) {
      const result = original.apply(this, args) as never;
      total += cost(this, args, result);
      return result;
    });
  });
  try {
    f();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return total;
}

// what a search from `from` read: up to what it found, or to the end
const searched = (length: number, from: unknown, found: number) =>
  (found === -1 ? length : found) - (typeof from === "number" ? from : 0);

describe("work grows linearly with the input (operation counts, not time)", () => {
  it("a 60 KiB head arriving 64 octets at a time is searched and copied a bounded number of times", () => {
    const bytes = sipWithLongHeader(longSipHeaders["extension value"](60 * 1024));
    const framer = new StreamFramer();
    const frames: unknown[] = [];
    const octets = work(
      Buffer.prototype,
      {
        indexOf: (self: Buffer, args: unknown[], found: number) => searched(self.length, args[1], found),
        copy: (_self: Buffer, _args: unknown[], copied: number) => copied,
      },
      () => {
        for (let at = 0; at < bytes.length; at += 64) frames.push(...framer.push(bytes.subarray(at, at + 64)));
      },
    );
    expect(frames).toHaveLength(1);
    expect(octets).toBeLessThan(6 * bytes.length);
  });

  it("250 Contact lines with IPv6 hosts and no dot: string searches stay within each value", () => {
    const line = "m\t:sip:%41:9x&@[1:2:3:4:5:6:7:8]:14533 \r\n";
    const head = Buffer.from(`BYE sip:a@b SIP/2.0\r\nCall-ID: c\r\n${line.repeat(250)}\r\n`);
    let ok = false;
    const characters = work(
      String.prototype,
      {
        indexOf: (self: string, args: unknown[], found: number) => searched(self.length, args[1], found),
        lastIndexOf: (self: string, args: unknown[], found: number) =>
          (typeof args[1] === "number" ? args[1] : self.length) - found,
      },
      () => {
        ok = parseMessage(head).ok;
      },
    );
    expect(ok).toBe(true);
    expect(characters).toBeLessThan(4 * head.length);
  });
});
