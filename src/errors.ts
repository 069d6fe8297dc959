/**
 * Every error entra-edge throws. Each class has a stable string `code` for `switch` statements,
 * and a message that says what went wrong and what to change. No error ever carries a client
 * secret, a private key, a password, a client assertion or an access token: not in `message`,
 * not in an enumerable field, not in `cause`.
 *
 * @module
 */

/** Codes of {@link ClientError}: something the caller can fix in configuration or input. */
export type ClientErrorCode =
  | "invalid_configuration"
  | "invalid_client_id"
  | "invalid_authority"
  | "insecure_authority"
  | "invalid_tenant"
  | "missing_tenant"
  | "invalid_scopes"
  | "invalid_region"
  | "invalid_claims"
  | "invalid_client_secret"
  | "invalid_client_assertion"
  | "invalid_pem"
  | "invalid_private_key"
  | "unsupported_key_type"
  | "invalid_password"
  | "unsupported_encryption"
  | "invalid_certificate"
  | "certificate_key_mismatch"
  | "invalid_pkcs12"
  | "legacy_pkcs12_encryption"
  | "discovery_failed"
  | "cross_origin_token_endpoint"
  | "signing_failed"
  | "certificate_loader_failed"
  | "invalid_body_parameters"
  | "invalid_http_headers"
  | "invalid_token_hash"
  | "before_token_request_failed"
  | "invalid_cache_record"
  | "invalid_fetch_request";

/** Codes of {@link ServiceError} and its subclasses: the identity provider said no, or answered badly. */
export type ServiceErrorCode = "service_error" | "invalid_token_response" | "throttled";

/** Codes of {@link NetworkError}: the request never got an answer. */
export type NetworkErrorCode = "network_error" | "request_timeout" | "aborted";

/** Every code an {@link EntraEdgeError} can have. */
export type EntraEdgeErrorCode = ClientErrorCode | ServiceErrorCode | NetworkErrorCode;

/** Options shared by every error constructor. */
export interface EntraEdgeErrorOptions {
  /** The underlying error. Never a value that holds a secret. */
  cause?: unknown;
  /** The `client-request-id` of the acquisition, when one was under way. */
  correlationId?: string | undefined;
}

/**
 * The base class of every error entra-edge throws.
 *
 * @example
 * ```ts
 * try {
 *   await app.acquireTokenForClient(scopes).withTenantId(tenantId);
 * } catch (error) {
 *   if (error instanceof EntraEdgeError) console.error(error.code, error.message);
 *   throw error;
 * }
 * ```
 */
export class EntraEdgeError extends Error {
  /** A stable, machine-readable code. */
  readonly code: EntraEdgeErrorCode;
  /** The correlation id (`client-request-id`) of the acquisition, if known. */
  readonly correlationId: string | undefined;

  /** Creates an error with a code, a message that says what to do, and options. */
  constructor(code: EntraEdgeErrorCode, message: string, options: EntraEdgeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.correlationId = options.correlationId;
  }

  /** A plain object for structured logs: code, message and the error's own public fields. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, ...ownFields(this) };
  }

  /**
   * A copy of this error for another caller: the same class, code, message, fields, cause,
   * correlation id and stack, as a distinct object (arrays such as `errorCodes` copied too), so
   * that callers who joined one failed request can each annotate or rethrow their own.
   *
   * @example
   * ```ts
   * const mine = sharedError.clone();
   * mine instanceof ServiceError; // true when sharedError is one
   * ```
   */
  clone(): this {
    // Reflect.construct makes a real Error (what util.inspect and Error.isError look for) with
    // this error's prototype, without re-running a subclass constructor.
    const copy = Reflect.construct(Error, [this.message], this.constructor) as this;
    for (const key of Reflect.ownKeys(this)) {
      const descriptor = Object.getOwnPropertyDescriptor(this, key) as PropertyDescriptor;
      if (Array.isArray(descriptor.value)) descriptor.value = [...(descriptor.value as unknown[])];
      Object.defineProperty(copy, key, descriptor);
    }
    return copy;
  }
}

/**
 * Configuration or input the caller must change. Thrown before any network request where it can
 * be: at `build()` for credentials and authorities, at the start of an acquisition for scopes and
 * tenants.
 *
 * @example
 * ```ts
 * import { ClientError } from "entra-edge";
 * try { builder.withCertificate({ privateKey: pem, certificate: certPem }).build(); }
 * catch (error) { if (error instanceof ClientError && error.code === "invalid_password") ... }
 * ```
 */
export class ClientError extends EntraEdgeError {
  declare readonly code: ClientErrorCode;

