/**
 * The cross-instance refresh lease: of the instances that miss one key at once, one (the holder)
 * asks the identity provider while the others poll the store for its token.
 *
 * - Taking: `setIfAbsent` with a value unique to the holder (random; sealed when encryption is
 *   on), so that the lease names its owner. The new holder reads the token key once more before
 *   asking: the previous holder may have written its token and released the lease after this
 *   instance's read.
 * - Holding: while its token request runs, the holder renews the lease every third of its
 *   duration with `setIfEquals` (a new value each time), so a slow identity provider does not let
 *   it expire. Without `setIfEquals` the lease expires after its duration and the next holder
 *   takes over: at most one token request per lease period.
 * - Waiting: a waiter polls the token key (every 50 ms; or, where the store has `waitForValue`,
 *   as soon as the token is written, and at least every 500 ms: the value the wait hands back
 *   is served without reading the store again); when the lease is gone
 *   (released or expired) it tries to take it itself, and only one waiter wins. A lease whose
 *   value stays the same for two durations and a second (a holder that neither renews nor lets
 *   it expire), or that does not open under the encryption keys, is replaced with `setIfEquals`
 *   (one winner again), or, where the store cannot, no longer waited for.
 * - Releasing: only by its owner, with `deleteIfEquals`; without it the lease is left to expire
 *   (the waiters see the token before then).
 *
 * A store that fails while taking or waiting never holds an acquisition back: the caller goes on
 * without a lease.
 *
 * @module
 */

import { errorIdentity } from "../internal/safe-error";
import { randomId } from "../internal/uuid";
import type { CacheAdapter } from "./cache-adapter";
import type { CachedToken } from "./cached-token";
import type { ValueSealer } from "./sealing";
import { failed, type StoreCalls } from "./store-calls";

/** A lease this instance holds. */
export interface HeldLease {
  /** Stops renewing and releases the lease if it is still this holder's. Never throws. */
  release(): Promise<void>;
}

/**
 * How a miss under the lease goes on: with `token`, another instance's token to serve; else
 * with `lease` (held, or `undefined` when the store failed or the wait gave up) and a token
 * request. `waited`: another instance held the lease first.
 */
export type LeaseOutcome =
  | { readonly token: CachedToken; readonly lease?: undefined; readonly waited: true }
  | { readonly token?: undefined; readonly lease: HeldLease | undefined; readonly waited: boolean };

const pollMs = 50;
/** With `waitForValue`: the longest a waiter goes without looking at the lease. */
const waitSliceMs = 500;
/** With `waitForValue`: how long past its slice a wait may take before the waiter looks anyway. */
const waitGraceMs = 1000;
/** The lease value was there, but what it holds cannot be read (absent, then not takeable). */
const hidden = Symbol("hidden lease");

/**
 * The token key a lease guards, for stores with `waitForValue`: its store key, and how to read
 * the token out of a value written there (`undefined` when it holds none to serve).
 */
export interface GuardedToken {
  readonly storeKey: string;
  open(value: string): Promise<CachedToken | undefined>;
}

/** The lease protocol over one adapter. */
export class RefreshLeases {
  readonly #adapter: CacheAdapter;
  readonly #store: StoreCalls;
  readonly #sealer: ValueSealer | undefined;
  readonly #leaseMs: number;

  constructor(
    adapter: CacheAdapter,
    store: StoreCalls,
    sealer: ValueSealer | undefined,
    leaseMs: number,
  ) {
    this.#adapter = adapter;
    this.#store = store;
    this.#sealer = sealer;
    this.#leaseMs = leaseMs;
  }

