// The start-up warning's decision: the kernel's reported buffer size read back in the units asked for (Linux
// reports twice what it set), and a buffer short only when granted less than asked.
import { describe, expect, it } from "vitest";
import { grantedBytes, shortBuffers } from "../../src/metrics/udp-buffer-grant.ts";

describe("UDP buffers granted against asked", () => {
  it("halves what Linux reports (socket(7): it doubles the size it sets), takes other kernels' figure as it is", () => {
    expect(grantedBytes(425_984, "linux")).toBe(212_992);
    expect(grantedBytes(16_777_216, "linux")).toBe(8_388_608);
    expect(grantedBytes(212_992, "darwin")).toBe(212_992);
  });

  it("names each direction granted less than asked, with both sizes", () => {
    expect(shortBuffers(8_388_608, { receive: 212_992, send: 8_388_608 })).toEqual([
      { direction: "receive", asked: 8_388_608, granted: 212_992 },
    ]);
    expect(shortBuffers(4_194_304, { receive: 212_992, send: 212_992 }).map((b) => b.direction)).toEqual([
      "receive",
      "send",
    ]);
  });

  it("finds nothing short when the kernel granted what was asked, or more (its minimum above a small ask)", () => {
    expect(shortBuffers(8_388_608, { receive: 8_388_608, send: 8_388_608 })).toEqual([]);
    expect(shortBuffers(1000, { receive: 2304, send: 4608 })).toEqual([]);
  });
});
