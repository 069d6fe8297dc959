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

/** A cache slot: the token plus the bookkeeping eviction needs. */
interface Slot {
  token: CachedToken;
  bytes: number;
  used: boolean;
}

/** Estimated bytes of an entry beyond its key and token strings: the slot, the token record and the Map entry. */
const fixedEntryBytes = 200;
/** How many entries one eviction may look at before it gives up second chances. */
const maxScanPerEviction = 64;

/** Default bounds of the L1 cache. */
export const defaultMemoryCacheLimits = { maxEntries: 100_000, maxBytes: 64 * 1024 * 1024 } as const;

/** The bounded in-memory token cache. */
export class MemoryTokenCache {
  readonly #slots = new Map<string, Slot>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(limits: MemoryCacheLimits = {}) {
    this.#maxEntries = Math.max(1, limits.maxEntries ?? defaultMemoryCacheLimits.maxEntries);
    this.#maxBytes = Math.max(1, limits.maxBytes ?? defaultMemoryCacheLimits.maxBytes);
  }

  /** The token under `key`, marked as used; expiry is the caller's to judge. */
  get(key: string): CachedToken | undefined {
    const slot = this.#slots.get(key);
    if (slot === undefined) return undefined;
    slot.used = true;
    return slot.token;
  }

  /** Stores `token` under `key`, evicting as needed to stay within both limits. */
  set(key: string, token: CachedToken, now: number): void {
    this.delete(key);
    const bytes = key.length + token.accessToken.length + fixedEntryBytes;
    if (bytes > this.#maxBytes) return;
    while (this.#slots.size >= this.#maxEntries || this.#bytes + bytes > this.#maxBytes) this.#evictOne(now);
    this.#slots.set(key, { token, bytes, used: false });
    this.#bytes += bytes;
  }

  /** Removes `key`. */
  delete(key: string): void {
    const slot = this.#slots.get(key);
    if (slot === undefined) return;
    this.#slots.delete(key);
    this.#bytes -= slot.bytes;
  }

  /** Removes every token `predicate` selects; returns how many. */
  deleteWhere(predicate: (token: CachedToken) => boolean): number {
    let removed = 0;
    for (const [key, slot] of this.#slots) {
      if (predicate(slot.token)) {
        this.delete(key);
        removed++;
      }
    }
    return removed;
  }

  /** Every key and token held, oldest first (expired ones included: the caller judges). */
  *entries(): IterableIterator<[string, CachedToken]> {
    for (const [key, slot] of this.#slots) yield [key, slot.token];
  }

  /** Removes every token. */
  clear(): void {
    this.#slots.clear();
    this.#bytes = 0;
  }

  /** Number of tokens held. */
  get size(): number {
    return this.#slots.size;
  }

  /** Estimated bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  #evictOne(now: number): void {
    let scanned = 0;
    for (const [key, slot] of this.#slots) {
      const expired = slot.token.expiresOn <= now;
      if (expired || !slot.used || scanned >= maxScanPerEviction) {
        this.delete(key);
        return;
      }
      // Second chance: move to the young end and clear the flag.
      slot.used = false;
      this.#slots.delete(key);
      this.#slots.set(key, slot);
      scanned++;
    }
  }
}
