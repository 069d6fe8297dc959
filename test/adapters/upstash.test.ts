// The Redis adapter over @upstash/redis (REST): a real redis-server behind a local endpoint that
// speaks Upstash's REST protocol (test/support/upstash-rest.ts). The conformance suite with the
// client's automatic deserialization on (its default) and off, values that are JSON read back
// exactly, then the token cache: a second application's L2 hit, a shared throttle marker, and
// the lease across cold instances (one token request).
import { Redis as Upstash } from "@upstash/redis";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisCache, type RedisClientLike, type UpstashRedisLike } from "../../adapters/redis";
import { CacheLevel, ThrottledError, type DistributedCacheOptions } from "../../src/index";
import { faults } from "../../src/testing/index";
import { builder, emulator, graph, rejectionOf, secret, tenantA } from "../app/setup";
import { startRedisServer, type RedisServer } from "../support/redis-server";
import { startUpstashRest, type UpstashRest } from "../support/upstash-rest";
import { testCacheAdapter, uniqueKey } from "./conformance";
import { expectOneLeasedToken, redisCapabilities, redisHarness } from "./redis-harness";

let server: RedisServer;
let rest: UpstashRest;
/** A TCP client on the same server, to look behind the REST endpoint. */
let io: Redis;
let parsing: Upstash;
let raw: Upstash;

/** A new Upstash client on the endpoint; retries off so a failure shows at once. */
function upstash(
  options: { automaticDeserialization?: boolean; enableAutoPipelining?: boolean } = {},
): Upstash {
  return new Upstash({ url: rest.url, token: rest.token, retry: false, ...options });
}

