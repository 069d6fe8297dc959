/**
 * Deadlines. A deadline's timer is cleared as soon as the work is done (`AbortSignal.timeout`
 * would leave one pending timer per request until it fires), it can follow a parent signal, and
 * `raceSignal` makes work that ignores its signal (a hung callback, a `fetch` that never settles)
 * give up at the deadline anyway.
 *
 * @module
 */

/** An abort signal that fires with a `TimeoutError` after `ms` (or when its parent aborts), and its cancel. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** Clears the timer and the link to the parent; call it when the work is over. */
  clear(): void;
}

/** Starts a deadline of `ms` milliseconds, aborting early with `parent`'s reason if `parent` aborts. */
export function startDeadline(ms: number, parent?: AbortSignal): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException("The operation timed out.", "TimeoutError")),
    ms,
  );
  const followParent = (): void => controller.abort(parent?.reason);
  if (parent !== undefined) {
    if (parent.aborted) followParent();
    else parent.addEventListener("abort", followParent, { once: true });
  }
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
      parent?.removeEventListener("abort", followParent);
    },
  };
}

/**
 * Settles with `work`, or rejects with `onAbort()` as soon as `signal` aborts, whichever comes
 * first. The work itself goes on (it cannot be cancelled from here); its outcome is ignored.
 */
export function raceSignal<T>(
  work: Promise<T>,
  signal: AbortSignal,
  onAbort: () => unknown,
): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(onAbort());
  }
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => reject(onAbort());
    signal.addEventListener("abort", abort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", abort);
        reject(error);
      },
    );
  });
}
