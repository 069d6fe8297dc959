/**
 * Ready-made faults for the failures Entra ID and its front ends really produce: throttling,
 * 5xx error bodies, HTML gateway pages, truncated bodies, dropped connections and latency
 * (docs/protocol.md §5.3).
 *
 * @module
 */

import type {
  BodyFault,
  DelayFault,
  EntraErrorFault,
  FaultScope,
  NetworkFault,
  ResponseFault,
} from "./fault-types";

/** The fault presets of {@link faults}. */
export interface FaultPresets {
  /** 429 `text/plain` body "Too Many Requests" with `Retry-After` (what Entra sends client-credential callers; default 60 s). */
  throttled(retryAfterSeconds?: number, scope?: FaultScope): ResponseFault;
  /**
   * A 5xx Entra error body: `temporarily_unavailable` for 503/504, else `server_error`, with
   * AADSTS50000 (the exact current 5xx shape is unconfirmed); `Retry-After` when `retryAfter` is given.
   */
  serverError(
    status?: number,
    options?: FaultScope & { readonly retryAfter?: number },
  ): EntraErrorFault;
  /** An HTML error page with `status` (default 502), as a proxy or load balancer answers. */
  html(status?: number, scope?: FaultScope): ResponseFault;
  /** A 200 whose JSON body is cut off in the middle. */
  truncated(scope?: FaultScope): BodyFault;
  /** A dropped connection: the fetch rejects with a `TypeError`. */
  network(scope?: FaultScope): NetworkFault;
  /** `ms` of latency before a normal answer. */
  delay(ms: number, scope?: FaultScope): DelayFault;
}

/**
 * Presets for common failures; each takes an optional {@link FaultScope}.
 *
 * @example
 * ```ts
 * emulator.injectFault(faults.throttled(60));                        // 429 text/plain "Too Many Requests", Retry-After: 60
 * emulator.injectFault(faults.serverError(503, { retryAfter: 10 }));  // Entra-shaped temporarily_unavailable
 * emulator.injectFault(faults.html(502, { times: 3 }));               // a gateway's HTML page
 * emulator.injectFault(faults.truncated());                           // 200 with half a JSON body
 * ```
 */
export const faults: FaultPresets = {
  throttled(retryAfterSeconds = 60, scope: FaultScope = {}): ResponseFault {
    return {
      ...scope,
      status: 429,
      body: "Too Many Requests",
      contentType: "text/plain",
      headers: { "Retry-After": String(retryAfterSeconds) },
    };
  },
  serverError(
    status = 500,
    options: FaultScope & { readonly retryAfter?: number } = {},
  ): EntraErrorFault {
    const { retryAfter, ...scope } = options;
    return {
      ...scope,
      type: "error",
      status,
      error: status === 503 || status === 504 ? "temporarily_unavailable" : "server_error",
      code: 50000,
      message: "There was an error issuing a token or an issue with our sign-in service.",
      ...(retryAfter === undefined ? {} : { headers: { "Retry-After": String(retryAfter) } }),
    };
  },
  html(status = 502, scope: FaultScope = {}): ResponseFault {
    return {
      ...scope,
      status,
      contentType: "text/html; charset=utf-8",
      body: `<!DOCTYPE html><html><head><title>${status} Error</title></head><body><h1>${status} Error</h1><p>The service is unavailable.</p></body></html>`,
    };
  },
  truncated(scope: FaultScope = {}): BodyFault {
    return {
      ...scope,
      type: "body",
      body: '{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJ0eXAiOiJKV1Qi',
    };
  },
  network(scope: FaultScope = {}): NetworkFault {
    return { ...scope, type: "network" };
  },
  delay(ms: number, scope: FaultScope = {}): DelayFault {
    return { ...scope, type: "delay", ms };
  },
};
