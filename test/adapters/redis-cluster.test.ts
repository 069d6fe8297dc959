// The Redis adapter on a real 3-master Redis Cluster, through ioredis `Cluster` and node-redis
// `createCluster`: the conformance suite on both, keys spread over the masters, an L2 hit for a
// second application, and the lease across 20 cold instances (one token request).
import { Cluster, Redis } from "ioredis";
import { createCluster, type RedisClusterType } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisCache, type RedisClientLike } from "../../adapters/redis";
import { CacheLevel } from "../../src/index";
import { faults } from "../../src/testing/index";
import { builder, emulator, graph, secret, tenantA } from "../app/setup";
import { startRedisCluster, type RedisCluster } from "../support/redis-cluster";
import { testCacheAdapter, uniqueKey } from "./conformance";
import { expectOneLeasedToken, redisCapabilities, redisHarness } from "./redis-harness";

let cluster: RedisCluster;
/** Every client this file opened, closed in `afterAll`. */
const ioClients: Cluster[] = [];
const nodeClients: RedisClusterType[] = [];
let io: Cluster;
let nodeRedis: RedisClusterType;

function ioCluster(): Cluster {
  const client = new Cluster([...cluster.nodes], {
    redisOptions: { maxRetriesPerRequest: 1, connectTimeout: 2000 },
  });
  client.on("error", () => {}); // errors surface through the rejected commands
  ioClients.push(client);
  return client;
}

async function nodeRedisCluster(): Promise<RedisClusterType> {
  const client = createCluster({
    rootNodes: cluster.urls.map((url) => ({ url })),
    defaults: { socket: { connectTimeout: 2000, reconnectStrategy: false } },
  });
  client.on("error", () => {});
  nodeClients.push(client);
  await client.connect();
  return client;
}

beforeAll(async () => {
  cluster = await startRedisCluster();
  io = ioCluster();
  nodeRedis = await nodeRedisCluster();
}, 30_000);

afterAll(async () => {
  for (const client of ioClients) client.disconnect();
  await Promise.all(nodeClients.map((client) => client.close().catch(() => {})));
  await cluster?.stop();
});

/** The number of keys under `prefix` on each master, read on the masters themselves. */
async function keysPerMaster(prefix: string): Promise<number[]> {
  return Promise.all(
    cluster.nodes.map(async ({ port }) => {
      const node = new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 1 });
      try {
        return (await node.keys(`${prefix}*`)).length;
      } finally {
        node.disconnect();
      }
    }),
  );
}

testCacheAdapter({
  name: "redis cluster (ioredis Cluster)",
  capabilities: redisCapabilities,
  create: redisHarness(
    () => io,
    (key) => io.pttl(key),
  ),
  additionalTests() {
    it("writes through call(), readable through the node-redis cluster", async () => {
      const key = uniqueKey("cross");
      await redisCache(io, { prefix: "x:" }).set(key, "from-ioredis", 5);
      expect(await nodeRedis.get(`x:${key}`)).toBe("from-ioredis");
    });
  },
});

testCacheAdapter({
  name: "redis cluster (node-redis createCluster)",
  capabilities: redisCapabilities,
  create: redisHarness(
    () => nodeRedis,
    (key) => nodeRedis.pTTL(key),
  ),
  additionalTests() {
    it("routes SET … NX PX and EVAL by key, readable through the ioredis cluster", async () => {
      const cache = redisCache(nodeRedis, { prefix: "y:" });
      const keys = Array.from({ length: 12 }, (_, i) => uniqueKey(`route-${i}`));
      for (const key of keys) expect(await cache.setIfAbsent(key, "lease", 3000)).toBe(true);
      for (const key of keys) expect(await io.get(`y:${key}`)).toBe("lease");
      for (const key of keys)
        expect(await cache.setIfEquals(key, "lease", "renewed", 3000)).toBe(true);
      for (const key of keys) expect(await cache.deleteIfEquals(key, "renewed")).toBe(true);
      for (const key of keys) expect(await io.exists(`y:${key}`)).toBe(0);
    });
  },
});

describe("token cache on a Redis Cluster", () => {
  it("tokens of many tenants land on more than one master (no global hash tag)", async () => {
    const tenants = Array.from(
      { length: 24 },
      (_, i) => `${(i + 1).toString(16).padStart(8, "0")}-0000-4000-8000-000000000000`,
    );
    const entra = await emulator({ tenants });
    const prefix = `spread-${crypto.randomUUID()}:`;
    for (const client of [io, nodeRedis] as RedisClientLike[]) {
      const app = builder(entra.fetch)
        .withClientSecret(secret)
        .withCache(
          redisCache(client, {
            prefix: `${prefix}${ioClients.includes(client as Cluster) ? "io" : "node"}:`,
          }),
        )
        .build();
      for (const tenant of tenants) await app.acquireTokenForClient(graph).withTenantId(tenant);
    }
    for (const label of ["io", "node"]) {
      const counts = await keysPerMaster(`${prefix}${label}:`);
      expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(tenants.length);
      expect(counts.filter((count) => count > 0).length).toBeGreaterThan(1);
    }
  });

  it("a second application (own L1) gets an L2 hit through the cluster", async () => {
    const entra = await emulator();
    const prefix = `l2-${crypto.randomUUID()}:`;
    const app = (client: RedisClientLike) =>
      builder(entra.fetch)
        .withClientSecret(secret)
        .withTenantId(tenantA)
        .withCache(redisCache(client, { prefix }))
        .build();
    const first = await app(ioCluster()).acquireTokenForClient(graph);
    const second = await app(await nodeRedisCluster()).acquireTokenForClient(graph);
    expect(entra.tokenRequests()).toHaveLength(1);
    expect(second.accessToken).toBe(first.accessToken);
    expect(second.authenticationResultMetadata.cacheLevel).toBe(CacheLevel.L2Cache);
  });

  it("20 cold instances with the lease make exactly one token request", async () => {
    const entra = await emulator();
    entra.injectFault(faults.delay(200));
    const prefix = `lease-${crypto.randomUUID()}:`;
    // Separate applications, each with its own L1 and its own cluster client, half of each kind.
    const clients: RedisClientLike[] = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? ioCluster() : nodeRedisCluster())),
    );
    const instances = clients.map((client) =>
      builder(entra.fetch)
        .withClientSecret(secret)
        .withTenantId(tenantA)
        .withCache(redisCache(client, { prefix }), { lease: true })
        .build(),
    );
    const results = await Promise.all(instances.map((app) => app.acquireTokenForClient(graph)));
    expectOneLeasedToken(entra, results);
    expect((await keysPerMaster(`${prefix}lease`)).every((count) => count === 0)).toBe(true);
  });
});
