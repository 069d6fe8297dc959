/**
 * The contract between the token cache and a store (Workers KV, Deno KV, Redis, memory, ...).
 * The core owns keys, serialisation, validation and expiry; an adapter only stores strings with
 * a time to live and applies its store's own rules (minimum TTL, key format, prefix).
 *
 * @module
 */

/**
 * A distributed (L2) cache store. Implementations must be safe to call concurrently. A method
 * that throws or rejects is treated by the core as a cache miss and reported through
 * `onCacheError`; it never fails an acquisition.
 *
 * Only `get`, `set` and `delete` are required. The optional methods let the core run the
 * cross-instance refresh lease: `setIfAbsent` takes it, `setIfEquals` renews it while its
 * holder's token request runs, and `deleteIfEquals` lets only its holder release it. A store
 * that cannot do one of them atomically leaves it out (a lease that cannot be renewed or
 * released is simply left to expire).
 *
 * @example
 * ```ts
 * const adapter: CacheAdapter = {
 *   async get(key) { return store.read(key); }, // null or undefined: no value
 *   async set(key, value, ttlSeconds) { await store.write(key, value, { ttl: ttlSeconds }); },
 *   async delete(key) { await store.remove(key); },
 * };
 * ```
 */
export interface CacheAdapter {
  /** A short name for logs, e.g. `"workers-kv"`. */
  readonly name?: string;
  /**
   * Returns the value stored under `key`, or `null` or `undefined` when there is none (or it
   * expired). Anything else that is not a string is treated as a miss and reported as `invalid`.
   */
  get(key: string): Promise<string | null | undefined>;
  /**
   * Stores `value` under `key` for about `ttlSeconds` (a whole number ≥ 1). A store with a larger
   * minimum TTL rounds up; the core checks expiry inside the value, so a late expiry is harmless.
   */
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Removes `key`; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Optional: stores `value` only if `key` is absent, atomically, for `ttlMs` milliseconds, and
   * tells whether it did. Takes the cross-instance refresh lease (Redis `SET NX PX`, Deno KV
   * atomic check). Stores that cannot do this atomically (Workers KV) leave it out.
   */
  setIfAbsent?(key: string, value: string, ttlMs: number): Promise<boolean>;
  /**
   * Optional: replaces the value of `key` by `value`, for `ttlMs` milliseconds, only if `key`
   * holds exactly `expected` (and has not expired), atomically; tells whether it did. Renews a
   * held lease (Redis: a Lua script; Deno KV: an atomic check of the versionstamp).
   */
  setIfEquals?(key: string, expected: string, value: string, ttlMs: number): Promise<boolean>;
  /**
   * Optional: removes `key` only if it holds exactly `expected`, atomically; tells whether it
   * did. Releases a lease without removing one another instance took since (Redis: a Lua
   * script; Deno KV: an atomic check of the versionstamp).
   */
  deleteIfEquals?(key: string, expected: string): Promise<boolean>;
  /**
   * Optional: resolves with the value of `key` as soon as it is set (by `set`, `setIfAbsent` or
   * `setIfEquals`, from any instance), or with what is there (or nothing) once `timeoutMs` has
   * passed. A value already there when it is called does not count: it waits for the next write.
   * Lets an instance waiting on another's refresh lease learn of the token as soon as it is
   * written instead of on a polling tick (Durable Objects: an in-memory waiter list in the object
   * that holds the key). Without it, waiters read the store every 50 ms.
   */
  waitForValue?(key: string, timeoutMs: number): Promise<string | null | undefined>;
}
