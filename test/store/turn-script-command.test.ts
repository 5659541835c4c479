// The turn script's bytes, written straight into a buffer, are the bytes the Redis client itself would send for
// the same command: EVAL with the script's text on a connection's first use, EVALSHA after.
import { Command } from "ioredis";
import { describe, expect, it } from "vitest";
import { LuaScript, TurnScriptCommand } from "../../src/store/turn-script-command.ts";

const lua = "return #KEYS";
const keys = ["cleardown:dialog:{a@x}", "cleardown:registration:{sip:zoë@example.net}"];
// Empty arguments, digits that roll over (9/10, 99/100), two- to four-byte UTF-8.
const argv = ["=+", "", '{"v":"Zoë 日本 🎉"}', "60000", "?=", "x".repeat(9), "y".repeat(10), "z".repeat(100)];

const clientBytes = (name: string, first: string) => {
  const c = new Command(name, [first, keys.length, ...keys, ...argv]);
  const w = c.toWritable({});
  return typeof w === "string" ? Buffer.from(w, "utf8") : w;
};

describe("turn script command", () => {
  it("writes EVAL with the script's text on a socket's first use, then EVALSHA: the client's own bytes", () => {
    const script = new LuaScript(lua);
    const socket = {};
    const first = new TurnScriptCommand(script, keys, argv).toWritable(socket);
    expect(first.equals(clientBytes("eval", lua))).toBe(true);
    const next = new TurnScriptCommand(script, keys, argv).toWritable(socket);
    expect(next.equals(clientBytes("evalsha", script.sha))).toBe(true);
    expect(script.sha).toMatch(/^[0-9a-f]{40}$/);
    // Another connection has not run it.
    expect(new TurnScriptCommand(script, keys, argv).toWritable({}).equals(first)).toBe(true);
  });

  it("writes a script of a busy turn (more arguments than its length table held) as the client would", () => {
    const script = new LuaScript(lua);
    const manyKeys = Array.from({ length: 400 }, (_, i) => `cleardown:call:{${i}-zoë@x}`);
    const manyArgv = manyKeys.flatMap((_, i) => ["^+", `{"stamp":"s.${i}"`, `{"v":"日本 ${i}"}`, String(i * 1000)]);
    const client = new Command("eval", [lua, manyKeys.length, ...manyKeys, ...manyArgv]).toWritable({});
    const bytes = new TurnScriptCommand(script, manyKeys, manyArgv).toWritable({});
    expect(bytes.equals(typeof client === "string" ? Buffer.from(client, "utf8") : client)).toBe(true);
    // And a small one after it, with the table grown.
    expect(new TurnScriptCommand(script, keys, argv).toWritable({}).equals(clientBytes("eval", lua))).toBe(true);
  });

  it("carries the text again on a socket that answered NOSCRIPT", () => {
    const script = new LuaScript(lua);
    const socket = {};
    const c = new TurnScriptCommand(script, keys, argv);
    c.toWritable(socket);
    expect(c.socket).toBe(socket);
    script.forget(c.socket);
    expect(new TurnScriptCommand(script, keys, argv).toWritable(socket).equals(clientBytes("eval", lua))).toBe(true);
  });
});
