/**
 * An in-process {@link CacheAdapter} on a `Map`: a shared L2 for tests and local development, or
 * for one process that hosts several application instances. Expiry is checked on read (no
 * timers), and the number of entries is bounded.
 *
 * @example
 * ```ts
 * import { memoryCache } from "entra-edge/adapters/memory";
 *
 * const cache = memoryCache({ maxEntries: 1_000 }); // create once, share it
 * const app = ConfidentialClientApplicationBuilder.create(clientId)
 *   .withClientSecret(secret)
 *   .withCache(cache)
 *   .build();
 * ```
 *
 * @module
 */

import type { CacheAdapter } from "../src/cache/cache-adapter";

/**
 * Options of {@link memoryCache}.
 *
 * @example
 * ```ts
 * const options: MemoryCacheOptions = { prefix: "tests:", maxEntries: 500 };
 * ```
 */
export interface MemoryCacheOptions {
  /** Prepended to every key. Default `"entra-edge:"`. */
  readonly prefix?: string;
  /**
   * Most entries kept at once (an integer ≥ 1). When a write would exceed it, the least recently
   * used entry is dropped. Default `10_000`.
   */
  readonly maxEntries?: number;
  /** The clock, in epoch milliseconds (for tests with a fake clock). Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * The adapter {@link memoryCache} returns: a {@link CacheAdapter} whose lease methods
 * (`setIfAbsent`, `setIfEquals`, `deleteIfEquals`) are always present.
 *
 * @example
 * ```ts
 * const cache: MemoryCacheAdapter = memoryCache();
 * await cache.setIfAbsent("lease", "owner-1", 5_000); // true
 * await cache.setIfAbsent("lease", "owner-2", 5_000); // false
 * await cache.deleteIfEquals("lease", "owner-2"); // false: not owner-2's
 * await cache.deleteIfEquals("lease", "owner-1"); // true
 * ```
 */
export interface MemoryCacheAdapter extends CacheAdapter {
  readonly name: "memory";
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  setIfEquals(key: string, expected: string, value: string, ttlMs: number): Promise<boolean>;
  deleteIfEquals(key: string, expected: string): Promise<boolean>;
}

const ADAPTER_NAME = "memory";
const DEFAULT_PREFIX = "entra-edge:";
const DEFAULT_MAX_ENTRIES = 10_000;

/**
 * Creates an in-memory cache adapter. Each call makes a new, empty store: create it once and pass
 * the same adapter to every application that should share it.
 *
 * `set`, `setIfAbsent`, `setIfEquals` and `deleteIfEquals` are atomic (nothing awaits between
 * the check and the write), so they give a real lease between callers in one process.
 *
 * @param options - Prefix, size bound and clock.
 * @returns An adapter named `"memory"` that implements the lease methods.
 * @throws {RangeError} If `maxEntries` is not an integer ≥ 1.
 *
 * @example
 * ```ts
 * import { memoryCache } from "entra-edge/adapters/memory";
 *
 * let now = 0;
 * const cache = memoryCache({ prefix: "test:", maxEntries: 100, now: () => now });
 * await cache.set("k", "v", 60);
 * now += 61_000;
 * await cache.get("k"); // undefined
 * ```
 */
export function memoryCache(options: MemoryCacheOptions = {}): MemoryCacheAdapter {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const now = options.now ?? Date.now;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new RangeError(
      `memoryCache: maxEntries must be an integer >= 1, got ${String(maxEntries)}`,
    );
  }
  // Map iteration order is insertion order: re-inserting on use keeps the least recently used first.
  const entries = new Map<string, Entry>();

  const read = (storeKey: string): Entry | undefined => {
    const entry = entries.get(storeKey);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now()) {
      entries.delete(storeKey);
      return undefined;
    }
    return entry;
  };

  const write = (storeKey: string, value: string, ttlMs: number): void => {
    const expiresAt = now() + ttlMs;
    entries.delete(storeKey);
    entries.set(storeKey, { value, expiresAt });
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next();
      if (oldest.done === true) break;
      entries.delete(oldest.value);
    }
  };

  return {
    name: ADAPTER_NAME,
    async get(key) {
      const storeKey = prefix + key;
      const entry = read(storeKey);
      if (entry === undefined) return undefined;
      entries.delete(storeKey);
      entries.set(storeKey, entry);
      return entry.value;
    },
    async set(key, value, ttlSeconds) {
      write(prefix + key, value, toTtlMs(ttlSeconds * 1000));
    },
    async delete(key) {
      entries.delete(prefix + key);
    },
    async setIfAbsent(key, value, ttlMs) {
      const storeKey = prefix + key;
      const ms = toTtlMs(ttlMs);
      if (read(storeKey) !== undefined) return false;
      write(storeKey, value, ms);
      return true;
    },
    async setIfEquals(key, expected, value, ttlMs) {
      const storeKey = prefix + key;
      const ms = toTtlMs(ttlMs);
      if (read(storeKey)?.value !== expected) return false;
      write(storeKey, value, ms);
      return true;
    },
    async deleteIfEquals(key, expected) {
      const storeKey = prefix + key;
      if (read(storeKey)?.value !== expected) return false;
      entries.delete(storeKey);
      return true;
    },
  };
}

// --- Internal helpers ---

interface Entry {
  readonly value: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

function toTtlMs(ms: number): number {
  const rounded = Math.ceil(ms);
  if (!Number.isFinite(rounded) || rounded < 1) {
    throw new RangeError(
      `memoryCache: the time to live must be a positive number, got ${String(ms)} ms`,
    );
  }
  return rounded;
}
