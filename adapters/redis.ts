/**
 * A {@link CacheAdapter} on Redis (or Valkey), through the client the application already has:
 * [ioredis](https://github.com/redis/ioredis) (`Redis` or `Cluster`),
 * [node-redis](https://github.com/redis/node-redis) (`createClient` or `createCluster`, v4 and
 * later) or Bun's built-in `RedisClient`. Every command names exactly one key, so on a Redis
 * Cluster each runs on the node that owns its key, and keys spread over the nodes.
 *
 * The adapter speaks plain Redis commands (`GET`, `SET … PX`, `SET … NX PX`, `DEL`, and `EVAL` of
 * two short Lua scripts for the lease's compare-and-set) through the one generic method each
 * client has, so it never depends on a client's typed wrappers or on its
 * option-object conventions:
 *
 * | client | detected by | call made |
 * |---|---|---|
 * | ioredis `Redis` / `Cluster` | a `call` method | `client.call("SET", key, value, "PX", "60000")` |
 * | Bun `RedisClient` (or your own wrapper) | a `send` method | `client.send("SET", [key, value, "PX", "60000"])` |
 * | node-redis cluster | `sendCommand` and `nodeClient` (or `getSlotMaster`) methods | `cluster.sendCommand(key, false, ["SET", key, value, "PX", "60000"])` |
 * | node-redis client | a `sendCommand` method (and no `call`) | `client.sendCommand(["SET", key, value, "PX", "60000"])` |
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

/**
 * An ioredis client (`new Redis(...)` or `new Cluster(...)`): its generic `call` method.
 *
 * @example
 * ```ts
 * import Redis from "ioredis";
 * const client: IoRedisLike = new Redis("redis://127.0.0.1:6379");
 * ```
 */
export interface IoRedisLike {
  /** Sends any command (ioredis `call`). */
  call(command: string, ...args: string[]): Promise<unknown>;
}

/**
 * A node-redis client (`createClient(...)`, v4 and later): its generic `sendCommand` method.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * const client: NodeRedisLike = await createClient({ url: "redis://127.0.0.1:6379" }).connect();
 * ```
 */
export interface NodeRedisLike {
  /** Sends any command (node-redis `sendCommand`). */
  sendCommand(args: string[]): Promise<unknown>;
}

/**
 * A node-redis cluster client (`createCluster(...)`, v4 and later): its `sendCommand`, which
 * takes the key that routes the command, whether it is read-only, and the command. Told from a
 * node-redis client by its `nodeClient` method (v4.6 and later; `getSlotMaster` before).
 *
 * @example
 * ```ts
 * import { createCluster } from "redis";
 * const client: NodeRedisClusterLike = await createCluster({
 *   rootNodes: [{ url: "redis://10.0.0.1:6379" }],
 * }).connect();
 * ```
 */
export interface NodeRedisClusterLike {
  /** Sends one command to the node that owns `firstKey` (node-redis cluster `sendCommand`). */
  sendCommand(
    firstKey: string | undefined,
    isReadonly: boolean | undefined,
    args: string[],
  ): Promise<unknown>;
  /** The client of one node; only its presence is used, to tell a cluster from a client. */
  nodeClient(node: never): unknown;
}

/**
 * Bun's built-in `RedisClient`: its generic `send` method. Also the shape to implement to plug in
 * any other client.
 *
 * @example
 * ```ts
 * import { RedisClient } from "bun";
 * const client: SendRedisLike = new RedisClient("redis://127.0.0.1:6379", { connectionTimeout: 5_000 });
 * ```
 */
export interface SendRedisLike {
  /** Sends any command (Bun `RedisClient.send`). */
  send(command: string, args: string[]): Promise<unknown>;
}

/**
 * A Redis client {@link redisCache} accepts.
 *
 * @example
 * ```ts
 * const client: RedisClientLike = { send: (command, args) => myClient.command(command, ...args) };
 * ```
 */
export type RedisClientLike = IoRedisLike | NodeRedisLike | NodeRedisClusterLike | SendRedisLike;

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
 * - `get` → `GET` (a `Buffer`/`Uint8Array` reply is decoded as UTF-8); `delete` → `DEL`.
 * - Errors from the client (connection lost, timeouts, `WRONGTYPE`, …) are not caught: the
 *   returned promise rejects. Configure timeouts on the client (Bun's `RedisClient` waits for a
 *   server indefinitely by default; pass `connectionTimeout`).
 *
 * @param client - An ioredis or node-redis client or cluster, a Bun client, or any
 *   `{ send(command, args) }`.
 * @param options - Key prefix.
 * @returns An adapter named `"redis"` that implements the lease methods.
 * @throws {TypeError} If `client` has none of `call`, `send` or `sendCommand`.
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
  // One adapter per client and prefix: applications built per request over the same client then
  // share their per-isolate state (L1, requests in flight), which is keyed by adapter.
  const known = made.get(client)?.get(options.prefix);
  if (known !== undefined) return known;
  const adapter = createRedisCache(client, options);
  made.set(client, (made.get(client) ?? new Map()).set(options.prefix, adapter));
  return adapter;
}

