/**
 * Remembers `Retry-After` per request key (client, authority, tenant, scopes): until it passes,
 * the same request fails at once with a `ThrottledError` and makes no network call, while other
 * tenants go on. Bounded: the oldest blocks are forgotten first.
 *
 * @module
 */

import { ThrottledError } from "../errors";

interface Block {
  readonly until: number;
  readonly error: ThrottledError;
}

const maxBlocks = 10_000;

/** Throttle state of one application (shared by instances with the same identity). */
export class ThrottleState {
  readonly #blocks = new Map<string, Block>();

  /** Records a throttling answer for `key`. */
  record(key: string, error: ThrottledError, now: number): void {
    if (error.retryAfterMs === undefined || error.retryAfterMs <= 0) return;
    this.#blocks.delete(key);
    if (this.#blocks.size >= maxBlocks) {
      const oldest = this.#blocks.keys().next();
      if (oldest.done !== true) this.#blocks.delete(oldest.value);
    }
    this.#blocks.set(key, { until: now + error.retryAfterMs, error });
  }

  /** Records a block another instance shared through the L2 cache. */
  recordShared(key: string, until: number, status: number, now: number): void {
    const retryAfterMs = until - now;
    if (retryAfterMs <= 0) return;
    this.record(
      key,
      new ThrottledError(`Another instance was throttled (HTTP ${status}).`, {
        status,
        retryAfterMs,
      }),
      now,
    );
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
}
