/**
 * A {@link CacheAdapter} on Cloudflare Durable Objects: strongly consistent, with the
 * cross-isolate refresh lease (`setIfAbsent`, `setIfEquals`, `deleteIfEquals`) and
 * `waitForValue`, which wakes the isolates waiting on a lease as soon as the token is written.
 *
 * Keys are spread over `shards` objects (`idFromName("entra-edge-shard-" + n)`) by a stable hash,
 * so that one busy tenant does not queue the others behind it. Each object
 * ({@link TokenCacheDurableObject}) keeps its entries in SQLite-backed storage with their expiry.
 *
 * @example
 * ```ts
 * // wrangler.toml:
 * // [[durable_objects.bindings]]
 * // name = "TOKEN_CACHE"
 * // class_name = "TokenCacheDurableObject"
 * // [[migrations]]
 * // tag = "v1"
 * // new_sqlite_classes = ["TokenCacheDurableObject"]
 * import { TokenCacheDurableObject, durableObjectCache } from "entra-edge/adapters/durable-object";
 * export { TokenCacheDurableObject };
 *
 * export default {
 *   async fetch(request: Request, env: Env) {
 *     const app = ConfidentialClientApplicationBuilder.create(env.CLIENT_ID)
 *       .withClientSecret(env.CLIENT_SECRET)
 *       .withCache(durableObjectCache(env.TOKEN_CACHE), { lease: true })
 *       .build();
 *     // ...
 *   },
 * };
 * ```
 *
 * @module
 */

import type { CacheAdapter } from "../src/cache/cache-adapter";
import { adapterMemo } from "./internal/adapter-memo";
import { shardName, shardOf } from "./internal/shard";

export { TokenCacheDurableObject, type DurableObjectStateLike } from "./token-cache-object";

/**
 * The part of a Durable Object namespace binding (`DurableObjectNamespace`) this adapter uses,
 * typed structurally so that no `@cloudflare/workers-types` dependency is needed. A binding to
 * {@link TokenCacheDurableObject} fits.
 *
 * @example
 * ```ts
 * const namespace: DurableObjectNamespaceLike = env.TOKEN_CACHE;
 * ```
 */
export interface DurableObjectNamespaceLike {
  /** The id of the object with this name. */
  idFromName(name: string): DurableObjectIdLike;
  /** A stub of the object with this id (its RPC methods are called). */
  get(id: DurableObjectIdLike): unknown;
}

/**
 * A Durable Object id (`DurableObjectId`).
 *
 * @example
 * ```ts
 * const id: DurableObjectIdLike = env.TOKEN_CACHE.idFromName("entra-edge-shard-0");
 * ```
 */
export interface DurableObjectIdLike {
  /** The id as hex. */
  toString(): string;
}

/**
 * Options of {@link durableObjectCache}; none is needed.
 *
 * @example
 * ```ts
 * const options: DurableObjectCacheOptions = { prefix: "tokens:", shards: 32 };
 * ```
 */
export interface DurableObjectCacheOptions {
  /** Prepended to every key. Default `"entra-edge:"`. */
  readonly prefix?: string;
  /**
   * How many objects the keys are spread over (an integer from 1 to 1024). Default 16. Changing
   * it moves keys to other objects: entries written before are then missed (fetched again).
   */
  readonly shards?: number;
}

/** The RPC methods of a {@link TokenCacheDurableObject} stub (TTLs in ms). */
interface TokenCacheStub {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  setIfEquals(key: string, expected: string, value: string, ttlMs: number): Promise<boolean>;
  deleteIfEquals(key: string, expected: string): Promise<boolean>;
  waitFor(key: string, timeoutMs: number): Promise<string | undefined>;
}

const ADAPTER_NAME = "durable-object";
const DEFAULT_PREFIX = "entra-edge:";
/** Default shard count: see {@link DurableObjectCacheOptions.shards}. */
const DEFAULT_SHARDS = 16;
const MAX_SHARDS = 1024;