/** Adapters made so far, by client and prefix. */
const made = new WeakMap<RedisClientLike, Map<string | undefined, RedisCacheAdapter>>();

function createRedisCache(client: RedisClientLike, options: RedisCacheOptions): RedisCacheAdapter {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const command = commandFunction(client);

  return {
    name: ADAPTER_NAME,
    async get(key) {
      const reply = await command("GET", [prefix + key]);
      if (reply === null || reply === undefined) return undefined;
      return replyText(reply, "GET");
    },
    async set(key, value, ttlSeconds) {
      await command("SET", [prefix + key, value, "PX", toTtlMs(ttlSeconds * 1000)]);
    },
    async delete(key) {
      await command("DEL", [prefix + key]);
    },
    async setIfAbsent(key, value, ttlMs) {
      const reply = await command("SET", [prefix + key, value, "NX", "PX", toTtlMs(ttlMs)]);
      if (reply === null || reply === undefined) return false;
      if (replyText(reply, "SET NX") === "OK") return true;
      throw new TypeError("redisCache: unexpected reply to SET NX");
    },
    async setIfEquals(key, expected, value, ttlMs) {
      const ms = toTtlMs(ttlMs);
      const reply = await command("EVAL", [
        SET_IF_EQUALS_SCRIPT,
        "1",
        prefix + key,
        expected,
        value,
        ms,
      ]);
      return replyCount(reply, "EVAL") > 0;
    },
    async deleteIfEquals(key, expected) {
      const reply = await command("EVAL", [DELETE_IF_EQUALS_SCRIPT, "1", prefix + key, expected]);
      return replyCount(reply, "EVAL") > 0;
    },
  };
}

// --- Internal helpers ---

type CommandFunction = (name: string, args: string[]) => Promise<unknown>;
type AnyClient = IoRedisLike & SendRedisLike & NodeRedisLike & NodeRedisClusterLike;

/** Picks the client's generic command method. The client stays the receiver of every call. */
function commandFunction(client: RedisClientLike): CommandFunction {
  const candidate = client as Partial<AnyClient> & { getSlotMaster?: unknown };
  if (client !== null && typeof client === "object") {
    // ioredis also has a `sendCommand`, taking a Command object: test `call` first.
    if (typeof candidate.call === "function") {
      const io = client as IoRedisLike;
      return (name, args) => io.call(name, ...args);
    }
    if (typeof candidate.send === "function") {
      const sender = client as SendRedisLike;
      return (name, args) => sender.send(name, args);
    }
    const isCluster =
      typeof candidate.nodeClient === "function" || typeof candidate.getSlotMaster === "function";
    if (typeof candidate.sendCommand === "function" && isCluster) {
      // Every command names one key: KEYS[1] of an EVAL (after the script and "1"), else the first.
      const cluster = client as NodeRedisClusterLike;
      return (name, args) =>
        cluster.sendCommand(name === "EVAL" ? args[2] : args[0], name === "GET", [name, ...args]);
    }
    if (typeof candidate.sendCommand === "function") {
      const nodeRedis = client as NodeRedisLike;
      return (name, args) => nodeRedis.sendCommand([name, ...args]);
    }
  }
  throw new TypeError(
    "redisCache: expected an ioredis client (call), a node-redis client or cluster (sendCommand), Bun's RedisClient (send) or any { send(command, args) }",
  );
}

const decoder = new TextDecoder();

function replyText(reply: unknown, commandName: string): string {
  if (typeof reply === "string") return reply;
  if (reply instanceof Uint8Array) return decoder.decode(reply);
  throw new TypeError(`redisCache: unexpected reply type to ${commandName}: ${typeof reply}`);
}

/** An integer reply (a number; a bigint or digits from clients that return those). */
function replyCount(reply: unknown, commandName: string): number {
  if (typeof reply === "number" || typeof reply === "bigint") return Number(reply);
  const text = reply instanceof Uint8Array ? decoder.decode(reply) : reply;
  if (typeof text === "string" && /^-?\d+$/.test(text)) return Number(text);
  throw new TypeError(`redisCache: unexpected reply type to ${commandName}: ${typeof reply}`);
}

function toTtlMs(ms: number): string {
  const rounded = Math.ceil(ms);
  if (!Number.isFinite(rounded) || rounded < 1) {
    throw new RangeError(
      `redisCache: the time to live must be a positive number, got ${String(ms)} ms`,
    );
  }
  return String(rounded);
}
