/**
 * The [@upstash/redis](https://github.com/upstash/redis-js) client (Redis over HTTPS, for
 * Workers, Vercel and other runtimes without TCP), and the {@link RedisOperations} over its
 * public methods `set`, `del` and `eval`.
 *
 * The client JSON-parses string replies by default (`automaticDeserialization`), so a stored
 * value that happens to be JSON (a throttle marker, digits, `"null"`, a quoted string) would come
 * back as an object, a number, `null` or another string. Its setting cannot be read, and turning
 * a parsed value back into text is not exact. So `GET` runs as a one-line script that returns the
 * value behind a `v`, which no JSON value starts with: the client leaves it a string, whichever
 * way it is configured, and the adapter strips the `v`.
 *
 * @module
 */

import { replyCount, replySetIfAbsent, type RedisOperations } from "./redis-operations";

/**
 * An [@upstash/redis](https://github.com/upstash/redis-js) client (`new Redis({ url, token })` or
 * `Redis.fromEnv()`, from `@upstash/redis` or `@upstash/redis/cloudflare`), with automatic
 * deserialization on or off. Told from other clients by its `set`, `del` and `eval` methods and
 * no `call`, `send` or `sendCommand`; an Upstash pipeline or transaction (`redis.pipeline()`,
 * `redis.multi()`: a `length` method and no `pipeline` method) is refused.
 *
 * @example
 * ```ts
 * import { Redis } from "@upstash/redis";
 * const client: UpstashRedisLike = new Redis({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN });
 * ```
 */
export interface UpstashRedisLike {
  /** `SET key value [NX] PX ms`: `"OK"`, or `null` when `nx` is set and the key exists. */
  set(key: string, value: string, options: { px: number; nx?: true }): Promise<unknown>;
  /** `DEL key`. */
  del(key: string): Promise<unknown>;
  /** `EVAL script numkeys ...keys ...args`. */
  eval(script: string, keys: string[], args: string[]): Promise<unknown>;
}

/** The value of KEYS[1] behind a `v`, or nil. */
const GET_SCRIPT =
  'local value = redis.call("GET", KEYS[1]) if value then return "v" .. value end return false';

/**
 * The operations over an Upstash client, or `undefined` if `client` is not one.
 *
 * @throws {TypeError} For an Upstash pipeline or transaction, whose methods queue commands
 *   instead of sending them.
 */
export function upstashOperations(client: unknown): RedisOperations | undefined {
  if (!isUpstashClient(client)) return undefined;
  const { length, pipeline } = client as { length?: unknown; pipeline?: unknown };
  if (typeof length === "function" && typeof pipeline !== "function") {
    throw new TypeError(
      "redisCache: got an @upstash/redis pipeline or transaction (redis.pipeline(), " +
        "redis.multi()); pass the client itself",
    );
  }
  return {
    async get(key) {
      const reply = await client.eval(GET_SCRIPT, [key], []);
      if (reply === null || reply === undefined) return undefined;
      if (typeof reply === "string" && reply.startsWith("v")) return reply.slice(1);
      throw new TypeError(`redisCache: unexpected reply type to GET (Upstash): ${typeof reply}`);
    },
    async set(key, value, ttlMs) {
      await client.set(key, value, { px: ttlMs });
    },
    async setIfAbsent(key, value, ttlMs) {
      return replySetIfAbsent(await client.set(key, value, { nx: true, px: ttlMs }));
    },
    async del(key) {
      await client.del(key);
    },
    async evalCount(script, key, args) {
      return replyCount(await client.eval(script, [key], [...args]), "EVAL");
    },
  };
}

function isUpstashClient(client: unknown): client is UpstashRedisLike {
  if (client === null || typeof client !== "object") return false;
  const candidate = client as Partial<Record<keyof UpstashRedisLike, unknown>>;
  return (
    typeof candidate.set === "function" &&
    typeof candidate.del === "function" &&
    typeof candidate.eval === "function"
  );
}
