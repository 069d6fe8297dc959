/**
 * A deadline whose timer is cleared as soon as the work is done. `AbortSignal.timeout` would
 * leave one pending timer per request until it fires; at thousands of requests a second those
 * pile up.
 *
 * @module
 */

/** An abort signal that fires with a `TimeoutError` after `ms`, and its cancel. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** Clears the timer; call it when the work is over. */
  clear(): void;
}

/** Starts a deadline of `ms` milliseconds. */
export function startDeadline(ms: number): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException("The operation timed out.", "TimeoutError")), ms);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}
