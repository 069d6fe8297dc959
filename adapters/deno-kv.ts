/**
 * A {@link CacheAdapter} on Deno KV (`await Deno.openKv()`).
 *
 * Deno KV deletes expired keys lazily (a background sweep, about once a minute), so each entry is
 * stored as `{ value, expiresAt }` and its expiry is checked on read: `get` never returns an
 * expired value, `setIfAbsent` treats an expired lease as absent, and `setIfEquals` /
 * `deleteIfEquals` never match one.
 *
 * @example
 * ```ts
 * import { denoKvCache } from "entra-edge/adapters/deno-kv";
 *
 * const kv = await Deno.openKv();
 * const app = ConfidentialClientApplicationBuilder.create(clientId)
 *   .withClientSecret(secret)
 *   .withCache(denoKvCache(kv))
 *   .build();
 * ```
 *
 * @module
 */

import type { CacheAdapter } from "../src/cache/cache-adapter";
import { adapterMemo } from "./internal/adapter-memo";

/**
 * The part of `Deno.Kv` this adapter uses, typed structurally so that no Deno type declarations
 * are needed. A real `Deno.Kv` fits (and so does `openKv()` from the `@deno/kv` npm package).
 *
 * @example
 * ```ts
 * const kv: DenoKvLike = await Deno.openKv();
 * ```
 */
export interface DenoKvLike {
  /** Reads one entry (`Deno.Kv.get`). */
  get(
    key: readonly string[],
  ): Promise<{ readonly value: unknown; readonly versionstamp: string | null }>;
  /** Writes one entry with an expiry in milliseconds (`Deno.Kv.set`). */
  set(key: readonly string[], value: unknown, options?: { expireIn?: number }): Promise<unknown>;
  /** Deletes one entry (`Deno.Kv.delete`). */
  delete(key: readonly string[]): Promise<void>;
  /** Starts an atomic operation (`Deno.Kv.atomic`), for the refresh lease. */
  atomic(): DenoKvAtomicLike;
}

/**
 * Options of {@link denoKvCache}.
 *
 * @example
 * ```ts
 * const options: DenoKvCacheOptions = { prefix: ["my-app", "tokens"] };
 * ```
 */
export interface DenoKvCacheOptions {
  /**
   * The key parts every entry is stored under: the entry for `key` is `[...prefix, key]`. A string
   * is one key part (`""` means none). Default `["entra-edge"]`.
   */
  readonly prefix?: string | readonly string[];
}

/**
 * The adapter {@link denoKvCache} returns: a {@link CacheAdapter} whose lease methods
 * (`setIfAbsent`, `setIfEquals`, `deleteIfEquals`) are always present.
 *
 * @example
 * ```ts
 * const cache: DenoKvCacheAdapter = denoKvCache(kv);
 * const leased = await cache.setIfAbsent("refresh-lease", "owner-1", 10_000);
 * await cache.deleteIfEquals("refresh-lease", "owner-1"); // true
 * ```
 */
export interface DenoKvCacheAdapter extends CacheAdapter {
  readonly name: "deno-kv";
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  setIfEquals(key: string, expected: string, value: string, ttlMs: number): Promise<boolean>;
  deleteIfEquals(key: string, expected: string): Promise<boolean>;
}

const ADAPTER_NAME = "deno-kv";
const DEFAULT_PREFIX: readonly string[] = ["entra-edge"];
/** Deno KV: "Value too large (max 65536 bytes)", measured on the serialised value. */
const MAX_SERIALISED_BYTES = 65_536;
/** Room kept for the `{ value, expiresAt }` envelope around the string. */
const ENVELOPE_RESERVE_BYTES = 64;
/**
 * The largest value accepted, in serialised bytes: one byte per character when every character is
 * U+0000–U+00FF (so 65,472 ASCII characters), two bytes per UTF-16 code unit otherwise.
 */