/**
 * Creates a cache adapter over a Durable Object namespace bound to
 * {@link TokenCacheDurableObject}. Cheap to call in every `fetch`: one adapter is made per
 * binding and options, and reused.
 *
 * - A key goes to object `entra-edge-shard-<n>`, `n` a stable 32-bit FNV-1a hash of
 *   `prefix + key` modulo `shards`.
 * - `set(key, value, ttlSeconds)` keeps the entry for `ttlSeconds` (no floor); expiry is
 *   checked on every read, and an alarm removes expired entries from storage.
 * - Errors (a binding to another class, an object that is down) are not caught: the returned
 *   promise rejects, and the core reports it through `onCacheError`.
 *
 * @param namespace - The Durable Object namespace binding from `env` (e.g. `env.TOKEN_CACHE`).
 * @param options - Prefix and shard count.
 * @returns An adapter named `"durable-object"`.
 * @throws {TypeError} If `namespace` is not a Durable Object namespace binding (missing, or a
 *   KV namespace).
 * @throws {RangeError} If `shards` is not an integer from 1 to 1024.
 *
 * @example
 * ```ts
 * builder.withCache(durableObjectCache(env.TOKEN_CACHE), { lease: true });
 * ```
 */
export function durableObjectCache(
  namespace: DurableObjectNamespaceLike,
  options: DurableObjectCacheOptions = {},
): CacheAdapter {
  if (
    namespace === null ||
    typeof namespace !== "object" ||
    typeof namespace.idFromName !== "function" ||
    typeof namespace.get !== "function"
  ) {
    throw new TypeError(
      "durableObjectCache: expected a Durable Object namespace binding " +
        "(e.g. env.TOKEN_CACHE, bound to TokenCacheDurableObject), got " +
        (namespace === null || typeof namespace !== "object"
          ? String(namespace)
          : "an object without idFromName"),
    );
  }
  return made(namespace, JSON.stringify([options.prefix, options.shards]), () =>
    createDurableObjectCache(namespace, options),
  );
}

/** Adapters made so far, by binding and options. */
const made = adapterMemo<DurableObjectNamespaceLike, CacheAdapter>();

function createDurableObjectCache(
  namespace: DurableObjectNamespaceLike,
  options: DurableObjectCacheOptions,
): CacheAdapter {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const shards = options.shards ?? DEFAULT_SHARDS;
  if (!Number.isSafeInteger(shards) || shards < 1 || shards > MAX_SHARDS) {
    throw new RangeError(
      `durableObjectCache: shards must be an integer from 1 to ${MAX_SHARDS}, got ${String(shards)}`,
    );
  }
  const ids: Array<DurableObjectIdLike | undefined> = [];
  /** The stub of the object that holds `storeKey`: a new stub per call (stubs are per request). */
  const stub = (storeKey: string): TokenCacheStub => {
    const shard = shardOf(storeKey, shards);
    const id = (ids[shard] ??= namespace.idFromName(shardName(shard)));
    return namespace.get(id) as TokenCacheStub;
  };
  const full = (key: string): string => prefix + key;

  return {
    name: ADAPTER_NAME,
    // Not async: the stub's promise is handed on as is (the core reads `undefined` as no value),
    // which spares every L2 hit a promise and its jobs.
    get(key) {
      try {
        const storeKey = full(key);
        return stub(storeKey).get(storeKey);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    async set(key, value, ttlSeconds) {
      if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
        throw new RangeError(
          `durableObjectCache: ttlSeconds must be a positive number, got ${String(ttlSeconds)}`,
        );
      }
      const storeKey = full(key);
      await stub(storeKey).set(storeKey, value, Math.ceil(ttlSeconds * 1000));
    },
    async delete(key) {
      const storeKey = full(key);
      await stub(storeKey).delete(storeKey);
    },
    async setIfAbsent(key, value, ttlMs) {
      const storeKey = full(key);
      return (await stub(storeKey).setIfAbsent(storeKey, value, ttlMs)) === true;
    },
    async setIfEquals(key, expected, value, ttlMs) {
      const storeKey = full(key);
      return (await stub(storeKey).setIfEquals(storeKey, expected, value, ttlMs)) === true;
    },
    async deleteIfEquals(key, expected) {
      const storeKey = full(key);
      return (await stub(storeKey).deleteIfEquals(storeKey, expected)) === true;
    },
    async waitForValue(key, timeoutMs) {
      const storeKey = full(key);
      return (await stub(storeKey).waitFor(storeKey, timeoutMs)) ?? undefined;
    },
  };
}
