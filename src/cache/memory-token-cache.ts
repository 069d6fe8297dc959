/**
 * The L1 token cache: a `Map` bounded by entries and by bytes. A hit is one `Map` lookup and a
 * flag write; nothing is moved or copied. Eviction is the CLOCK (second chance) approximation
 * of least-recently-used: scanning from the oldest insertion, an expired entry goes at once, an
 * entry used since the last scan gets a second chance (moved to the young end), any other goes.
 *
 * @module
 */

import type { CachedToken } from "./cached-token";

/** Limits of the L1 cache. */
export interface MemoryCacheLimits {
  /** Most tokens kept. Default 100,000. */
  maxEntries?: number;
  /** Most bytes kept (estimated: token, key and a fixed overhead per entry). Default 64 MiB. */
  maxBytes?: number;
}

/** Computes the usual token endpoint of a tenant, so entries need not each hold that string. */
export type DefaultTokenEndpoint = (tenantId: string | undefined) => string;

/** Marks "no refresh scheduled" in {@link Entry}'s small-integer field. */
const noRefresh = -1;
/** Entries keep `cachedAt` as whole seconds after this epoch second (2023-11-14), a small integer until 2057. */
const timeBaseSeconds = 1_700_000_000;

/**
 * A cache entry: the token and the bookkeeping eviction needs, in one compact object. Times are
 * kept as small integers, which V8 stores inline where an epoch in milliseconds would each be a
 * boxed number: `cachedAt` in whole seconds after {@link timeBaseSeconds}, the expiries in
 * milliseconds after that second (so they stay exact), the refresh in seconds. The token
 * endpoint is kept only when it is not the tenant's usual one, which the subclass of each cache
 * knows: this keeps an entry's overhead beyond its token under 300 bytes.
 */
abstract class Entry implements CachedToken {
  readonly accessToken: string;
  readonly tokenType: string;
  readonly scopes: readonly string[];
  readonly tenantId: string | undefined;
  /** Set by every hit, cleared by the eviction scan: the CLOCK algorithm's reference bit. */
  used = false;
  readonly #cachedAtSeconds: number;
  readonly #expiresInMs: number;
  readonly #extExpiresInMs: number;
  readonly #refreshInSeconds: number;
  readonly #endpoint: string | undefined;

  constructor(token: CachedToken) {
    this.accessToken = token.accessToken;
    this.tokenType = token.tokenType;
    this.scopes = token.scopes;
    this.tenantId = token.tenantId;
    this.#cachedAtSeconds = Math.floor(token.cachedAt / 1000) - timeBaseSeconds;
    const cachedAt = this.cachedAt;
    this.#expiresInMs = token.expiresOn - cachedAt;
    this.#extExpiresInMs = token.extendedExpiresOn - cachedAt;
    this.#refreshInSeconds = Number.isFinite(token.refreshOn)
      ? Math.round((token.refreshOn - cachedAt) / 1000)
      : noRefresh;
    this.#endpoint =
      token.tokenEndpoint === this.defaultEndpoint(token.tenantId)
        ? undefined
        : token.tokenEndpoint;
  }

  /** The usual token endpoint of `tenantId`: the same for every entry of a cache. */
  protected abstract defaultEndpoint(tenantId: string | undefined): string;

  /** When the token was requested, to the second (epoch milliseconds). */
  get cachedAt(): number {
    return (timeBaseSeconds + this.#cachedAtSeconds) * 1000;
  }
  get expiresOn(): number {
    return this.cachedAt + this.#expiresInMs;
  }
  get extendedExpiresOn(): number {
    return this.cachedAt + this.#extExpiresInMs;
  }
  get refreshOn(): number {
    return this.#refreshInSeconds === noRefresh
      ? Infinity
      : this.cachedAt + this.#refreshInSeconds * 1000;
  }
  get tokenEndpoint(): string {
    return this.#endpoint ?? this.defaultEndpoint(this.tenantId);
  }
}

/** The entry class of one cache, which knows the cache's usual token endpoints. */
type EntryClass = new (token: CachedToken) => Entry;

function entryClassFor(defaultEndpoint: DefaultTokenEndpoint): EntryClass {
  return class extends Entry {
    protected defaultEndpoint(tenantId: string | undefined): string {
      return defaultEndpoint(tenantId);
    }
  };
}

/**
 * Estimated bytes of an entry beyond its key and token strings: the entry object, the `Map`
 * slot, the tenant id and the share of the scopes array (measured with `npm run bench`, heap
 * scenario). An unusual token endpoint, kept by the entry, is not counted.
 */
const fixedEntryBytes = 280;
/** An entry's estimated bytes: computed again on removal rather than stored (a field per entry). */
function entryBytes(key: string, accessToken: string): number {
  return key.length + accessToken.length + fixedEntryBytes;
}

/** How many entries one eviction may look at before it gives up second chances. */
const maxScanPerEviction = 64;

/** Default bounds of the L1 cache. */
export const defaultMemoryCacheLimits = {
  maxEntries: 100_000,
  maxBytes: 64 * 1024 * 1024,
} as const;

/** The bounded in-memory token cache. */
export class MemoryTokenCache {
  readonly #entries = new Map<string, Entry>();
  readonly #Entry: EntryClass;
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  #bytes = 0;

  /** @param defaultEndpoint the usual token endpoint of a tenant (entries store only other ones). */
  constructor(limits: MemoryCacheLimits = {}, defaultEndpoint: DefaultTokenEndpoint = () => "") {
    this.#Entry = entryClassFor(defaultEndpoint);
    this.#maxEntries = Math.max(1, limits.maxEntries ?? defaultMemoryCacheLimits.maxEntries);
    this.#maxBytes = Math.max(1, limits.maxBytes ?? defaultMemoryCacheLimits.maxBytes);
  }

  /** The token under `key`, marked as used; expiry is the caller's to judge. */
  get(key: string): CachedToken | undefined {
    const entry = this.#entries.get(key);
    if (entry !== undefined) entry.used = true;
    return entry;
  }

  /** Stores `token` under `key`, evicting as needed to stay within both limits. */
  set(key: string, token: CachedToken, now: number): void {
    this.delete(key);
    const bytes = entryBytes(key, token.accessToken);
    if (bytes > this.#maxBytes) return;
    while (this.#entries.size >= this.#maxEntries || this.#bytes + bytes > this.#maxBytes)
      this.#evictOne(now);
    this.#entries.set(key, new this.#Entry(token));
    this.#bytes += bytes;
  }

  /** Removes `key`. */
  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= entryBytes(key, entry.accessToken);
  }

  /** Removes every token `predicate` selects; returns how many. */
  deleteWhere(predicate: (token: CachedToken) => boolean): number {
    let removed = 0;
    for (const [key, entry] of this.#entries) {
      if (predicate(entry)) {
        this.delete(key);
        removed++;
      }
    }
    return removed;
  }

  /** Every key and token held, oldest first (expired ones included: the caller judges). */
  *entries(): IterableIterator<[string, CachedToken]> {
    yield* this.#entries;
  }

  /** Removes every token. */
  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  /** Number of tokens held. */
  get size(): number {
    return this.#entries.size;
  }

  /** Estimated bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  #evictOne(now: number): void {
    let scanned = 0;
    for (const [key, entry] of this.#entries) {
      if (entry.expiresOn <= now || !entry.used || scanned >= maxScanPerEviction) {
        this.delete(key);
        return;
      }
      // Second chance: move to the young end and clear the flag.
      entry.used = false;
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      scanned++;
    }
  }
}
