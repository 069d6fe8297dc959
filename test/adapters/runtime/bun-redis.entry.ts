/**
 * Runs the cache adapter conformance cases for `redisCache` over Bun's built-in `RedisClient`
 * inside Bun, against the real redis-server at `$REDIS_URL`, printing one JSON line per case.
 * Started by `test/adapters/bun-redis.test.ts`:
 *
 *   REDIS_URL=redis://127.0.0.1:<port> bun test/adapters/runtime/bun-redis.entry.ts
 *
 * @module
 */

import { redisCache, type SendRedisLike } from "../../../adapters/redis";
import { failingStore, uniqueKey, type AdapterHarness } from "../cases";
import { runAdapterCases } from "./run-cases";
import { bunRedisSuite } from "./suites";

/** The parts of Bun's `RedisClient` used here (typed locally: the test tsconfig has Node types). */
interface BunRedisClient extends SendRedisLike {
  close(): void;
}
interface BunRedisOptions {
  connectionTimeout?: number;
  autoReconnect?: boolean;
  maxRetries?: number;
}
const { Bun } = globalThis as unknown as {
  Bun: {
    RedisClient: new (url: string, options?: BunRedisOptions) => BunRedisClient;
    env: Record<string, string | undefined>;
  };
};

const url = Bun.env["REDIS_URL"];
if (url === undefined) throw new Error("REDIS_URL is not set");
// With no server, Bun's client waits forever by default: bound everything.
const options: BunRedisOptions = { connectionTimeout: 3000, autoReconnect: false, maxRetries: 0 };
const client = new Bun.RedisClient(url, options);

const create = async (): Promise<AdapterHarness> => ({
  adapter: redisCache(client),
  defaultPrefix: "entra-edge:",
  withPrefix: (prefix) => redisCache(client, { prefix }),
  failing: (mode, error) => redisCache(failingStore(client, mode, error)),
  storedTtlMs: async (key) => {
    const ttl = Number(await client.send("PTTL", [`entra-edge:${key}`]));
    return ttl >= 0 ? ttl : undefined;
  },
  cleanup: async () => {},
});

const [sendPath, deadServer] = bunRedisSuite.extraCases;

await runAdapterCases(create, bunRedisSuite.capabilities, [
  {
    name: sendPath,
    async run() {
      const shape = client as unknown as Record<string, unknown>;
      check(typeof shape["send"] === "function", "send is a function");
      check(
        shape["call"] === undefined && shape["sendCommand"] === undefined,
        "no call / sendCommand",
      );
      const key = uniqueKey("shape");
      await redisCache(client, { prefix: "bun:" }).set(key, "via send", 7);
      check(
        (await client.send("GET", [`bun:${key}`])) === "via send",
        "GET through the raw client",
      );
      const ttl = Number(await client.send("PTTL", [`bun:${key}`]));
      check(ttl > 6000 && ttl <= 7000, `PTTL ${ttl}`);
    },
  },
  {
    name: deadServer,
    async run() {
      // A port nothing listens on (the redis-server's port + 1 would be a guess; port 1 is reserved).
      const dead = new Bun.RedisClient("redis://127.0.0.1:1", options);
      const started = Date.now();
      let error: unknown;
      await redisCache(dead)
        .get("k")
        .catch((e: unknown) => (error = e));
      check(error !== undefined, "the call rejected");
      check(Date.now() - started < 5000, `rejected after ${Date.now() - started} ms`);
      dead.close();
    },
  },
]);

client.close();

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}
