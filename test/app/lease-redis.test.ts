// Cross-instance single flight on a real store: two application instances (separate L1s, as two
// processes would have) share one redis-server; with the lease on, 1,000 concurrent cold calls
// make one token request.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisCache } from "../../adapters/redis";
import { CacheLevel } from "../../src/index";
import { faults } from "../../src/testing/index";
import { startRedisServer, type RedisServer } from "../support/redis-server";
import { builder, emulator, graph, secret, tenantA } from "./setup";

let server: RedisServer;
const clients: Redis[] = [];

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  for (const client of clients) client.disconnect();
  await server.stop();
});

function redis(): Redis {
  const client = new Redis(server.url, { lazyConnect: false, maxRetriesPerRequest: 1 });
  clients.push(client);
  return client;
}

describe("distributed lease on Redis", () => {
  it("two instances, 1,000 concurrent cold calls, one token request", async () => {
    const entra = await emulator();
    entra.injectFault(faults.delay(200));
    const prefix = `lease-test-${crypto.randomUUID()}:`;
    const instances = [0, 1].map(() =>
      builder(entra.fetch)
        .withClientSecret(secret)
        .withTenantId(tenantA)
        .withCache(redisCache(redis(), { prefix }), { lease: true })
        .build(),
    );
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        (instances[i % 2] as (typeof instances)[0]).acquireTokenForClient(graph),
      ),
    );
    expect(entra.tokenRequests()).toHaveLength(1);
    expect(new Set(results.map((r) => r.accessToken)).size).toBe(1);
    expect(
      results.some((r) => r.authenticationResultMetadata.cacheLevel === CacheLevel.L2Cache),
    ).toBe(true);
  });

  it("without the lease, each instance asks once (and only once)", async () => {
    const entra = await emulator();
    entra.injectFault(faults.delay(200));
    const prefix = `nolease-test-${crypto.randomUUID()}:`;
    const instances = [0, 1].map(() =>
      builder(entra.fetch)
        .withClientSecret(secret)
        .withTenantId(tenantA)
        .withCache(redisCache(redis(), { prefix }))
        .build(),
    );
    await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        (instances[i % 2] as (typeof instances)[0]).acquireTokenForClient(graph),
      ),
    );
    expect(entra.tokenRequests()).toHaveLength(2);
  });
});
