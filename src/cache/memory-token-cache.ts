/**
 * The L1 token cache: a `Map` bounded by entries and by bytes. A hit is one `Map` lookup and a
 * flag write; nothing is moved or copied. Eviction is the CLOCK (second chance) approximation
 * of least-recently-used: scanning from the oldest insertion, an expired entry goes at once, an
 * entry used since the last scan gets a second chance (moved to the young end), any other goes.
 *
 * @module
 */

/** One cached access token. Times are epoch milliseconds. */
export interface CachedToken {
  readonly accessToken: string;
  readonly tokenType: string;
  readonly expiresOn: number;
  readonly extendedExpiresOn: number;
  /** When a proactive refresh is due; `Infinity` when none is scheduled. */
  readonly refreshOn: number;
  readonly cachedAt: number;
  readonly scopes: readonly string[];
  readonly tenantId: string | undefined;
  readonly tokenEndpoint: string;
}

/** Limits of the L1 cache. */
export interface MemoryCacheLimits {
  /** Most tokens kept. Default 100,000. */
  maxEntries?: number;
  /** Most bytes kept (estimated: token, key and a fixed overhead per entry). Default 64 MiB. */
  maxBytes?: number;
}

/**
 * A cache entry: the token's fields and the bookkeeping eviction needs, in one object (a token
 * plus a separate slot would cost an object per entry more).
 */
class Entry implements CachedToken {
  readonly accessToken: string;
  readonly tokenType: string;
  readonly expiresOn: number;
  readonly extendedExpiresOn: number;
  readonly refreshOn: number;
  readonly cachedAt: number;
  readonly scopes: readonly string[];
  readonly tenantId: string | undefined;
  readonly tokenEndpoint: string;
  readonly bytes: number;
  /** Set by every hit, cleared by the eviction scan: the CLOCK algorithm's reference bit. */
  used = false;

  constructor(token: CachedToken, bytes: number) {
    this.accessToken = token.accessToken;
    this.tokenType = token.tokenType;
    this.expiresOn = token.expiresOn;
    this.extendedExpiresOn = token.extendedExpiresOn;
    this.refreshOn = token.refreshOn;
    this.cachedAt = token.cachedAt;
    this.scopes = token.scopes;
    this.tenantId = token.tenantId;
    this.tokenEndpoint = token.tokenEndpoint;
    this.bytes = bytes;
  }
}

/**
 * Estimated bytes of an entry beyond its key and token strings: the entry object, the `Map`
 * slot, the token endpoint string and the share of the scopes array (measured with
 * `npm run bench`, heap scenario).
 */
const fixedEntryBytes = 320;
/** How many entries one eviction may look at before it gives up second chances. */
const maxScanPerEviction = 64;

/** Default bounds of the L1 cache. */
export const defaultMemoryCacheLimits = { maxEntries: 100_000, maxBytes: 64 * 1024 * 1024 } as const;

/** The bounded in-memory token cache. */
export class MemoryTokenCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(limits: MemoryCacheLimits = {}) {
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
    const bytes = key.length + token.accessToken.length + fixedEntryBytes;
    if (bytes > this.#maxBytes) return;
    while (this.#entries.size >= this.#maxEntries || this.#bytes + bytes > this.#maxBytes) this.#evictOne(now);
    this.#entries.set(key, new Entry(token, bytes));
    this.#bytes += bytes;
  }

  /** Removes `key`. */
  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
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
