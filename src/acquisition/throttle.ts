/**
 * Remembers `Retry-After` per request key (client, authority, tenant, scopes): until it passes,
 * the same request fails at once with a `ThrottledError` and makes no network call, while other
 * tenants go on. Bounded: the oldest blocks are forgotten first.
 *
 * A block comes from this instance's own answer from the identity provider, or from a marker
 * another instance shared through the L2 store. Either lasts one hour at most (the cap the
 * writer puts on `Retry-After`), on this instance's clock: a shared marker is capped at one hour
 * from the first time this instance read it, so that a marker written by a clock far ahead, or
 * by anyone who can write the store, blocks for an hour at most, however long it stays. And a
 * shared block lasts only as long as its marker: each miss reads the marker again and follows
 * it, lifting the block once the marker is gone.
 *
 * @module
 */

import { ThrottledError } from "../errors";
import { maxRetryAfterMs } from "./token-response";

interface Block {
  readonly until: number;
  readonly error: ThrottledError;
  /** From another instance's marker (not this instance's own answer). */
  readonly shared: boolean;
}

/** A shared marker as last read, and when this instance first read it. */
interface SeenMarker {
  readonly until: number;
  readonly status: number;
  readonly firstSeen: number;
}

const maxBlocks = 10_000;

/** Throttle state of one application (shared by instances with the same identity). */
export class ThrottleState {
  readonly #blocks = new Map<string, Block>();
  readonly #markers = new Map<string, SeenMarker>();

  /** Records a throttling answer for `key`. */
  record(key: string, error: ThrottledError, now: number): void {
    if (error.retryAfterMs === undefined || error.retryAfterMs <= 0) return;
    this.#set(key, now + Math.min(error.retryAfterMs, maxRetryAfterMs), error, false);
  }

  /**
   * Follows what the L2 store says of `key` (see `DistributedTokenCache.readThrottle`): a marker
   * sets a shared block, until the marker's time but no later than one hour after this instance
   * first read that marker; `null` (no marker, or none to trust) lifts it; `undefined` (the store
   * did not answer) keeps it. A block from this instance's own answer is left as it is.
   */
  syncShared(
    key: string,
    marker: { readonly until: number; readonly status: number } | null | undefined,
    now: number,
  ): void {
    if (marker === undefined) return;
    let until = now;
    if (marker === null) {
      this.#markers.delete(key);
    } else {
      const seen = this.#markers.get(key);
      const firstSeen =
        seen !== undefined && seen.until === marker.until && seen.status === marker.status
          ? seen.firstSeen
          : now;
      if (firstSeen === now) bounded(this.#markers).set(key, { ...marker, firstSeen });
      until = Math.min(marker.until, firstSeen + maxRetryAfterMs);
    }
    const block = this.#blocks.get(key);
    if (block !== undefined && !block.shared && block.until > now) return;
    if (marker === null || until <= now) {
      if (block !== undefined) this.#blocks.delete(key);
      return;
    }
    const { status } = marker;
    const error = new ThrottledError(`Another instance was throttled (HTTP ${status}).`, {
      status,
      retryAfterMs: until - now,
    });
    this.#set(key, until, error, true);
  }

  /** Throws a `ThrottledError` when `key` is blocked at `now`. */
  check(key: string, now: number, correlationId: string): void {
    const block = this.#blocks.get(key);
    if (block === undefined) return;
    if (block.until <= now) {
      this.#blocks.delete(key);
      return;
    }
    const { error } = block;
    const retryAfterMs = block.until - now;
    throw new ThrottledError(
      `Not sent: the identity provider asked to wait before this request again (HTTP ${error.status}); ${Math.ceil(retryAfterMs / 1000)} s left. Serve a cached token or retry later.`,
      {
        status: error.status,
        error: error.error,
        errorDescription: error.errorDescription,
        errorCodes: error.errorCodes,
        traceId: error.traceId,
        timestamp: error.timestamp,
        retryAfterMs,
        correlationId,
        cause: error,
      },
    );
  }

  /** Whether `key` is blocked at `now` (without throwing). */
  isBlocked(key: string, now: number): boolean {
    const block = this.#blocks.get(key);
    return block !== undefined && block.until > now;
  }

  /** Number of keys blocked (expired blocks included until next checked). */
  get size(): number {
    return this.#blocks.size;
  }

  #set(key: string, until: number, error: ThrottledError, shared: boolean): void {
    this.#blocks.delete(key);
    bounded(this.#blocks).set(key, { until, error, shared });
  }
}

/** `map`, with its oldest entry dropped when it is full. */
function bounded<V>(map: Map<string, V>): Map<string, V> {
  if (map.size >= maxBlocks) {
    const oldest = map.keys().next();
    if (oldest.done !== true) map.delete(oldest.value);
  }
  return map;
}
