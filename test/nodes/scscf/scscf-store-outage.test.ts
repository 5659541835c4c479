// Issue 20 item 2: health that tells the truth. A `cleardown serve` S-CSCF on a real redis-server; the Redis is
// killed (SIGKILL, by PID) and restarted on its port. While it is away: /v1/health (liveness) still answers 200,
// /v1/ready answers 503 naming the store, a new INVITE from SIPp is refused at once — 503 with Retry-After,
// statelessly, before any 100 Trying — an admin request that needs the store is answered 503 with Retry-After,
// and cleardown_store_errors_total counts the errors. Once Redis is back the node is ready again by itself and a
// call is set up and released through it with both BYEs right.
import { afterAll, describe, expect, it } from "vitest";
import { freeTcpPort, freeUdpPort } from "../../support/free-port.ts";
import { metricValue } from "../../support/metrics-text.ts";
import { type RedisPeer, startRedis } from "../../support/redis-server.ts";
import { startSipp } from "../../support/sipp.ts";
import { ALICE, BOB, bye, eventually, type Json, releaseCall, TOKEN } from "./scscf-harness.ts";
import { type ScscfProcess, startScscfProcess } from "./scscf-process.ts";

const C = "24.229:5.4.5.1.2";
let redis: RedisPeer | undefined;
let node: ScscfProcess | undefined;
afterAll(async () => {
  await node?.stop();
  await redis?.stop();
});

/** An admin request with its response headers (Retry-After). */
async function adminWithHeaders(n: ScscfProcess, path: string) {
  const res = await fetch(`${n.adminUrl}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return { status: res.status, retryAfter: res.headers.get("retry-after"), body: (await res.json()) as Json };
}

describe("S-CSCF readiness and fail-fast while its Redis is away (cleardown serve, redis-server, SIPp)", () => {
  it(`${C}/3 ${C}/4 ready 503 and new INVITEs refused 503 + Retry-After during the outage; ready again and calls released after it`, async () => {
    redis = await startRedis();
    const redisPort = redis.port;
    const sipPort = await freeUdpPort();
    node = await startScscfProcess({
      name: "scscf-outage",
      sipPort,
      adminPort: await freeTcpPort(),
      store: `${redis.url}/3`,
    });
    const n = node;
    expect((await adminWithHeaders(n, "/v1/ready")).status).toBe(200);

    await redis.kill();
    const notReady = await eventually(
      () => adminWithHeaders(n, "/v1/ready"),
      (r) => r.status === 503,
      "readiness 503 with Redis gone",
    );
    expect(notReady.retryAfter).toBe("5");
    expect(notReady.body).toEqual({
      status: "not ready",
      problems: [`store redis://127.0.0.1:${redisPort}/3: no connection`],
    });
    const live = await adminWithHeaders(n, "/v1/health");
    expect(live.status).toBe(200);
    expect(live.body.status).toBe("ok");

    // A new INVITE is refused before any transaction: 503 + Retry-After and nothing else (no 100 Trying).
    const refused = await startSipp({
      scenario: "scscf-ue-invite-unavailable.xml",
      local: { address: "127.0.0.1", port: await freeUdpPort() },
      remote: `127.0.0.1:${sipPort}`,
      callId: "sipp-outage-1@127.0.0.1",
      timeoutMs: 10_000,
      fill: { RETRY_AFTER: "5" },
    });
    await refused.succeeded();
    expect(refused.logs()).toMatch(/^refused 503, Retry-After\s+5$/m);
    const dialogs = await adminWithHeaders(n, "/v1/dialogs");
    expect(dialogs.status).toBe(503);
    expect(dialogs.retryAfter).toBe("5");
    expect(dialogs.body.error).toMatch(/^the store is unavailable: /);
    const during = (await n.admin("GET", "/metrics")).body as string;
    expect(metricValue(during, "cleardown_store_errors_total", { kind: "connection" })).toBeGreaterThan(0);
    expect(metricValue(during, "cleardown_requests_refused_total", { reason: "store" })).toBe(1);

    // Redis comes back on its port (empty: it kept nothing): the node reconnects by itself.
    redis = await startRedis({ port: redisPort });
    await eventually(
      () => adminWithHeaders(n, "/v1/ready"),
      (r) => r.status === 200,
      "ready again with Redis back",
    );
    expect((await adminWithHeaders(n, "/v1/dialogs")).status).toBe(200);
    const callId = "sipp-outage-2@127.0.0.1";
    await releaseCall(
      n,
      { scscf: n, served: "called", callId, fromTag: "aou", toTag: "bou", cseq: 9, calleeCseq: 70 },
      (p) => ({
        toCallee: bye(p.calleeContact, BOB, "bou", ALICE, "aou", callId, "10 BYE", null),
        toCaller: bye(p.callerContact, ALICE, "aou", BOB, "bou", callId, "71 BYE", p.callerPcscf),
      }),
      { ready: (d) => d.cseqCalledToCalling === 70 },
    );
  }, 120_000);
});
