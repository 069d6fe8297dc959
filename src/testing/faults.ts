/**
 * Injected faults: canned answers (status, body, headers), Entra-shaped error bodies, latency and
 * dropped connections, queued and consumed per matching request, plus presets for the failures
 * Entra ID and its front ends really produce (docs/protocol.md §5.3).
 *
 * @module
 */

import { type Envelope, JSON_CONTENT_TYPE, tokenEndpointHeaders } from "./envelope";
import { entraErrorResponse } from "./errors";
import type { RequestKind } from "./recording";

/**
 * Which requests a fault applies to; every given field must match. No `match`: every request.
 *
 * @example
 * ```ts
 * const onlyContosoTokens: FaultMatch = { kind: "token", tenant: "contoso.onmicrosoft.com" };
 * ```
 */
export interface FaultMatch {
  /** The tenant path segment as sent, or the tenant id it resolves to (case-insensitive). */
  readonly tenant?: string;
  readonly kind?: RequestKind;
  /** `host[:port]` of the request URL, e.g. `westus.login.microsoft.com`. */
  readonly host?: string;
}

/**
 * How many matching requests a fault applies to, and which.
 *
 * @example
 * ```ts
 * emulator.injectFault({ type: "network", times: 2, match: { kind: "token" } });
 * ```
 */
export interface FaultScope {
  /** Number of matching requests the fault answers; `Infinity` for all. Default `1`. */
  readonly times?: number;
  readonly match?: FaultMatch;
}

/**
 * Answer with this status, body and headers. Default content type: JSON when the body starts
 * with `{` or `[`, else `text/plain; charset=utf-8`; none without a body. `x-ms-request-id` is
 * always sent.
 *
 * @example
 * ```ts
 * emulator.injectFault({ status: 503, body: "", headers: { "Retry-After": "5" } });
 * ```
 */
export interface ResponseFault extends FaultScope {
  readonly type?: "response";
  readonly status: number;
  readonly body?: string;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Answer with a malformed or truncated body, by default as a `200` with a JSON content type.
 *
 * @example
 * ```ts
 * emulator.injectFault({ type: "body", body: '{"token_type":"Bearer","expires_in":35' });
 * ```
 */
export interface BodyFault extends FaultScope {
  readonly type: "body";
  readonly body: string;
  /** Default `200`. */
  readonly status?: number;
  /** Default `application/json; charset=utf-8`. */
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Answer with an Entra-shaped error body (fresh trace id, the request's correlation id) and the
 * token endpoint's headers.
 *
 * @example
 * ```ts
 * emulator.injectFault({
 *   type: "error", status: 401, error: "invalid_client", code: 7000222,
 *   message: "The provided client secret keys for app '...' are expired.",
 * });
 * ```
 */
export interface EntraErrorFault extends FaultScope {
  readonly type: "error";
  readonly status: number;
  /** OAuth `error`, e.g. `server_error`. */
  readonly error: string;
  /** AADSTS number. */
  readonly code: number;
  /** Text after `AADSTSnnnn: `. */
  readonly message: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Wait `ms` (real time, `setTimeout`), then answer normally. An abort of the request's signal
 * during the wait rejects the fetch with the signal's reason.
 *
 * @example
 * ```ts
 * emulator.injectFault({ type: "delay", ms: 2_000 }); // exercise a client timeout
 * ```
 */
export interface DelayFault extends FaultScope {
  readonly type: "delay";
  readonly ms: number;
}

/**
 * Reject the fetch with a `TypeError("fetch failed")` whose `cause` is an `ECONNRESET` error,
 * like a connection reset in Node's fetch.
 *
 * @example
 * ```ts
 * emulator.injectFault({ type: "network" });
 * ```
 */
export interface NetworkFault extends FaultScope {
  readonly type: "network";
}

/**
 * A fault for `injectFault`. Each request consumes at most one fault: the first queued fault
 * whose `match` fits, in injection order.
 *
 * @example
 * ```ts
 * emulator.injectFault(faults.throttled(60));
 * emulator.injectFault({ status: 500, body: "oops", times: 2 });
 * ```
 */
export type EmulatorFault = ResponseFault | BodyFault | EntraErrorFault | DelayFault | NetworkFault;

/** The `type` of a fault, `"response"` when omitted. */
export type FaultType = NonNullable<EmulatorFault["type"]>;

/** The `type` of `fault`. */
export function faultType(fault: EmulatorFault): FaultType {
  return fault.type ?? "response";
}

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

/** What a queued fault is matched against. */
export interface FaultTarget {
  readonly kind: RequestKind;
  readonly host: string;
  readonly tenant: string | undefined;
  readonly tenantId: string | undefined;
}

function matches(match: FaultMatch | undefined, target: FaultTarget): boolean {
  if (!match) return true;
  if (match.kind !== undefined && match.kind !== target.kind) return false;
  if (match.host !== undefined && match.host.toLowerCase() !== target.host) return false;
  if (match.tenant !== undefined) {
    const wanted = match.tenant.toLowerCase();
    if (wanted !== target.tenant?.toLowerCase() && wanted !== target.tenantId) return false;
  }
  return true;
}

function validate(fault: EmulatorFault): void {
  const times = fault.times ?? 1;
  if (!(times === Infinity || (Number.isInteger(times) && times > 0))) {
    throw new TypeError(`fault.times must be a positive integer or Infinity, got ${times}`);
  }
  if (fault.type === "delay") {
    if (!(Number.isFinite(fault.ms) && fault.ms >= 0))
      throw new TypeError(`fault.ms must be a non-negative number, got ${fault.ms}`);
  } else if (fault.type !== "network") {
    const status = fault.status ?? 200;
    if (!(Number.isInteger(status) && status >= 200 && status <= 599)) {
      throw new TypeError(`fault.status must be an HTTP status from 200 to 599, got ${status}`);
    }
  }
}

/** Queued faults, consumed per matching request. */
export class FaultQueue {
  readonly #queue: { fault: EmulatorFault; remaining: number }[] = [];

  /** Queues `fault`; throws a `TypeError` for an invalid one. */
  add(fault: EmulatorFault): void {
    validate(fault);
    this.#queue.push({ fault, remaining: fault.times ?? 1 });
  }

  /** Drops every queued fault. */
  clear(): void {
    this.#queue.length = 0;
  }

  /** Consumes one use of the first fault matching `target`. */
  take(target: FaultTarget): EmulatorFault | undefined {
    const index = this.#queue.findIndex((entry) => matches(entry.fault.match, target));
    const entry = this.#queue[index];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.#queue.splice(index, 1);
    return entry.fault;
  }
}

/** The answer of a response, body or error fault. */
export function faultResponse(
  fault: ResponseFault | BodyFault | EntraErrorFault,
  envelope: Envelope,
): Response {
  if (fault.type === "error") {
    const headers = tokenEndpointHeaders(envelope);
    return entraErrorResponse({ ...fault, headers: fault.headers ?? {} }, envelope, headers);
  }
  const headers = new Headers({ "x-ms-request-id": envelope.traceId });
  const body = fault.body ?? "";
  const sniffed = /^\s*[[{]/.test(body)
    ? JSON_CONTENT_TYPE
    : body === ""
      ? undefined
      : "text/plain; charset=utf-8";
  const contentType = fault.contentType ?? (fault.type === "body" ? JSON_CONTENT_TYPE : sniffed);
  if (contentType !== undefined) headers.set("Content-Type", contentType);
  for (const [name, value] of Object.entries(fault.headers ?? {})) headers.set(name, value);
  return new Response(body === "" ? null : body, { status: fault.status ?? 200, headers });
}

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