  /**
   * Takes the lease at `storeKey`, or waits for its holder's token (`readToken`, served when
   * `accept` says so) or for the lease to be free, until `signal` aborts. `guarded`, the token
   * key `readToken` reads, lets a store with `waitForValue` wake the waiter on its write and
   * hand it the token.
   */
  async acquire(
    storeKey: string,
    readToken: () => Promise<CachedToken | undefined>,
    accept: (token: CachedToken) => boolean | Promise<boolean>,
    signal: AbortSignal,
    guarded?: GuardedToken,
  ): Promise<LeaseOutcome> {
    const value = await this.#newValue(storeKey);
    if (value === undefined) return { lease: undefined, waited: false };
    const first = await this.#take(storeKey, value, signal, false);
    if (first !== undefined) return this.#lookAgain(first, readToken, accept);
    let seen: string | typeof hidden | undefined;
    let seenSince = Date.now();
    const staleMs = 2 * this.#leaseMs + 1000;
    while (!signal.aborted) {
      const written = await this.#nextLook(guarded?.storeKey, signal);
      if (signal.aborted) break;
      // The token the wait handed back needs no second read; anything else, read the store.
      const handed = written === undefined ? undefined : await guarded?.open(written);
      if (handed !== undefined && accept(handed)) return { token: handed, waited: true };
      const token = await readToken();
      if (token !== undefined && (await accept(token))) return { token, waited: true };
      const current = await this.#read(storeKey);
      if (current === failed) return { lease: undefined, waited: true };
      if (current === undefined) {
        const taken = await this.#take(storeKey, value, signal, true);
        if (taken !== undefined) return this.#lookAgain(taken, readToken, accept);
      }
      const observed = current === undefined ? hidden : current.value;
      if (observed !== seen) {
        seen = observed;
        seenSince = Date.now();
      }
      const authentic = current === undefined || current.authentic;
      if (authentic && Date.now() - seenSince <= staleMs) continue;
      // Not renewed, not expired, or not ours to trust: take it over if the store can say "only
      // if unchanged"; otherwise stop waiting for it.
      const setIfEquals = this.#adapter.setIfEquals;
      if (observed === hidden || setIfEquals === undefined)
        return { lease: undefined, waited: true };
      const replaced = await this.#store.call("lease", () =>
        setIfEquals.call(this.#adapter, storeKey, observed, value, this.#leaseMs),
      );
      if (replaced === failed) return { lease: undefined, waited: true };
      if (replaced) return this.#won(storeKey, value, signal, true);
    }
    return { lease: undefined, waited: true };
  }

