// The store URL: one server, a Sentinel-monitored master, a Cluster; write acknowledgements; a bad URL is an error
// naming what was expected, with the password never shown.
import { describe, expect, it } from "vitest";
import { serveConfig } from "../../src/cli/serve-command.ts";
import { ConfigError } from "../../src/config/node-config.ts";
import { parseStoreUrl, StoreUrlError } from "../../src/store/redis-connection.ts";

describe("store URLs", () => {
  it("one server: the URL as ioredis reads it, wait=N and waitTimeout taken out of it", () => {
    expect(parseStoreUrl("redis://127.0.0.1:6379/2")).toEqual({
      kind: "server",
      url: "redis://127.0.0.1:6379/2",
      endpoints: [],
    });
    expect(parseStoreUrl("redis://127.0.0.1:6379/2?wait=1")).toMatchObject({
      url: "redis://127.0.0.1:6379/2",
      acks: { replicas: 1, timeoutMs: 1000 },
    });
    // ioredis's own options in the query stay.
    expect(parseStoreUrl("redis://127.0.0.1:6379/2?family=4&wait=2&waitTimeout=50")).toMatchObject({
      url: "redis://127.0.0.1:6379/2?family=4",
      acks: { replicas: 2, timeoutMs: 50 },
    });
  });

  it("Sentinel: the sentinels, the master's name, the database, credentials and write acknowledgements", () => {
    expect(
      parseStoreUrl("redis-sentinel://app:s%40cret@10.0.0.1:26379,[::1]:26380/mymaster?db=3&wait=1&waitTimeout=250"),
    ).toEqual({
      kind: "sentinel",
      endpoints: [
        { host: "10.0.0.1", port: 26379 },
        { host: "::1", port: 26380 },
      ],
      master: "mymaster",
      db: 3,
      username: "app",
      password: "s@cret",
      acks: { replicas: 1, timeoutMs: 250 },
    });
  });

  it("Cluster: the seed nodes; a password alone", () => {
    expect(parseStoreUrl("redis-cluster://:pw@127.0.0.1:7000,127.0.0.1:7001")).toEqual({
      kind: "cluster",
      endpoints: [
        { host: "127.0.0.1", port: 7000 },
        { host: "127.0.0.1", port: 7001 },
      ],
      password: "pw",
    });
  });

  it.each([
    ["redis-sentinel://127.0.0.1:26379", /names the monitored master/],
    ["redis-sentinel://127.0.0.1/mymaster", /"127.0.0.1" is not HOST:PORT/],
    ["redis-cluster://127.0.0.1:7000/0", /no database number or master name/],
    ["redis-sentinel://127.0.0.1:26379/m?db=x", /db must be an integer ≥ 0, got "x"/],
    ["redis-cluster://127.0.0.1:7000?replicas=1", /unknown parameter "replicas" \(expected wait, waitTimeout\)/],
    ["redis://127.0.0.1:6379?waitTimeout=5", /waitTimeout needs wait=N/],
    ["redis+cluster://127.0.0.1:7000", /expected redis:\/\/HOST:PORT/],
  ])("rejects %s, saying what was expected", (url, message) => {
    expect(() => parseStoreUrl(url)).toThrow(StoreUrlError);
    expect(() => parseStoreUrl(url)).toThrow(message);
  });

  it("never shows the password in an error", () => {
    expect(() => parseStoreUrl("redis-sentinel://app:topsecret@127.0.0.1:1")).toThrow(
      'store "redis-sentinel://app:***@127.0.0.1:1"',
    );
  });

  it("serve refuses a bad store URL before starting, naming the flag", () => {
    const serve = (store: string) => () => serveConfig({ role: "scscf", sip: ["udp://127.0.0.1:5060"], store });
    expect(serve("redis-cluster://127.0.0.1:7000,127.0.0.1:7001")).not.toThrow();
    expect(serve("redis-sentinel://127.0.0.1:26379")).toThrow(ConfigError);
    expect(serve("redis-sentinel://127.0.0.1:26379")).toThrow(
      /^--store: store "redis-sentinel:\/\/127.0.0.1:26379": a Sentinel URL names the monitored master/,
    );
    expect(serve("redis+cluster://127.0.0.1:7000")).toThrow(/\(\/store\): expected a string/);
  });
});
