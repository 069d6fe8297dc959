/**
 * A {@link CacheAdapter} on Redis (or Valkey), through the client the application already has:
 * [ioredis](https://github.com/redis/ioredis) (`Redis` or `Cluster`),
 * [node-redis](https://github.com/redis/node-redis) (`createClient` or `createCluster`, v4 and
 * later), Bun's built-in `RedisClient`, or [@upstash/redis](https://github.com/upstash/redis-js)
 * (Redis over HTTPS, for Workers and Vercel). Every command names exactly one key, so on a Redis
 * Cluster each runs on the node that owns its key, and keys spread over the nodes.
 *
 * The adapter speaks plain Redis commands (`GET`, `SET … PX`, `SET … NX PX`, `DEL`, and `EVAL` of
 * two short Lua scripts for the lease's compare-and-set) through the one generic method each TCP
 * client has, so it never depends on their typed wrappers or option-object conventions. The
 * Upstash client has no generic method that returns replies as the server sent them (it
 * JSON-parses them by default), so it is driven through its `set`, `del` and `eval`, and `GET`
 * runs as a script whose reply it leaves a string (see {@link UpstashRedisLike}):
 *
 * | client | detected by | call made |
 * |---|---|---|
 * | ioredis `Redis` / `Cluster` | a `call` method | `client.call("SET", key, value, "PX", "60000")` |
 * | Bun `RedisClient` (or your own wrapper) | a `send` method | `client.send("SET", [key, value, "PX", "60000"])` |
 * | node-redis cluster | `sendCommand` and `nodeClient` (or `getSlotMaster`) methods | `cluster.sendCommand(key, false, ["SET", key, value, "PX", "60000"])` |
 * | node-redis client | a `sendCommand` method (and no `call`) | `client.sendCommand(["SET", key, value, "PX", "60000"])` |
 * | @upstash/redis `Redis` | `set`, `del` and `eval` methods (and none of the above) | `client.set(key, value, { px: 60000 })` |
 *
 * Any other client fits by wrapping it as `{ send(command, args) { … } }`.
 *
 * @example
 * ```ts
 * import Redis from "ioredis";
 * import { redisCache } from "entra-edge/adapters/redis";
 *
 * const app = ConfidentialClientApplicationBuilder.create(clientId)
 *   .withClientSecret(secret)
 *   .withCache(redisCache(new Redis(process.env.REDIS_URL!)))
 *   .build();
 * ```
 *
 * @module
 */

import type { CacheAdapter } from "../src/cache/cache-adapter";
import { adapterMemo } from "./internal/adapter-memo";
import {
  commandOperations,
  type IoRedisLike,
  type NodeRedisClusterLike,
  type NodeRedisLike,
  type SendRedisLike,
} from "./redis-commands";
import type { RedisOperations } from "./redis-operations";
import { upstashOperations, type UpstashRedisLike } from "./redis-upstash";

export type { IoRedisLike, NodeRedisClusterLike, NodeRedisLike, SendRedisLike, UpstashRedisLike };

/**
 * A Redis client {@link redisCache} accepts.
 *
 * @example
 * ```ts
 * const client: RedisClientLike = { send: (command, args) => myClient.command(command, ...args) };
 * ```
 */
export type RedisClientLike =
  IoRedisLike | NodeRedisLike | NodeRedisClusterLike | SendRedisLike | UpstashRedisLike;

/**
 * Options of {@link redisCache}.
 *
 * @example
 * ```ts
 * const options: RedisCacheOptions = { prefix: "my-app:tokens:" };
 * ```
 */
export interface RedisCacheOptions {
  /** Prepended to every key (in addition to any prefix the client itself adds). Default `"entra-edge:"`. */
  readonly prefix?: string;
}

/**
 * The adapter {@link redisCache} returns: a {@link CacheAdapter} whose lease methods
 * (`setIfAbsent`, `setIfEquals`, `deleteIfEquals`) are always present.
 *
 * @example
 * ```ts
 * const cache: RedisCacheAdapter = redisCache(client);
 * const leased = await cache.setIfAbsent("refresh-lease", "owner-1", 10_000); // SET … NX PX 10000
 * await cache.deleteIfEquals("refresh-lease", "owner-1"); // true: EVAL of a GET-compare-DEL script
 * ```
 */
export interface RedisCacheAdapter extends CacheAdapter {
  readonly name: "redis";
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  setIfEquals(key: string, expected: string, value: string, ttlMs: number): Promise<boolean>;
  deleteIfEquals(key: string, expected: string): Promise<boolean>;
}

const ADAPTER_NAME = "redis";
const DEFAULT_PREFIX = "entra-edge:";
/** KEYS[1] = ARGV[2] for ARGV[3] ms, if it holds ARGV[1]. Lua runs atomically on the server. */
const SET_IF_EQUALS_SCRIPT =
  'if redis.call("GET", KEYS[1]) == ARGV[1] then redis.call("SET", KEYS[1], ARGV[2], "PX", ARGV[3]) return 1 end return 0';
/** Deletes KEYS[1] if it holds ARGV[1]. */
const DELETE_IF_EQUALS_SCRIPT =
  'if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0';

