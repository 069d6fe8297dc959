import { Redis } from "ioredis";
import { createClient } from "redis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { redisCache, type RedisClientLike } from "../../adapters/redis";
import { startRedisServer, type RedisServer } from "../support/redis-server";
import { testCacheAdapter, uniqueKey } from "./conformance";
import { redisCapabilities, redisHarness } from "./redis-harness";

/** One real redis-server for this file, two real clients on it. */
let server: RedisServer;
let io: Redis;
let nodeRedis: ReturnType<typeof createClient>;

beforeAll(async () => {
  server = await startRedisServer();
  io = new Redis(server.url, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
  nodeRedis = createClient({
    url: server.url,
    socket: { connectTimeout: 2000, reconnectStrategy: false },
  });
  nodeRedis.on("error", () => {}); // errors surface through the rejected commands
  await nodeRedis.connect();
});

afterAll(async () => {
  io?.disconnect();
  await nodeRedis?.close();
  await server?.stop();
});

testCacheAdapter({
  name: "redis (ioredis)",
  capabilities: redisCapabilities,
  create: redisHarness(
    () => io,
    (key) => io.pttl(key),
  ),
  additionalTests() {
    it("writes SET … PX through call(), visible to another client", async () => {
      const key = uniqueKey("cross");
      await redisCache(io, { prefix: "x:" }).set(key, "from-ioredis", 5);
      expect(await nodeRedis.get(`x:${key}`)).toBe("from-ioredis");
      const ttl = await nodeRedis.pTTL(`x:${key}`);
      expect(ttl).toBeGreaterThan(4000);
      expect(ttl).toBeLessThanOrEqual(5000);
    });

    it("decodes a Buffer reply (a client configured to return buffers)", async () => {
      const key = uniqueKey("buffer");
      await redisCache(io).set(key, "€ value", 60);
      const buffers: RedisClientLike = {
        call: (command, ...args) => io.callBuffer(command, ...args) as Promise<unknown>,
      };
      expect(await redisCache(buffers).get(key)).toBe("€ value");
      expect(await redisCache(buffers).setIfAbsent(uniqueKey("b"), "v", 1000)).toBe(true);
    });

    it("rejects when the server is unreachable", async () => {
      const dead = new Redis({
        port: 1,
        host: "127.0.0.1",
        lazyConnect: true,
        enableOfflineQueue: false,
        retryStrategy: () => null,
      });
      await expect(redisCache(dead).get("k")).rejects.toThrow();
      dead.disconnect();
    });
  },
});

testCacheAdapter({
  name: "redis (node-redis)",
  capabilities: redisCapabilities,
  create: redisHarness(
    () => nodeRedis,
    (key) => nodeRedis.pTTL(key),
  ),
  additionalTests() {
    it("writes SET … NX PX through sendCommand(), visible to another client", async () => {
      const key = uniqueKey("cross");
      expect(await redisCache(nodeRedis, { prefix: "y:" }).setIfAbsent(key, "lease", 3000)).toBe(
        true,
      );
      expect(await io.get(`y:${key}`)).toBe("lease");
      const ttl = await io.pttl(`y:${key}`);
      expect(ttl).toBeGreaterThan(2000);
      expect(ttl).toBeLessThanOrEqual(3000);
    });

    it("rejects when the client is closed", async () => {
      const closed = createClient({ url: server.url });
      await expect(redisCache(closed).set("k", "v", 60)).rejects.toThrow();
    });
  },
});

it("rejects an object that is not a Redis client", () => {
  expect(() => redisCache({} as RedisClientLike)).toThrow(TypeError);
  expect(() => redisCache(null as unknown as RedisClientLike)).toThrow(TypeError);
});
