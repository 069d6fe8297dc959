/**
 * The L2 side of the token cache: store keys, records, encryption, shared throttle markers and
 * the refresh lease over a user's {@link CacheAdapter}. A store that throws, hangs past its
 * timeout or returns garbage is a miss, reported once through the logger and `onCacheError`; it
 * never fails an acquisition.
 *
 * @module
 */

import { prefixedHash128 } from "../internal/fast-hash";
import type { Log } from "../logger";
import type { CacheAdapter } from "./cache-adapter";
import type { CachedToken } from "./cached-token";
import { RefreshLeases, type LeaseOutcome } from "./refresh-lease";
import { ValueSealer, type CacheEncryptionOptions } from "./sealing";
import { failed, StoreCalls, type CacheErrorEvent } from "./store-calls";
import { parseTokenRecord, serializeTokenRecord } from "./token-record";

export type { CacheErrorEvent } from "./store-calls";

/** Options of the distributed cache (`withCache(adapter, options)`). */
export interface DistributedCacheOptions {
  /**
   * Seal stored values with AES-GCM under your keys: token records, throttle markers and lease
   * values. Unsealed values (or values sealed under other keys) are then ignored.
   */
  encryption?: CacheEncryptionOptions;
  /** How long one store call may take before it counts as a miss, in milliseconds. Default 1,000. */
  timeoutMs?: number;
  /** Called once for every store failure (the acquisition goes on without the store). */
  onCacheError?: (event: CacheErrorEvent) => void;
  /**
   * Cross-instance single flight: the first instance to miss takes a short lease (atomic
   * `setIfAbsent`) and asks the identity provider, renewing the lease while it waits for the
   * answer where the store can (`setIfEquals`); the others re-read the store meanwhile, and one
   * of them takes over if the lease is released or expires. Only for adapters with
   * `setIfAbsent` (Redis, Deno KV, memory). Default off; `ttlMs` defaults to 5,000.
   */
  lease?: boolean | { ttlMs?: number };
}

/**
 * A throttling block another instance shared: until when (epoch ms, on the writer's clock) and
 * the HTTP status that asked for it.
 */
export interface ThrottleMarker {
  readonly until: number;
  readonly status: number;
}

const defaultTimeoutMs = 1000;
const defaultLeaseMs = 5000;

/**
 * The L2 token cache of one application. It takes L1 cache keys; the full cache key, which other
 * applications sharing the store see, is the application's key prefix (cloud, client id, token
 * type) followed by the L1 key.
 */
export class DistributedTokenCache {
  readonly #adapter: CacheAdapter;
  readonly #keyPrefix: string;
  readonly #hash: (key: string) => string;
  readonly #sealer: ValueSealer | undefined;
  readonly #store: StoreCalls;
  readonly #leases: RefreshLeases;
  /** Lease duration, or 0 when leases are off or the store cannot take one. */
  readonly leaseMs: number;
  /**
   * Whether the store can take a lease (`setIfAbsent`), leases on or off: a refresh of a
   * rejected token takes one whenever it can.
   */
  readonly canLease: boolean;