/**
 * Creates a cache adapter over a connected Redis client.
 *
 * - `set(key, value, ttlSeconds)` → `SET prefix+key value PX ttlSeconds*1000`.
 * - `setIfAbsent(key, value, ttlMs)` → `SET prefix+key value NX PX ttlMs`; `true` when Redis
 *   answered `OK`, `false` when it answered nil (the key exists). Redis expires keys exactly, so
 *   an expired lease is absent.
 * - `setIfEquals(key, expected, value, ttlMs)` and `deleteIfEquals(key, expected)` → `EVAL` of a
 *   Lua script that compares and writes (or deletes) in one step on the server; `true` when the
 *   key held `expected`. The script names its key in `KEYS`, so it also runs on a cluster.
 * - On a node-redis cluster, each command is routed by its key, `GET` as read-only (it may be
 *   served by a replica if the cluster client is configured with `useReplicas`).
 * - `get` → `GET` (a `Buffer`/`Uint8Array` reply is decoded as UTF-8; on Upstash, `EVAL` of a
 *   script that returns the value behind a marker, so the value read is exactly the string
 *   written, whether the client's `automaticDeserialization` is on or off); `delete` → `DEL`.
 * - Errors from the client (connection lost, timeouts, `WRONGTYPE`, …) are not caught: the
 *   returned promise rejects. Configure timeouts on the client (Bun's `RedisClient` waits for a
 *   server indefinitely by default; pass `connectionTimeout`).
 *
 * @param client - An ioredis or node-redis client or cluster, a Bun client, an @upstash/redis
 *   client, or any `{ send(command, args) }`.
 * @param options - Key prefix.
 * @returns An adapter named `"redis"` that implements the lease methods.
 * @throws {TypeError} If `client` is none of these (the message names the supported clients).
 *
 * @example
 * ```ts
 * // node-redis
 * import { createClient } from "redis";
 * const cache = redisCache(await createClient({ url: process.env.REDIS_URL }).connect());
 * ```
 *
 * @example
 * ```ts
 * // node-redis, Redis Cluster (ioredis: `new Redis.Cluster([{ host, port }])`)
 * import { createCluster } from "redis";
 * const cache = redisCache(await createCluster({ rootNodes: [{ url: process.env.REDIS_URL }] }).connect());
 * ```
 *
 * @example
 * ```ts
 * // Upstash (REST), e.g. on Vercel Edge or Cloudflare Workers
 * import { Redis } from "@upstash/redis";
 * const cache = redisCache(Redis.fromEnv()); // UPSTASH_REDIS_REST_URL and _TOKEN
 * ```
 *
 * @example
 * ```ts
 * // Bun
 * import { RedisClient } from "bun";
 * const cache = redisCache(new RedisClient(process.env.REDIS_URL, { connectionTimeout: 5_000 }), {
 *   prefix: "my-app:",
 * });
 * ```
 */
export function redisCache(
  client: RedisClientLike,
  options: RedisCacheOptions = {},
): RedisCacheAdapter {
  return made(client, JSON.stringify([options.prefix]), () => createRedisCache(client, options));
}

/** Adapters made so far, by client and prefix. */
const made = adapterMemo<RedisClientLike, RedisCacheAdapter>();

function createRedisCache(client: RedisClientLike, options: RedisCacheOptions): RedisCacheAdapter {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const redis = redisOperations(client);

  return {
    name: ADAPTER_NAME,
    get(key) {
      return redis.get(prefix + key);
    },
    async set(key, value, ttlSeconds) {
      await redis.set(prefix + key, value, toTtlMs(ttlSeconds * 1000));
    },
    async delete(key) {
      await redis.del(prefix + key);
    },
    async setIfAbsent(key, value, ttlMs) {
      return redis.setIfAbsent(prefix + key, value, toTtlMs(ttlMs));
    },
    async setIfEquals(key, expected, value, ttlMs) {
      const ms = String(toTtlMs(ttlMs));
      return (await redis.evalCount(SET_IF_EQUALS_SCRIPT, prefix + key, [expected, value, ms])) > 0;
    },
    async deleteIfEquals(key, expected) {
      return (await redis.evalCount(DELETE_IF_EQUALS_SCRIPT, prefix + key, [expected])) > 0;
    },
  };
}

// --- Internal helpers ---

/** The operations over `client`, by its kind; an error naming the supported clients if none. */
function redisOperations(client: RedisClientLike): RedisOperations {
  const operations = commandOperations(client) ?? upstashOperations(client);
  if (operations !== undefined) return operations;
  throw new TypeError(
    "redisCache: expected an ioredis client or cluster (call), a node-redis client or cluster " +
      "(sendCommand), Bun's RedisClient (send), an @upstash/redis client (set, del, eval) " +
      `or any { send(command, args) }; got ${describe(client)}`,
  );
}

/** What was passed instead of a client: its type or class, never its contents. */
function describe(value: unknown): string {
  if (value === null || typeof value !== "object") return value === null ? "null" : typeof value;
  const name: unknown = Object.getPrototypeOf(value)?.constructor?.name;
  return typeof name === "string" && name !== "" && name !== "Object"
    ? `an object of class ${name} that is none of these`
    : "an object that is none of these";
}

/** A time to live in whole milliseconds, at least 1. */
function toTtlMs(ms: number): number {
  const rounded = Math.ceil(ms);
  if (!Number.isFinite(rounded) || rounded < 1) {
    throw new RangeError(
      `redisCache: the time to live must be a positive number, got ${String(ms)} ms`,
    );
  }
  return rounded;
}
