/**
 * A `Map` of bounded size that forgets its least recently used entry first: per-endpoint state of
 * a credential stays small however many tenants an application serves.
 *
 * @module
 */

/** A map holding at most `limit` entries; reading or writing an entry makes it the most recent. */
export class RecentMap<K, V> {
  readonly #entries = new Map<K, V>();
  readonly #limit: number;

  /** Creates an empty map that holds at most `limit` (≥ 1) entries. */
  constructor(limit: number) {
    this.#limit = Math.max(1, Math.floor(limit));
  }

  /** The number of entries, never more than the limit. */
  get size(): number {
    return this.#entries.size;
  }

  /** The value of `key`, which becomes the most recent entry; `undefined` when absent. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  /** Sets `key` as the most recent entry, forgetting the least recent one beyond the limit. */
  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.#limit) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }
}
