/**
 * The Durable Object class behind `durableObjectCache`: one object holds the entries of one shard
 * in its SQLite-backed storage, each with its absolute expiry beside it, and answers the adapter's
 * RPC calls. An object runs one call at a time and every read-then-write below is synchronous
 * (`storage.sql.exec`), so `setIfAbsent`, `setIfEquals` and `deleteIfEquals` are atomic.
 *
 * @module
 */

import { DurableObject } from "cloudflare:workers";

/**
 * The part of a Durable Object's state (`DurableObjectState`, `ctx`) the class uses, typed
 * structurally so that no `@cloudflare/workers-types` dependency is needed. workerd passes it.
 *
 * @example
 * ```ts
 * const state: DurableObjectStateLike = ctx; // a DurableObjectState of a SQLite-backed class
 * ```
 */
export interface DurableObjectStateLike {
  /** The object's storage (SQLite-backed: `new_sqlite_classes` in the migration). */
  readonly storage: {
    /** The SQL API of SQLite-backed storage. */
    readonly sql: {
      /** Runs one statement with its `?` bindings; synchronous. */
      exec(
        query: string,
        ...bindings: unknown[]
      ): {
        /** The rows, as objects by column name. */
        toArray(): Record<string, unknown>[];
      };
    };
    /** The time of the scheduled alarm, epoch ms, or `null`. */
    getAlarm(): Promise<number | null>;
    /** Schedules the alarm (`alarm()` runs then). */
    setAlarm(scheduledTime: number): Promise<void>;
  };
}

/** The longest `waitFor` waits, in ms, whatever it is asked. */
const MAX_WAIT_MS = 60_000;
/** The longest time to live an entry takes, in ms (a year; the core asks far less). */
const MAX_TTL_MS = 366 * 24 * 3600 * 1000;
/** How many entries an object keeps in memory besides storage (a token record is 1–4 KB). */
const MAX_REMEMBERED = 256;

/** An entry as stored: its value and absolute expiry, epoch ms. */
interface Entry {
  readonly value: string;
  readonly expiresAt: number;
}

/**
 * A Durable Object that stores the entries of `durableObjectCache`. Export it from your Worker
 * unchanged and bind it (wrangler.toml: a `durable_objects` binding to this class, and a migration
 * with `new_sqlite_classes = ["TokenCacheDurableObject"]`). It needs no other binding.
 *
 * RPC methods (called by the adapter; TTLs in ms): `get`, `set`, `delete`, `setIfAbsent`,
 * `setIfEquals`, `deleteIfEquals`, and `waitFor`, which resolves as soon as a key is written in
 * this object. Expiry is checked on every read; an alarm sweeps expired entries from storage.
 * The last 256 entries written or read are also kept in memory, so that a hit reads no storage
 * (storage stays the record: an object that restarts reads it again).
 *
 * @example
 * ```ts
 * import { TokenCacheDurableObject, durableObjectCache } from "entra-edge/adapters/durable-object";
 * export { TokenCacheDurableObject };
 * ```
 */
export class TokenCacheDurableObject extends DurableObject {
  readonly #storage: DurableObjectStateLike["storage"];
  /**
   * Entries lately written or read, oldest first: the same as storage holds (every write and
   * delete goes to both), at most {@link MAX_REMEMBERED}.
   */
  readonly #remembered = new Map<string, Entry>();
  /** Waiters by key: resolved by the next write of that key. */
  readonly #waiters = new Map<string, Set<(value: string) => void>>();
  /** The alarm scheduled, epoch ms; `null`: none; `undefined`: not read yet. */
  #alarmAt: number | null | undefined;