beforeAll(async () => {
  server = await startRedisServer();
  rest = await startUpstashRest({ redisPort: server.port });
  io = new Redis(server.url, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
  parsing = upstash();
  // One command per request (POST /), where the default client batches them (POST /pipeline).
  raw = upstash({ automaticDeserialization: false, enableAutoPipelining: false });
});

afterAll(async () => {
  io?.disconnect();
  await rest?.stop();
  await server?.stop();
});

/** Values a client that JSON-parses replies would turn into something else. */
const jsonLike = [
  JSON.stringify({ until: 1_900_000_000_000, status: 429 }),
  "12345",
  "1.50",
  "1e3",
  "-0",
  "null",
  "true",
  '"quoted"',
  "[1,2]",
  " {} ",
  "OK",
  "v",
];

for (const [label, client] of [
  ["automatic deserialization on (the default)", () => parsing],
  ["automatic deserialization and auto-pipelining off", () => raw],
] as const) {
  testCacheAdapter({
    name: `redis (@upstash/redis, REST, ${label})`,
    capabilities: redisCapabilities,
    create: redisHarness(client, (key) => io.pttl(key)),
    additionalTests() {
      it("reads JSON-looking values exactly as written, by this adapter or by another client", async () => {
        const cache = redisCache(client());
        for (const value of jsonLike) {
          const written = uniqueKey("json");
          await cache.set(written, value, 60);
          expect(await io.get(`entra-edge:${written}`)).toBe(value);
          expect(await cache.get(written)).toBe(value);
          const byOther = uniqueKey("json-other");
          await io.set(`entra-edge:${byOther}`, value, "PX", 60_000);
          expect(await cache.get(byOther)).toBe(value);
        }
      });

      it("compares JSON-looking lease values exactly", async () => {
        const cache = redisCache(client());
        const key = uniqueKey("lease-json");
        expect(await cache.setIfAbsent(key, "12345", 10_000)).toBe(true);
        expect(await cache.setIfEquals(key, "12345.0", "x", 10_000)).toBe(false);
        expect(await cache.setIfEquals(key, "12345", '{"a":1}', 10_000)).toBe(true);
        expect(await cache.deleteIfEquals(key, '{"a": 1}')).toBe(false);
        expect(await cache.deleteIfEquals(key, '{"a":1}')).toBe(true);
        expect(await io.exists(`entra-edge:${key}`)).toBe(0);
      });
    },
  });
}

describe("redis (@upstash/redis): the client and the endpoint", () => {
  it("goes over REST with base64-encoded replies (auto-pipelined by default, or one by one)", async () => {
    const before = new Map(rest.requests);
    const delta = (path: string) => (rest.requests.get(path) ?? 0) - (before.get(path) ?? 0);
    const key = uniqueKey("wire");
    await redisCache(parsing).set(key, "€ through /pipeline", 60);
    expect(await redisCache(parsing).get(key)).toBe("€ through /pipeline");
    expect(delta("/pipeline")).toBeGreaterThanOrEqual(2);
    const single = new Upstash({ url: rest.url, token: rest.token, enableAutoPipelining: false });
    expect(await redisCache(single).get(key)).toBe("€ through /pipeline");
    expect(delta("/")).toBe(1);
  });

  it("rejects when the token is wrong", async () => {
    const wrong = new Upstash({ url: rest.url, token: "not-the-token", retry: false });
    await expect(redisCache(wrong).get("k")).rejects.toThrow(/Unauthorized/);
  });

  it("refuses an Upstash pipeline or transaction, or a bare object, naming the supported clients", () => {
    for (const queue of [parsing.pipeline(), parsing.multi()]) {
      expect(() => redisCache(queue as unknown as RedisClientLike)).toThrow(
        /pipeline or transaction .*pass the client itself/,
      );
    }
    for (const notAClient of [{ set() {}, eval() {} }, null, "redis://"]) {
      expect(() => redisCache(notAClient as unknown as RedisClientLike)).toThrow(TypeError);
    }
    expect(() => redisCache({} as RedisClientLike)).toThrow(
      /ioredis .*node-redis .*Bun's RedisClient .*@upstash\/redis/,
    );
  });

  it("works with any object that has the client's set, del and eval (a wrapper, @vercel/kv)", async () => {
    const wrapper: UpstashRedisLike = {
      set: (key, value, options) => raw.set(key, value, options),
      del: (key) => raw.del(key),
      eval: (script, keys, args) => raw.eval(script, keys, args),
    };
    const cache = redisCache(wrapper);
    const key = uniqueKey("wrapper");
    await cache.set(key, '{"a":1}', 60);
    expect(await cache.get(key)).toBe('{"a":1}');
    expect(await cache.setIfAbsent(key, "x", 1000)).toBe(false);
  });

  it("reads exactly with responses not base64-encoded (responseEncoding: false)", async () => {
    const plain = new Upstash({ url: rest.url, token: rest.token, responseEncoding: false });
    const key = uniqueKey("plain");
    await redisCache(plain).set(key, "12345", 60);
    expect(await redisCache(plain).get(key)).toBe("12345");
  });

  it("the endpoint answers pipelines, transactions and command errors as Upstash does", async () => {
    const key = uniqueKey("endpoint");
    expect(await raw.multi().set(key, "v").get(key).exec()).toEqual(["OK", "v"]);
    expect(await raw.pipeline().del(key).get(key).exec()).toEqual([1, null]);
    await raw.set(key, "not a number");
    await expect(raw.incr(key)).rejects.toThrow(/not an integer/);
    expect(rest.requests.get("/multi-exec")).toBeGreaterThanOrEqual(1);
  });
});

describe("token cache on Upstash", () => {
  /** An application with its own L1 and its own Upstash client, on a shared prefix. */
  const app = (
    entra: Awaited<ReturnType<typeof emulator>>,
    prefix: string,
    options: DistributedCacheOptions = {},
  ) =>
    builder(entra.fetch)
      .withClientSecret(secret)
      .withTenantId(tenantA)
      .withCache(redisCache(upstash(), { prefix }), options)
      .build();
  const encryption = { keys: [{ id: "k1", key: new Uint8Array(32).fill(7) }] };

  it("a second application (own L1) gets an L2 hit", async () => {
    const entra = await emulator();
    const prefix = `l2-${crypto.randomUUID()}:`;
    const first = await app(entra, prefix).acquireTokenForClient(graph);
    const second = await app(entra, prefix).acquireTokenForClient(graph);
    expect(entra.tokenRequests()).toHaveLength(1);
    expect(second.accessToken).toBe(first.accessToken);
    expect(second.authenticationResultMetadata.cacheLevel).toBe(CacheLevel.L2Cache);
  });

  for (const sealed of [false, true]) {
    it(`a throttle marker written by one application blocks another${sealed ? " (sealed)" : " (a JSON value)"}`, async () => {
      const entra = await emulator();
      const prefix = `throttle-${crypto.randomUUID()}:`;
      const options = sealed ? { encryption } : {};
      entra.injectFault(faults.throttled(60));
      await expect(app(entra, prefix, options).acquireTokenForClient(graph)).rejects.toBeInstanceOf(
        ThrottledError,
      );
      const [markerKey] = await io.keys(`${prefix}throttle3:*`);
      const marker = (await io.get(markerKey as string)) as string;
      if (!sealed) expect(JSON.parse(marker)).toBeTypeOf("object");
      const error = await rejectionOf(() =>
        app(entra, prefix, options).acquireTokenForClient(graph),
      );
      expect(error).toBeInstanceOf(ThrottledError);
      expect(entra.tokenRequests()).toHaveLength(1);
    });
  }

  for (const sealed of [false, true]) {
    it(`12 cold instances with the lease make one token request, and release the lease${sealed ? " (sealed)" : ""}`, async () => {
      const entra = await emulator();
      entra.injectFault(faults.delay(200));
      const prefix = `lease-${crypto.randomUUID()}:`;
      const options = sealed ? { lease: true, encryption } : { lease: true };
      const instances = Array.from({ length: 12 }, () => app(entra, prefix, options));
      const results = await Promise.all(instances.map((one) => one.acquireTokenForClient(graph)));
      expectOneLeasedToken(entra, results);
      expect(await io.keys(`${prefix}lease3:*`)).toEqual([]);
    });
  }
});