const MAX_VALUE_BYTES = MAX_SERIALISED_BYTES - ENVELOPE_RESERVE_BYTES;
/** Attempts of the create-if-absent / replace-if-expired loop before reporting "not acquired". */
const MAX_LEASE_ATTEMPTS = 3;

/**
 * Creates a cache adapter over a Deno KV database.
 *
 * - Entries are stored at `[...prefix, key]` as `{ value, expiresAt }` (epoch ms) with `expireIn` set, so Deno
 *   KV removes them eventually, and `get` hides them as soon as `expiresAt` is past.
 * - `setIfAbsent` commits an atomic operation that checks the key is absent (`versionstamp:
 *   null`). When the check fails it reads the entry; if that entry has expired (but was not swept
 *   yet) it replaces it with a second atomic operation checking the observed versionstamp, so only
 *   one caller can take over an expired lease.
 * - `setIfEquals` and `deleteIfEquals` read the entry and, if it is live and holds the expected
 *   value, commit an atomic operation checking the versionstamp read, so that nothing written in
 *   between is overwritten or deleted.
 * - A value whose serialised size would exceed Deno KV's 64 KiB limit is rejected with a
 *   `RangeError` before any I/O. Strings are serialised with one byte per character when every
 *   character is in U+0000–U+00FF and two bytes per UTF-16 code unit otherwise; 64 bytes are kept
 *   for the envelope, so at most 65,472 ASCII characters (or 32,736 other characters) fit.
 * - Errors from Deno KV are not caught: the returned promise rejects.
 *
 * @param kv - An open `Deno.Kv`.
 * @param options - Key prefix.
 * @returns An adapter named `"deno-kv"` that implements the lease methods.
 * @throws {TypeError} If `kv` does not look like a `Deno.Kv`.
 *
 * @example
 * ```ts
 * import { denoKvCache } from "entra-edge/adapters/deno-kv";
 *
 * const cache = denoKvCache(await Deno.openKv(), { prefix: ["my-app", "tokens"] });
 * await cache.set("k", "v", 3600);
 * await cache.get("k"); // "v"
 * ```
 */
export function denoKvCache(kv: DenoKvLike, options: DenoKvCacheOptions = {}): DenoKvCacheAdapter {
  return made(kv, JSON.stringify([options.prefix]), () => createDenoKvCache(kv, options));
}

/** Adapters made so far, by database and prefix. */
const made = adapterMemo<DenoKvLike, DenoKvCacheAdapter>();

function createDenoKvCache(kv: DenoKvLike, options: DenoKvCacheOptions): DenoKvCacheAdapter {
  if (
    kv === null ||
    typeof kv !== "object" ||
    typeof kv.get !== "function" ||
    typeof kv.set !== "function" ||
    typeof kv.delete !== "function" ||
    typeof kv.atomic !== "function"
  ) {
    throw new TypeError("denoKvCache: expected a Deno.Kv (from await Deno.openKv())");
  }
  const prefix = normalisePrefix(options.prefix);
  const keyOf = (key: string): string[] => [...prefix, key];

  return {
    name: ADAPTER_NAME,
    async get(key) {
      const entry = await kv.get(keyOf(key));
      return liveValue(entry.value, Date.now());
    },
    async set(key, value, ttlSeconds) {
      const ttlMs = toTtlMs(ttlSeconds * 1000);
      await kv.set(keyOf(key), envelope(value, ttlMs), { expireIn: ttlMs });
    },
    async delete(key) {
      await kv.delete(keyOf(key));
    },
    async setIfAbsent(key, value, ttlMs) {
      const ms = toTtlMs(ttlMs);
      const storeKey = keyOf(key);
      const entry = envelope(value, ms);
      let expected: string | null = null;
      for (let attempt = 0; attempt < MAX_LEASE_ATTEMPTS; attempt++) {
        const result = await kv
          .atomic()
          .check({ key: storeKey, versionstamp: expected })
          .set(storeKey, entry, { expireIn: ms })
          .commit();
        if (result.ok) return true;
        const current = await kv.get(storeKey);
        if (current.versionstamp !== null && liveValue(current.value, Date.now()) !== undefined)
          return false;
        // Absent again, or present but expired and not swept yet: try to take it over, but only
        // from the exact version observed, so a concurrent taker makes this commit fail.
        expected = current.versionstamp;
      }
      return false;
    },
    async setIfEquals(key, expected, value, ttlMs) {
      const ms = toTtlMs(ttlMs);
      const storeKey = keyOf(key);
      const entry = envelope(value, ms);
      const current = await kv.get(storeKey);
      if (current.versionstamp === null || liveValue(current.value, Date.now()) !== expected)
        return false;
      const result = await kv
        .atomic()
        .check({ key: storeKey, versionstamp: current.versionstamp })
        .set(storeKey, entry, { expireIn: ms })
        .commit();
      return result.ok;
    },
    async deleteIfEquals(key, expected) {
      const storeKey = keyOf(key);
      const current = await kv.get(storeKey);
      if (current.versionstamp === null || liveValue(current.value, Date.now()) !== expected)
        return false;
      const result = await kv
        .atomic()
        .check({ key: storeKey, versionstamp: current.versionstamp })
        .delete(storeKey)
        .commit();
      return result.ok;
    },
  };
}