  /**
   * Called by workerd.
   *
   * @param ctx - The object's state.
   * @param env - The Worker's bindings (unused).
   */
  constructor(ctx: DurableObjectStateLike, env: unknown) {
    super(ctx, env);
    this.#storage = ctx.storage;
    // With KV-backed storage (`new_classes`), workerd's `sql` getter throws "SQL is not enabled
    // for this Durable Object class ... change `new_classes` to `new_sqlite_classes`".
    this.#storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS entra_edge_entries " +
        "(key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at INTEGER NOT NULL)",
    );
  }

  /**
   * The value of `key`, or `undefined` when there is none or it expired.
   *
   * @param key - The store key.
   * @returns The value, or `undefined`.
   */
  async get(key: string): Promise<string | undefined> {
    return this.#read(text(key, "key"));
  }

  /**
   * Stores `value` under `key` for `ttlMs` milliseconds, and wakes the waiters of `key`.
   *
   * @param key - The store key.
   * @param value - The value.
   * @param ttlMs - The time to live, in ms (> 0).
   */
  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.#write(text(key, "key"), text(value, "value"), expiry(ttlMs));
  }

  /**
   * Removes `key` (a missing key is not an error).
   *
   * @param key - The store key.
   */
  async delete(key: string): Promise<void> {
    this.#remove(text(key, "key"));
  }

  /**
   * Stores `value` for `ttlMs` ms only if `key` is absent or expired, atomically.
   *
   * @returns Whether it stored the value.
   */
  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    const at = expiry(ttlMs);
    if (this.#read(text(key, "key")) !== undefined) return false;
    await this.#write(key, text(value, "value"), at);
    return true;
  }

  /**
   * Replaces the value of `key` by `value`, for `ttlMs` ms, only if it holds `expected` and has
   * not expired, atomically.
   *
   * @returns Whether it replaced the value.
   */
  async setIfEquals(key: string, expected: string, value: string, ttlMs: number): Promise<boolean> {
    const at = expiry(ttlMs);
    if (this.#read(text(key, "key")) !== text(expected, "expected")) return false;
    await this.#write(key, text(value, "value"), at);
    return true;
  }

  /**
   * Removes `key` only if it holds `expected` and has not expired, atomically.
   *
   * @returns Whether it removed the entry.
   */
  async deleteIfEquals(key: string, expected: string): Promise<boolean> {
    if (this.#read(text(key, "key")) !== text(expected, "expected")) return false;
    this.#remove(key);
    return true;
  }

  /**
   * Resolves with the value of `key` as soon as it is next written (`set`, `setIfAbsent`,
   * `setIfEquals`), or after `timeoutMs` (at most 60 s) with what is there then, or `undefined`.
   *
   * @param key - The store key.
   * @param timeoutMs - The longest wait, in ms.
   * @returns The value written, or the value at the timeout.
   */
  waitFor(key: string, timeoutMs: number): Promise<string | undefined> {
    const name = text(key, "key");
    const ms = Math.min(MAX_WAIT_MS, Math.max(0, Number.isFinite(timeoutMs) ? timeoutMs : 0));
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(name) ?? new Set<(value: string) => void>();
      this.#waiters.set(name, waiters);
      const wake = (value: string): void => {
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => {
        waiters.delete(wake);
        if (waiters.size === 0 && this.#waiters.get(name) === waiters) this.#waiters.delete(name);
        resolve(this.#read(name));
      }, ms);
      waiters.add(wake);
    });
  }

  /** Removes the expired entries and schedules the next sweep. Called by workerd. */
  async alarm(): Promise<void> {
    const now = Date.now();
    const sql = this.#storage.sql;
    sql.exec("DELETE FROM entra_edge_entries WHERE expires_at <= ?", now);
    for (const [key, entry] of this.#remembered)
      if (entry.expiresAt <= now) this.#remembered.delete(key);
    const next = sql.exec("SELECT MIN(expires_at) AS next FROM entra_edge_entries").toArray()[0];
    this.#alarmAt = null;
    if (typeof next?.["next"] === "number") await this.#sweepBy(next["next"]);
  }

  /** The unexpired value of `key`, or `undefined`: from memory, else from storage. Synchronous. */
  #read(key: string): string | undefined {
    const known = this.#remembered.get(key);
    if (known !== undefined) return known.expiresAt > Date.now() ? known.value : undefined;
    const row = this.#storage.sql
      .exec("SELECT value, expires_at FROM entra_edge_entries WHERE key = ?", key)
      .toArray()[0];
    if (row === undefined) return undefined;
    const entry: Entry = { value: String(row["value"]), expiresAt: Number(row["expires_at"]) };
    this.#remember(key, entry);
    return entry.expiresAt > Date.now() ? entry.value : undefined;
  }

  /** Keeps `entry` of `key` in memory, forgetting the oldest beyond {@link MAX_REMEMBERED}. */
  #remember(key: string, entry: Entry): void {
    this.#remembered.delete(key);
    this.#remembered.set(key, entry);
    if (this.#remembered.size > MAX_REMEMBERED)
      this.#remembered.delete(this.#remembered.keys().next().value as string);
  }

  /** Removes `key` from storage and memory. */
  #remove(key: string): void {
    this.#storage.sql.exec("DELETE FROM entra_edge_entries WHERE key = ?", key);
    this.#remembered.delete(key);
  }

  /** Writes an entry (synchronously), wakes its waiters, then makes sure a sweep will remove it. */
  async #write(key: string, value: string, expiresAt: number): Promise<void> {
    this.#storage.sql.exec(
      "INSERT OR REPLACE INTO entra_edge_entries (key, value, expires_at) VALUES (?, ?, ?)",
      key,
      value,
      expiresAt,
    );
    this.#remember(key, { value, expiresAt });
    const waiters = this.#waiters.get(key);
    if (waiters !== undefined) {
      this.#waiters.delete(key);
      for (const wake of waiters) wake(value);
    }
    await this.#sweepBy(expiresAt);
  }

  /** Schedules the alarm at `at` unless one is due no later. */
  async #sweepBy(at: number): Promise<void> {
    if (this.#alarmAt === undefined) this.#alarmAt = await this.#storage.getAlarm();
    if (this.#alarmAt !== null && this.#alarmAt <= at) return;
    this.#alarmAt = at;
    await this.#storage.setAlarm(at);
  }
}

/** `value` if it is a string; else a TypeError naming `what`. */
function text(value: unknown, what: string): string {
  if (typeof value !== "string")
    throw new TypeError(`TokenCacheDurableObject: ${what} must be a string`);
  return value;
}

/** The absolute expiry, epoch ms, of a time to live in ms; a RangeError unless it is > 0. */
function expiry(ttlMs: unknown): number {
  if (typeof ttlMs !== "number" || !Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(
      `TokenCacheDurableObject: ttlMs must be a positive number, got ${String(ttlMs)}`,
    );
  }
  return Date.now() + Math.ceil(Math.min(ttlMs, MAX_TTL_MS));
}
