/**
 * The L2 side of the token cache: store keys, records, encryption and the refresh lease over a
 * user's {@link CacheAdapter}. A store that throws, hangs past its timeout or returns garbage is
 * a miss, reported once through the logger and `onCacheError`; it never fails an acquisition.
 *
 * @module
 */

import { prefixedHash128 } from "../internal/fast-hash";
import type { Log } from "../logger";
import type { CacheAdapter } from "./cache-adapter";
import type { CachedToken } from "./cached-token";
import { ValueSealer, type CacheEncryptionOptions } from "./sealing";
import { parseTokenRecord, serializeTokenRecord } from "./token-record";

/** What went wrong with the L2 store. */
export interface CacheErrorEvent {
  /** The adapter call that failed. */
  readonly operation: "get" | "set" | "delete" | "lease";
  /** The adapter's name, if it has one. */
  readonly adapter: string;
  /** `threw`: the store failed; `timeout`: it did not answer in time; `invalid`: its value was not a valid record. */
  readonly reason: "threw" | "timeout" | "invalid";
  /** The store's error, for `threw`. */
  readonly error: unknown;
}

/** Options of the distributed cache (`withCache(adapter, options)`). */
export interface DistributedCacheOptions {
  /** Seal stored values with AES-GCM under your keys. */
  encryption?: CacheEncryptionOptions;
  /** How long one store call may take before it counts as a miss, in milliseconds. Default 1,000. */
  timeoutMs?: number;
  /** Called once for every store failure (the acquisition goes on without the store). */
  onCacheError?: (event: CacheErrorEvent) => void;
  /**
   * Cross-instance single flight: the first instance to miss takes a short lease (atomic
   * `setIfAbsent`) and asks the identity provider; the others re-read the store meanwhile. Only
   * for adapters with `setIfAbsent` (Redis, Deno KV, memory). Default off.
   */
  lease?: boolean | { ttlMs?: number };
}

