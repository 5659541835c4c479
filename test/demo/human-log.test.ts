// The demo's node logs are read by a person: a pino record becomes "level: message" with its fields beneath.
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { humanLogLine, humanLogStream } from "../../src/demo/human-log.ts";

describe("the demo's human log lines", () => {
  it("turns a node's JSON error record into its message and fields, a list one entry per line", () => {
    const written: string[] = [];
    const logger = pino(
      { level: "error" },
      humanLogStream((t) => written.push(t)),
    );
    logger.error({ source: "start", errors: ["rules/a.rules.json:1:2 (/x): expected y"] }, "rules rejected");
    logger.info("not shown");
    expect(written).toEqual([
      "error: rules rejected\n  source: start\n  errors:\n    rules/a.rules.json:1:2 (/x): expected y\n",
    ]);
  });

  it("passes a line that is not JSON through unchanged", () => {
    expect(humanLogLine("plain words\n")).toBe("plain words");
  });
});