  /** Creates a client error. */
  constructor(code: ClientErrorCode, message: string, options: EntraEdgeErrorOptions = {}) {
    super(code, message, options);
  }
}

/** The fields of a {@link ServiceError}, as read from the identity provider's answer. */
export interface ServiceErrorDetails extends EntraEdgeErrorOptions {
  /** HTTP status of the answer (0 when there was none). */
  status: number;
  /** The OAuth `error` value, e.g. `invalid_client`. */
  error?: string | undefined;
  /** The `error_description` without the trailing trace/correlation lines. */
  errorDescription?: string | undefined;
  /** The AADSTS numbers of `error_codes`, e.g. `[7000215]`. */
  errorCodes?: readonly number[] | undefined;
  /** `suberror`, when the service sent one. */
  suberror?: string | undefined;
  /** `trace_id` of the body, or the `x-ms-request-id` header. */
  traceId?: string | undefined;
  /** The service's `timestamp`. */
  timestamp?: string | undefined;
  /** How long to wait before asking again, from `Retry-After`, in milliseconds. */
  retryAfterMs?: number | undefined;
  /** A claims challenge from the service, to pass to `withClaims` on the next attempt. */
  claims?: string | undefined;
}

/**
 * The identity provider answered with an error, or with a body that is not a valid token
 * response. Carries the AADSTS numbers, the HTTP status, the ids to quote to Microsoft support,
 * and `retryAfterMs` when the service asked for a pause.
 *
 * @example
 * ```ts
 * catch (error) {
 *   if (error instanceof ServiceError && error.errorCodes.includes(7000215)) {
 *     // the client secret is wrong: use the secret's value, not its id
 *   }
 * }
 * ```
 */
export class ServiceError extends EntraEdgeError {
  declare readonly code: ServiceErrorCode;
  /** HTTP status of the answer. */
  readonly status: number;
  /** The OAuth `error` value, e.g. `invalid_client`, `invalid_scope`, `unauthorized_client`. */
  readonly error: string | undefined;
  /** The service's description, without its trailing trace/correlation/timestamp lines. */
  readonly errorDescription: string | undefined;
  /** AADSTS numbers, e.g. `[700016]`. Empty when the service sent none. */
  readonly errorCodes: readonly number[];
  /** `suberror`, when present. */
  readonly suberror: string | undefined;
  /** The service's trace id (`trace_id`, or the `x-ms-request-id` header). */
  readonly traceId: string | undefined;
  /** The service's timestamp of the failure. */
  readonly timestamp: string | undefined;
  /** Milliseconds to wait before asking again, when the service sent `Retry-After`. */
  readonly retryAfterMs: number | undefined;
  /** A claims challenge to pass to `withClaims`, when the service sent one. */
  readonly claims: string | undefined;

  /** Creates a service error from the answer's details. */
  constructor(code: ServiceErrorCode, message: string, details: ServiceErrorDetails) {
    super(code, message, details);
    this.status = details.status;
    this.error = details.error;
    this.errorDescription = details.errorDescription;
    this.errorCodes = details.errorCodes ?? [];
    this.suberror = details.suberror;
    this.traceId = details.traceId;
    this.timestamp = details.timestamp;
    this.retryAfterMs = details.retryAfterMs;
    this.claims = details.claims;
  }
}

/**
 * The identity provider throttled this request (HTTP 429, or a 5xx with `Retry-After`), or an
 * earlier answer asked to wait and the wait is not over: no network request was made.
 * `retryAfterMs` says how long is left.
 *
 * @example
 * ```ts
 * catch (error) {
 *   if (error instanceof ThrottledError) return new Response("busy", {
 *     status: 503, headers: { "retry-after": String(Math.ceil(error.retryAfterMs! / 1000)) },
 *   });
 * }
 * ```
 */
export class ThrottledError extends ServiceError {
  /** Creates a throttling error; `details.retryAfterMs` says how long to wait. */
  constructor(message: string, details: ServiceErrorDetails) {
    super("throttled", message, details);
  }
}

/**
 * The token request got no answer: the network failed, the timeout passed, or the caller's
 * `AbortSignal` fired. Safe to retry later.
 *
 * @example
 * ```ts
 * catch (error) { if (error instanceof NetworkError && error.code === "request_timeout") ... }
 * ```
 */
export class NetworkError extends EntraEdgeError {
  declare readonly code: NetworkErrorCode;

  /** Creates a network error. */
  constructor(code: NetworkErrorCode, message: string, options: EntraEdgeErrorOptions = {}) {
    super(code, message, options);
  }
}

function ownFields(error: EntraEdgeError): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (value !== undefined) fields[key] = value;
  }
  return fields;
}