// --- Internal helpers ---

/** The part of `Deno.AtomicOperation` this adapter uses. */
export interface DenoKvAtomicLike {
  /** Requires an entry to be at a version (`null`: absent). */
  check(
    ...checks: { readonly key: readonly string[]; readonly versionstamp: string | null }[]
  ): DenoKvAtomicLike;
  /** Writes an entry if the checks hold. */
  set(key: readonly string[], value: unknown, options?: { expireIn?: number }): DenoKvAtomicLike;
  /** Deletes an entry if the checks hold (for `deleteIfEquals`). */
  delete(key: readonly string[]): DenoKvAtomicLike;
  /** Commits; `ok: false` when a check failed. */
  commit(): Promise<{ readonly ok: boolean }>;
}

/** What is stored in Deno KV for each entry. */
interface DenoKvEntry {
  /** The string the core stored. */
  readonly value: string;
  /** Epoch milliseconds after which the entry counts as absent. */
  readonly expiresAt: number;
}

function normalisePrefix(prefix: string | readonly string[] | undefined): readonly string[] {
  if (prefix === undefined) return DEFAULT_PREFIX;
  if (typeof prefix === "string") return prefix === "" ? [] : [prefix];
  return [...prefix];
}

function envelope(value: string, ttlMs: number): DenoKvEntry {
  const size = serialisedSize(value);
  if (size > MAX_VALUE_BYTES) {
    throw new RangeError(
      `denoKvCache: value too large for Deno KV (${size} bytes serialised; at most ${MAX_VALUE_BYTES} bytes fit in a 64 KiB entry)`,
    );
  }
  return { value, expiresAt: Date.now() + ttlMs };
}

/** V8 serialises a string as one byte per character if all are Latin-1, else as UTF-16. */
function serialisedSize(value: string): number {
  return /[^\u0000-\u00ff]/.test(value) ? value.length * 2 : value.length;
}

function liveValue(stored: unknown, now: number): string | undefined {
  if (typeof stored !== "object" || stored === null) return undefined;
  const { value, expiresAt } = stored as Partial<Record<keyof DenoKvEntry, unknown>>;
  if (typeof value !== "string" || typeof expiresAt !== "number" || !(expiresAt > now))
    return undefined;
  return value;
}

function toTtlMs(ms: number): number {
  const rounded = Math.ceil(ms);
  if (!Number.isFinite(rounded) || rounded < 1) {
    throw new RangeError(
      `denoKvCache: the time to live must be a positive number, got ${String(ms)} ms`,
    );
  }
  return rounded;
}