  constructor(
    adapter: CacheAdapter,
    options: DistributedCacheOptions,
    log: Log,
    keyPrefix: string,
  ) {
    this.#adapter = adapter;
    this.#keyPrefix = keyPrefix;
    this.#hash = prefixedHash128(keyPrefix);
    this.#sealer =
      options.encryption === undefined ? undefined : new ValueSealer(options.encryption);
    this.#store = new StoreCalls(
      adapter,
      options.timeoutMs ?? defaultTimeoutMs,
      options.onCacheError,
      log,
    );
    const lease = options.lease ?? false;
    this.leaseMs =
      lease === false || adapter.setIfAbsent === undefined
        ? 0
        : lease === true
          ? defaultLeaseMs
          : (lease.ttlMs ?? defaultLeaseMs);
    this.canLease = adapter.setIfAbsent !== undefined;
    const ttlMs = typeof lease === "object" ? (lease.ttlMs ?? defaultLeaseMs) : defaultLeaseMs;
    this.#leases = new RefreshLeases(adapter, this.#store, this.#sealer, ttlMs);
  }

  /**
   * Reads the token cached under the L1 key `key`; a miss on any failure. The store call is
   * bounded by the adapter timeout, or by `withinMs` when that is shorter.
   */
  async read(key: string, withinMs = Infinity): Promise<CachedToken | undefined> {
    const storeKey = this.#storeKey("at", key);
    const value = await this.#store.read("get", () => this.#adapter.get(storeKey), withinMs);
    if (value === undefined || value === failed) return undefined;
    const plain = this.#sealer === undefined ? value : await this.#sealer.open(storeKey, value);
    return this.#parse(key, plain);
  }

  /** The token record `plain` of the L1 key `key`; `undefined`, reported, if it holds none. */
  #parse(key: string, plain: string | undefined): CachedToken | undefined {
    const token = plain === undefined ? undefined : parseTokenRecord(this.#keyPrefix + key, plain);
    if (token === undefined)
      this.#store.report({ operation: "get", reason: "invalid", error: undefined });
    return token;
  }

  /** Writes `token` under the L1 key `key` until it expires. Never throws. */
  async write(key: string, token: CachedToken, now: number): Promise<void> {
    const ttlSeconds = Math.ceil((token.expiresOn - now) / 1000);
    if (ttlSeconds <= 0) return;
    const storeKey = this.#storeKey("at", key);
    const value = await this.#value(storeKey, serializeTokenRecord(this.#keyPrefix + key, token));
    if (value === undefined) return;
    await this.#store.call("set", () => this.#adapter.set(storeKey, value, ttlSeconds));
  }

  /**
   * Shares a throttling block of `key` (until `until`, epoch ms) with the other instances, sealed
   * when encryption is on. Never throws.
   */
  async writeThrottle(key: string, until: number, status: number, now: number): Promise<void> {
    const ttlSeconds = Math.ceil((until - now) / 1000);
    if (ttlSeconds <= 0) return;
    const storeKey = this.#storeKey("throttle", key);
    const marker: ThrottleMarker = { until, status };
    const value = await this.#value(storeKey, JSON.stringify(marker));
    if (value === undefined) return;
    await this.#store.call("set", () => this.#adapter.set(storeKey, value, ttlSeconds));
  }

  /**
   * The throttling block of `key` the store holds: the marker; `null` when there is none, or
   * none to trust (damaged, unsealed or sealed under other keys: reported as `invalid`); or
   * `undefined` when the store did not answer. The reader caps the block (see `ThrottleState`).
   */
  async readThrottle(key: string): Promise<ThrottleMarker | null | undefined> {
    const storeKey = this.#storeKey("throttle", key);
    const value = await this.#store.read("get", () => this.#adapter.get(storeKey));
    if (value === failed) return undefined;
    if (value === undefined) return null;
    const plain = this.#sealer === undefined ? value : await this.#sealer.open(storeKey, value);
    const marker = plain === undefined ? undefined : parseThrottleMarker(plain);
    if (marker !== undefined) return marker;
    this.#store.report({ operation: "get", reason: "invalid", error: undefined });
    return null;
  }

  /**
   * Takes the refresh lease of `key`, or waits for the instance that holds it: its token (when
   * `accept` takes it), or the lease once it is free. See `refresh-lease.ts`.
   */
  lease(
    key: string,
    accept: (token: CachedToken) => boolean | Promise<boolean>,
    signal: AbortSignal,
  ): Promise<LeaseOutcome> {
    const leaseKey = this.#storeKey("lease", key);
    const tokenKey = this.#storeKey("at", key);
    return this.#leases.acquire(leaseKey, () => this.read(key), accept, signal, {
      storeKey: tokenKey,
      open: async (value) =>
        this.#parse(
          key,
          this.#sealer === undefined ? value : await this.#sealer.open(tokenKey, value),
        ),
    });
  }

  /** `plain` as stored under `storeKey`: sealed when encryption is on; `undefined` if sealing failed. */
  async #value(storeKey: string, plain: string): Promise<string | undefined> {
    if (this.#sealer === undefined) return plain;
    try {
      return await this.#sealer.seal(storeKey, plain);
    } catch {
      return undefined;
    }
  }

  /**
   * The store key of an L1 key: a kind, a version and a 128-bit hash of the full cache key.
   * Short (fits Workers KV's 512 bytes), synchronous, and reveals no tenant, client or token.
   */
  #storeKey(kind: "at" | "lease" | "throttle", key: string): string {
    return `${kind}3:${this.#hash(key)}`;
  }
}

/** A marker as written by `writeThrottle`: a finite time and an HTTP error status. */
function parseThrottleMarker(text: string): ThrottleMarker | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof json !== "object" || json === null) return undefined;
  const { until, status } = json as { until?: unknown; status?: unknown };
  if (typeof until !== "number" || !Number.isFinite(until)) return undefined;
  if (typeof status !== "number" || !Number.isInteger(status) || status < 400 || status > 599)
    return undefined;
  return { until, status };
}
