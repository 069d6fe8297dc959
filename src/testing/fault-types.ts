/**
 * The faults a test can inject: canned answers (status, body, headers), Entra-shaped error
 * bodies, latency and dropped connections, each scoped to the requests it matches.
 *
 * @module
 */

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
