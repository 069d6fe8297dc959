// Cross-instance single flight on a real store: application instances (separate L1s, as separate
// processes would have) share one redis-server; with the lease on, 1,000 concurrent cold calls
// make one token request, and 8 instances against a provider slower than the lease make one
// (the holder renews its lease with a Lua compare-and-set), or at most one per lease period
// where renewal is not possible; a lease is released by its holder only.
import { Redis } from "ioredis";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisCache, type RedisClientLike } from "../../adapters/redis";
import type { CacheAdapter } from "../../src/index";
import { faults } from "../../src/testing/index";
import { expectOneLeasedToken } from "../adapters/redis-harness";
import { startRedisServer, type RedisServer } from "../support/redis-server";
import { builder, emulator, graph, secret, tenantA } from "./setup";

let server: RedisServer;
const clients: Redis[] = [];
let nodeRedis: ReturnType<typeof createClient>;

beforeAll(async () => {
  server = await startRedisServer();
  nodeRedis = createClient({ url: server.url, socket: { reconnectStrategy: false } });
  nodeRedis.on("error", () => {});
  await nodeRedis.connect();
});

afterAll(async () => {
  for (const client of clients) client.disconnect();
  await nodeRedis?.close();
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
    expectOneLeasedToken(entra, results);
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

describe("distributed lease on Redis with a slow identity provider", () => {
  /** 8 instances over one prefix, half through ioredis and half through node-redis. */
  function instances(prefix: string, adapt: (cache: CacheAdapter) => CacheAdapter = (c) => c) {
    return Array.from({ length: 8 }, (_, i) => {
      const client: RedisClientLike = i % 2 === 0 ? redis() : nodeRedis;
      return builder(entraFetch)
        .withClientSecret(secret)
        .withTenantId(tenantA)
        .withCache(adapt(redisCache(client, { prefix })), { lease: { ttlMs: 300 } })
        .build();
    });
  }
  let entraFetch: typeof fetch;

  it("8 instances, a 300 ms lease, answers in 700 ms: one token request, and the lease released", async () => {
    const entra = await emulator();
    entraFetch = entra.fetch;
    entra.injectFault(faults.delay(700, { times: Infinity, match: { kind: "token" } }));
    const prefix = `slow-lease-${crypto.randomUUID()}:`;
    const results = await Promise.all(
      instances(prefix).map((app) => app.acquireTokenForClient(graph)),
    );
    expect(entra.tokenRequests()).toHaveLength(1);
    expect(new Set(results.map((r) => r.accessToken)).size).toBe(1);
    expect(await redis().keys(`${prefix}lease3:*`)).toEqual([]);
  });

  it("where the lease cannot be renewed: at most one token request per lease period", async () => {
    const entra = await emulator();
    entraFetch = entra.fetch;
    entra.injectFault(faults.delay(700, { times: Infinity, match: { kind: "token" } }));
    const prefix = `slow-lease-norenew-${crypto.randomUUID()}:`;
    const withoutRenewal = (cache: CacheAdapter): CacheAdapter => ({
      name: "redis-without-renewal",
      get: (key) => cache.get(key),
      set: (key, value, ttl) => cache.set(key, value, ttl),
      delete: (key) => cache.delete(key),
      setIfAbsent: (key, value, ttlMs) => cache.setIfAbsent!(key, value, ttlMs),
      deleteIfEquals: (key, expected) => cache.deleteIfEquals!(key, expected),
    });
    await Promise.all(
      instances(prefix, withoutRenewal).map((app) => app.acquireTokenForClient(graph)),
    );
    expect(entra.tokenRequests().length).toBeLessThanOrEqual(Math.ceil(700 / 300));
  });

  it("a holder does not release another holder's lease", async () => {
    const prefix = `lease-owner-${crypto.randomUUID()}:`;
    const one = redisCache(redis(), { prefix });
    const two = redisCache(nodeRedis, { prefix });
    expect(await one.setIfAbsent("lease3:x", "holder-1", 200)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await two.setIfAbsent("lease3:x", "holder-2", 10_000)).toBe(true);
    expect(await one.deleteIfEquals("lease3:x", "holder-1")).toBe(false);
    expect(await one.setIfEquals("lease3:x", "holder-1", "holder-1b", 10_000)).toBe(false);
    expect(await two.get("lease3:x")).toBe("holder-2");
    expect(await two.deleteIfEquals("lease3:x", "holder-2")).toBe(true);
  });
});