  /**
   * Waits until the waiter should look at the store again: 50 ms, or, where the store has
   * `waitForValue`, until the token is written, {@link waitSliceMs} pass or `signal` aborts. A
   * failing wait is reported and followed by a 50 ms pause (the reads that follow say the rest).
   * Returns the token key's value when the wait handed one back.
   */
  async #nextLook(
    tokenStoreKey: string | undefined,
    signal: AbortSignal,
  ): Promise<string | undefined> {
    const waitForValue = this.#adapter.waitForValue;
    if (waitForValue === undefined || tokenStoreKey === undefined) return pause(pollMs);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const waited = (async () => {
      try {
        const value: unknown = await waitForValue.call(this.#adapter, tokenStoreKey, waitSliceMs);
        return typeof value === "string" ? value : undefined;
      } catch (error) {
        const { name, code } = errorIdentity(error);
        const summary = code === undefined ? { name } : { name, code };
        this.#store.report({ operation: "lease", reason: "threw", error: summary });
        return pause(pollMs);
      }
    })();
    const bounded = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), waitSliceMs + waitGraceMs);
      onAbort = () => resolve(undefined);
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return await Promise.race([waited, bounded]);
    } finally {
      clearTimeout(timer);
      if (onAbort !== undefined) signal.removeEventListener("abort", onAbort);
    }
  }

  /**
   * A lease just taken may follow a holder that wrote its token and released the lease between
   * this instance's read of the token key and its take: the token is read once more before the
   * identity provider is asked, and served (the lease released) when it may be.
   */
  async #lookAgain(
    outcome: LeaseOutcome,
    readToken: () => Promise<CachedToken | undefined>,
    accept: (token: CachedToken) => boolean | Promise<boolean>,
  ): Promise<LeaseOutcome> {
    if (outcome.lease === undefined) return outcome;
    const token = await readToken();
    if (token === undefined || !(await accept(token))) return outcome;
    await outcome.lease.release();
    return { token, waited: true };
  }

  /** Tries `setIfAbsent`: an outcome when won or when the store failed, `undefined` when held by another. */
  async #take(
    storeKey: string,
    value: string,
    signal: AbortSignal,
    waited: boolean,
  ): Promise<LeaseOutcome | undefined> {
    const setIfAbsent = this.#adapter.setIfAbsent;
    if (setIfAbsent === undefined) return { lease: undefined, waited };
    const won = await this.#store.call("lease", () =>
      setIfAbsent.call(this.#adapter, storeKey, value, this.#leaseMs),
    );
    // A failing store must not stop every instance from refreshing: go on without a lease.
    if (won === failed) return { lease: undefined, waited };
    return won ? this.#won(storeKey, value, signal, waited) : undefined;
  }

  #won(storeKey: string, value: string, signal: AbortSignal, waited: boolean): LeaseOutcome {
    const lease = new Lease(this, storeKey, value, signal);
    // Won just as the caller gave up: nobody will release it.
    if (signal.aborted) void lease.release();
    return { lease, waited };
  }

  /** The lease's value (`authentic`: it opens under the keys, or there are none), `undefined` or `failed`. */
  async #read(
    storeKey: string,
  ): Promise<{ value: string; authentic: boolean } | undefined | typeof failed> {
    const value = await this.#store.read("lease", () => this.#adapter.get(storeKey));
    if (value === failed || value === undefined) return value;
    if (this.#sealer === undefined) return { value, authentic: true };
    const authentic = (await this.#sealer.open(storeKey, value)) !== undefined;
    if (!authentic) this.#store.report({ operation: "lease", reason: "invalid", error: undefined });
    return { value, authentic };
  }

  /** A fresh lease value: random, and sealed to `storeKey` when encryption is on (`undefined` if sealing failed). */
  async #newValue(storeKey: string): Promise<string | undefined> {
    const id = randomId();
    return this.#sealer === undefined ? id : this.#sealer.seal(storeKey, id).catch(() => undefined);
  }

  /** Renews the lease at `storeKey` from `value` to a fresh value: the new value, `false` when lost, or `failed`. */
  async renew(storeKey: string, value: string): Promise<string | false | typeof failed> {
    const setIfEquals = this.#adapter.setIfEquals;
    if (setIfEquals === undefined) return false;
    const next = await this.#newValue(storeKey);
    if (next === undefined) return failed;
    const renewed = await this.#store.call("lease", () =>
      setIfEquals.call(this.#adapter, storeKey, value, next, this.#leaseMs),
    );
    return renewed === failed ? failed : renewed ? next : false;
  }

  /** Removes the lease at `storeKey` if it still holds `value`; where the store cannot, leaves it to expire. */
  async releaseIfHeld(storeKey: string, value: string): Promise<void> {
    const deleteIfEquals = this.#adapter.deleteIfEquals;
    if (deleteIfEquals === undefined) return;
    await this.#store.call("lease", () => deleteIfEquals.call(this.#adapter, storeKey, value));
  }

  /** How often a holder renews its lease, in ms; 0 when the store cannot. */
  get renewEveryMs(): number {
    return this.#adapter.setIfEquals === undefined ? 0 : Math.max(1, this.#leaseMs / 3);
  }
}

/** A held lease: renewed until released, lost, or its acquisition gives up. */
class Lease implements HeldLease {
  readonly #leases: RefreshLeases;
  readonly #storeKey: string;
  readonly #signal: AbortSignal;
  #value: string;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #renewing: Promise<void> = Promise.resolve();
  #released = false;

  constructor(leases: RefreshLeases, storeKey: string, value: string, signal: AbortSignal) {
    this.#leases = leases;
    this.#storeKey = storeKey;
    this.#value = value;
    this.#signal = signal;
    this.#schedule();
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    clearTimeout(this.#timer);
    await this.#renewing; // release the value a renewal in flight may have just written
    await this.#leases.releaseIfHeld(this.#storeKey, this.#value);
  }

  #schedule(): void {
    const everyMs = this.#leases.renewEveryMs;
    if (everyMs === 0 || this.#released || this.#signal.aborted) return;
    this.#timer = setTimeout(() => {
      this.#renewing = this.#renew();
    }, everyMs);
  }

  async #renew(): Promise<void> {
    if (this.#released || this.#signal.aborted) return;
    const renewed = await this.#leases.renew(this.#storeKey, this.#value);
    if (renewed === false) return; // taken over: no longer ours to renew or release
    if (renewed !== failed) this.#value = renewed;
    this.#schedule();
  }
}

function pause(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms));
}
