/**
 * The cache of one helper instance: the external token it last obtained (per audience), reused
 * for every token request while it has more than 60 s left, and one shared fetch
 * when several requests need a new one at once.
 *
 * @module
 */

import { ClientError } from "../src/errors";
import { expiryOf } from "./jwt-expiry";

/** Gets a new external token; `signal` aborts when no caller waits for it any more. */
export type ExternalTokenFetch = (key: string, signal: AbortSignal) => Promise<string>;

/** The margin before `exp` inside which a kept token is fetched again: 60 s. */
const refreshMarginMs = 60_000;

interface KeptToken {
  readonly token: string;
  /** Before this time the token is reused; after it, fetched again. */
  readonly reuseUntil: number;
}

interface Flight {
  readonly promise: Promise<string>;
  readonly controller: AbortController;
  waiters: number;
}

/** Keeps external tokens for one helper instance. */
export class ExternalTokenCache {
  readonly #source: string;
  readonly #fetch: ExternalTokenFetch;
  readonly #kept = new Map<string, KeptToken>();
  readonly #flights = new Map<string, Flight>();

  /** `source` names the helper and where its token comes from, for error messages. */
  constructor(source: string, fetchToken: ExternalTokenFetch) {
    this.#source = source;
    this.#fetch = fetchToken;
  }

  /**
   * A token for `key` at `now` (the application's clock): the kept one while it has more than the
   * margin left, else a fresh one (shared with concurrent callers). A fresh token is returned
   * while it has not expired, even inside the margin; an expired one is never returned.
   * @throws ClientError or NetworkError from the fetch; ClientError `invalid_client_assertion`
   *   for a fetched value that is not a JWT or has expired; `signal`'s reason when it aborts.
   */
  async get(key: string, signal: AbortSignal, now: number = Date.now()): Promise<string> {
    const kept = this.#kept.get(key);
    if (kept !== undefined && now < kept.reuseUntil) return kept.token;
    const flight = this.#flights.get(key) ?? this.#start(key, now);
    flight.waiters++;
    try {
      return await waitFor(flight.promise, signal);
    } finally {
      flight.waiters--;
      if (flight.waiters === 0 && signal.aborted && this.#flights.get(key) === flight) {
        // Nobody waits any more: stop the fetch so that a hung source cannot hold later callers.
        this.#flights.delete(key);
        flight.controller.abort();
      }
    }
  }

  #start(key: string, now: number): Flight {
    const controller = new AbortController();
    const promise = this.#obtain(key, controller.signal, now);
    const flight: Flight = { promise, controller, waiters: 0 };
    this.#flights.set(key, flight);
    // Settled either way: later callers start afresh. Waiters that gave up leave no unhandled rejection.
    promise.then(
      () => this.#land(key, flight),
      () => this.#land(key, flight),
    );
    return flight;
  }

  #land(key: string, flight: Flight): void {
    if (this.#flights.get(key) === flight) this.#flights.delete(key);
  }

  async #obtain(key: string, signal: AbortSignal, now: number): Promise<string> {
    const token = await this.#fetch(key, signal);
    const expiresAt = expiryOf(token, this.#source);
    if (expiresAt !== undefined && expiresAt <= now) {
      throw new ClientError(
        "invalid_client_assertion",
        `${this.#source} gave a token that expired at ${new Date(expiresAt).toISOString()}: the source must provide a current token (check the source and this machine's clock).`,
      );
    }
    // A token without `exp` is sent as is and not kept: its life is unknown.
    if (expiresAt !== undefined)
      this.#kept.set(key, { token, reuseUntil: expiresAt - refreshMarginMs });
    return token;
  }
}

function waitFor<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
