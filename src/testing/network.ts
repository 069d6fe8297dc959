/**
 * What happens below HTTP, as a real `fetch` would show it: connection failures (a dropped
 * connection, an unresolvable host) and latency that an abort can cut short.
 *
 * @module
 */

/**
 * A connection-level failure as Node's fetch reports it: `TypeError("fetch failed")` with a
 * `cause` carrying a system error `code` (`ECONNRESET`, `ENOTFOUND`, ...).
 */
export function connectionFailure(code: string, detail: string): TypeError {
  return new TypeError("fetch failed", {
    cause: Object.assign(new Error(`${detail} (${code})`), { code }),
  });
}

/** Waits `ms`, or rejects with `signal.reason` as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
