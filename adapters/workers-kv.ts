/**
 * A {@link CacheAdapter} on a Cloudflare Workers KV namespace binding (`env.TOKENS`).
 *
 * Workers KV rules applied here: a time to live below 60 s is raised to 60 s (KV rejects less);
 * keys longer than 512 UTF-8 bytes are replaced by a SHA-256 digest (KV rejects longer keys). KV is
 * eventually consistent and has no compare-and-set, so this adapter has no `setIfAbsent`,
 * `setIfEquals` or `deleteIfEquals`: the core then refreshes without a cross-isolate lease (last
 * write wins).
 *
 * @example
 * ```ts
 * import { workersKvCache } from "entra-edge/adapters/workers-kv";
 *
 * export default {
 *   async fetch(request: Request, env: { TOKENS: KVNamespace }) {
 *     app ??= ConfidentialClientApplicationBuilder.create(clientId)
 *       .withClientSecret(secret)
 *       .withCache(workersKvCache(env.TOKENS))
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

/**
 * The part of a Workers KV binding (`KVNamespace`) this adapter uses, typed structurally so that
 * no `@cloudflare/workers-types` dependency is needed. A real binding fits.
 *
 * @example
 * ```ts
 * const namespace: KvNamespaceLike = env.TOKENS; // a KVNamespace
 * ```
 */
export interface KvNamespaceLike {
  /** Reads a value as text (`KVNamespace.get`). */
  get(key: string, options: { type: "text"; cacheTtl?: number }): Promise<string | null>;
  /** Writes a value with a time to live in seconds (`KVNamespace.put`). */
  put(key: string, value: string, options: { expirationTtl: number }): Promise<void>;
  /** Deletes a key (`KVNamespace.delete`). */
  delete(key: string): Promise<void>;
}

/**
 * Options of {@link workersKvCache}.
 *
 * @example
 * ```ts
 * const options: WorkersKvCacheOptions = { prefix: "tokens:", cacheTtl: 30 };
 * ```
 */
export interface WorkersKvCacheOptions {
  /** Prepended to every key. Default `"entra-edge:"`. */
  readonly prefix?: string;
  /**
   * Seconds a value read is cached in the reading Cloudflare location (KV's `cacheTtl`, an integer
   * ≥ 30). Default: not passed, so KV's own default (60 s) applies.
   */
  readonly cacheTtl?: number;
}

const ADAPTER_NAME = "workers-kv";
const DEFAULT_PREFIX = "entra-edge:";
/** Workers KV: "Expiration targets that are less than 60 seconds into the future are not supported". */
const MIN_EXPIRATION_TTL_SECONDS = 60;
const MIN_CACHE_TTL_SECONDS = 30;
const MAX_KEY_BYTES = 512;
/** `#sha256:` + 43 base64url characters. */
const HASHED_KEY_LENGTH = 51;

/**
 * Creates a cache adapter over a Workers KV namespace binding.
 *
 * - Keys are `prefix + key`. When that is longer than 512 UTF-8 bytes (KV's limit), the key part
 *   is replaced by `#sha256:` + base64url(SHA-256(key)), so the entry still lands under the
 *   prefix. The core's keys are normally far shorter.
 * - `set(key, value, ttlSeconds)` writes with `expirationTtl = max(60, ceil(ttlSeconds))`. The
 *   core checks expiry inside the value, so a late KV expiry is harmless.
 * - No `setIfAbsent`, `setIfEquals` or `deleteIfEquals`: KV cannot compare and write atomically.
 * - Errors from the binding (quota, network) are not caught: the returned promise rejects.
 *
 * @param namespace - The KV binding from `env`.
 * @param options - Prefix and read `cacheTtl`.
 * @returns An adapter named `"workers-kv"`.
 * @throws {RangeError} If `cacheTtl` is not an integer ≥ 30, or the prefix alone is too long
 *   for a KV key.
 * @throws {TypeError} If `namespace` has no `get`, `put` and `delete` methods.
 *
 * @example
 * ```ts
 * import { workersKvCache } from "entra-edge/adapters/workers-kv";
 *
 * const cache = workersKvCache(env.TOKENS, { prefix: "graph-tokens:", cacheTtl: 30 });
 * ```
 */
export function workersKvCache(
  namespace: KvNamespaceLike,
  options: WorkersKvCacheOptions = {},
): CacheAdapter {
  return made(namespace, JSON.stringify([options.prefix, options.cacheTtl]), () =>
    createWorkersKvCache(namespace, options),
  );
}

/** Adapters made so far, by binding and options. */
const made = adapterMemo<KvNamespaceLike, CacheAdapter>();

function createWorkersKvCache(
  namespace: KvNamespaceLike,
  options: WorkersKvCacheOptions,
): CacheAdapter {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const { cacheTtl } = options;
  if (
    namespace === null ||
    typeof namespace !== "object" ||
    typeof namespace.get !== "function" ||
    typeof namespace.put !== "function" ||
    typeof namespace.delete !== "function"
  ) {
    throw new TypeError(
      "workersKvCache: expected a Workers KV namespace binding (an object with get, put and delete)",
    );
  }
  if (
    cacheTtl !== undefined &&
    (!Number.isSafeInteger(cacheTtl) || cacheTtl < MIN_CACHE_TTL_SECONDS)
  ) {
    throw new RangeError(
      `workersKvCache: cacheTtl must be an integer >= ${MIN_CACHE_TTL_SECONDS} (seconds), got ${String(cacheTtl)}`,
    );
  }
  if (utf8Length(prefix) + HASHED_KEY_LENGTH > MAX_KEY_BYTES) {
    throw new RangeError(
      `workersKvCache: the prefix is too long; a KV key is at most ${MAX_KEY_BYTES} UTF-8 bytes`,
    );
  }
  const getOptions: { type: "text"; cacheTtl?: number } =
    cacheTtl === undefined ? { type: "text" } : { type: "text", cacheTtl };

  const storeKey = async (key: string): Promise<string> => {
    const full = prefix + key;
    // A UTF-16 code unit is at most 3 UTF-8 bytes, so short keys need no encoding.
    if (full.length * 3 <= MAX_KEY_BYTES || utf8Length(full) <= MAX_KEY_BYTES) return full;
    return prefix + "#sha256:" + (await sha256Base64Url(key));
  };

  return {
    name: ADAPTER_NAME,
    async get(key) {
      const value = await namespace.get(await storeKey(key), getOptions);
      return value ?? undefined;
    },
    async set(key, value, ttlSeconds) {
      const seconds = Math.ceil(ttlSeconds);
      if (!Number.isFinite(seconds) || seconds < 1) {
        throw new RangeError(
          `workersKvCache: ttlSeconds must be a positive number, got ${String(ttlSeconds)}`,
        );
      }
      await namespace.put(await storeKey(key), value, {
        expirationTtl: Math.max(MIN_EXPIRATION_TTL_SECONDS, seconds),
      });
    },
    async delete(key) {
      await namespace.delete(await storeKey(key));
    },
  };
}

// --- Internal helpers ---

const encoder = new TextEncoder();

function utf8Length(text: string): number {
  return encoder.encode(text).byteLength;
}

async function sha256Base64Url(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
  let binary = "";
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