const defaultTimeoutMs = 1000;
const defaultLeaseMs = 5000;
const leasePollMs = 50;
const timedOut = Symbol("timed out");

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
  readonly #timeoutMs: number;
  readonly #onCacheError: ((event: CacheErrorEvent) => void) | undefined;
  readonly #log: Log;
  /** Lease duration, or 0 when leases are off or the store cannot take one. */
  readonly leaseMs: number;

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
    this.#timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
    this.#onCacheError = options.onCacheError;
    this.#log = log;
    const lease = options.lease ?? false;
    this.leaseMs =
      lease === false || adapter.setIfAbsent === undefined
        ? 0
        : lease === true
          ? defaultLeaseMs
          : (lease.ttlMs ?? defaultLeaseMs);
  }

  /**
   * Reads the token cached under the L1 key `key`; a miss on any failure. The store call is
   * bounded by the adapter timeout, or by `withinMs` when that is shorter.
   */
  async read(key: string, withinMs = Infinity): Promise<CachedToken | undefined> {
    const storeKey = this.#storeKey("at", key);
    const value = await this.#call(
      "get",
      () => this.#adapter.get(storeKey),
      Math.min(this.#timeoutMs, withinMs),
    );
    if (value === undefined || value === timedOut) return undefined;
    const plain = this.#sealer === undefined ? value : await this.#sealer.open(storeKey, value);
    const token = plain === undefined ? undefined : parseTokenRecord(this.#keyPrefix + key, plain);
    if (token === undefined)
      this.#report({ operation: "get", reason: "invalid", error: undefined });
    return token;
  }

  /** Writes `token` under the L1 key `key` until it expires. Never throws. */
  async write(key: string, token: CachedToken, now: number): Promise<void> {
    const ttlSeconds = Math.ceil((token.expiresOn - now) / 1000);
    if (ttlSeconds <= 0) return;
    const storeKey = this.#storeKey("at", key);
    const record = serializeTokenRecord(this.#keyPrefix + key, token);
    const value = this.#sealer === undefined ? record : await this.#sealer.seal(storeKey, record);
    await this.#call("set", () => this.#adapter.set(storeKey, value, ttlSeconds));
  }

  /** Shares a throttling block of `key` (until `until`, epoch ms) with the other instances. Never throws. */
  async writeThrottle(key: string, until: number, status: number, now: number): Promise<void> {
    const ttlSeconds = Math.ceil((until - now) / 1000);
    if (ttlSeconds <= 0) return;
    const storeKey = this.#storeKey("throttle", key);
    await this.#call("set", () =>
      this.#adapter.set(storeKey, JSON.stringify({ until, status }), ttlSeconds),
    );
  }

  /** A throttling block of `key` recorded by any instance, if one is stored. */
  async readThrottle(key: string): Promise<{ until: number; status: number } | undefined> {
    const storeKey = this.#storeKey("throttle", key);
    const value = await this.#call("get", () => this.#adapter.get(storeKey));
    if (value === undefined || value === timedOut) return undefined;
    try {
      const parsed = JSON.parse(value) as { until?: unknown; status?: unknown };
      if (typeof parsed.until === "number" && typeof parsed.status === "number")
        return { until: parsed.until, status: parsed.status };
    } catch {
      // fall through: a foreign or damaged value is no block
    }
    this.#report({ operation: "get", reason: "invalid", error: undefined });
    return undefined;
  }

  /** Tries to take the refresh lease of `key`; `false` when another instance holds it or the store failed. */
  async takeLease(key: string): Promise<boolean> {
    const setIfAbsent = this.#adapter.setIfAbsent;
    if (this.leaseMs === 0 || setIfAbsent === undefined) return true;
    const storeKey = this.#storeKey("lease", key);
    const won = await this.#call("lease", () =>
      setIfAbsent.call(this.#adapter, storeKey, "1", this.leaseMs),
    );
    // A failing store must not stop every instance from refreshing: treat it as a won lease.
    return won === undefined || won === timedOut ? true : won;
  }

  /** Releases the lease of `key` once the token is written. */
  async releaseLease(key: string): Promise<void> {
    if (this.leaseMs === 0) return;
    const storeKey = this.#storeKey("lease", key);
    await this.#call("delete", () => this.#adapter.delete(storeKey));
  }

  /** Re-reads `key` while another instance holds the lease, until a token appears or the lease runs out. */
  async waitForLeaseHolder(key: string, signal: AbortSignal): Promise<CachedToken | undefined> {
    const deadline = Date.now() + this.leaseMs;
    while (Date.now() < deadline && !signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, leasePollMs));
      const token = await this.read(key);
      if (token !== undefined) return token;
    }
    return undefined;
  }

  /**
   * Runs one store call, bounded by `timeoutMs`: its value, or `undefined` when it threw and
   * `timedOut` when it did not answer in time (both reported). One timer and one promise: this
   * wraps every L2 hit, whose budget is a tenth of the store's own round trip.
   */
  #call<T>(
    operation: CacheErrorEvent["operation"],
    run: () => Promise<T>,
    timeoutMs = this.#timeoutMs,
  ): Promise<T | undefined | typeof timedOut> {
    return new Promise((resolve) => {
      let settled = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settle = (
        value: T | undefined | typeof timedOut,
        failure?: Omit<CacheErrorEvent, "adapter">,
      ): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (failure !== undefined) this.#report(failure);
        resolve(value);
      };
      let work: Promise<T>;
      try {
        work = run();
      } catch (error) {
        settle(undefined, { operation, reason: "threw", error });
        return;
      }
      // Armed once the store call is on its way: the bookkeeping overlaps the store's round trip.
      timer = setTimeout(
        () => settle(timedOut, { operation, reason: "timeout", error: undefined }),
        timeoutMs,
      );
      Promise.resolve(work).then(
        (value) => settle(value),
        (error: unknown) => settle(undefined, { operation, reason: "threw", error }),
      );
    });
  }

  /**
   * The store key of an L1 key: a kind, a version and a 128-bit hash of the full cache key.
   * Short (fits Workers KV's 512 bytes), synchronous, and reveals no tenant, client or token.
   */
  #storeKey(kind: "at" | "lease" | "throttle", key: string): string {
    return `${kind}3:${this.#hash(key)}`;
  }

  #report(event: Omit<CacheErrorEvent, "adapter">): void {
    const full: CacheErrorEvent = { ...event, adapter: this.#adapter.name ?? "cache adapter" };
    // A store's message may quote the value (a cache key, a token): only its name, unless PII logging is on.
    const detail =
      event.error instanceof Error
        ? `: ${event.error.name}${this.#log.pii ? `: ${event.error.message.slice(0, 200)}` : ""}`
        : "";
    this.#log.write(
      "warning",
      `L2 cache ${full.operation} ${full.reason === "invalid" ? "returned an invalid value" : full.reason === "timeout" ? "timed out" : "failed"} (${full.adapter})${detail}; treated as a miss.`,
    );
    try {
      this.#onCacheError?.(full);
    } catch {
      // A failing callback must not fail the acquisition either.
    }
  }
}
