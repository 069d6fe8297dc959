/**
 * The options of an application and of one acquisition: every option a user can set, in one
 * place. The builders fill these in; the option checks and defaults live in `configuration.ts`.
 *
 * @module
 */

import type { CacheAdapter } from "./cache/cache-adapter";
import type { DistributedCacheOptions } from "./cache/distributed-cache";
import type { MemoryCacheLimits } from "./cache/memory-token-cache";
import type { AzureCloudInstance } from "./authority/cloud";
import type { CertificateLoader, CertificateOptions } from "./credentials/certificate";
import type { ClientAssertion } from "./credentials/client-assertion";
import type { Logger, LoggingOptions } from "./logger";
import type { AuthenticationResultMetadata } from "./result";

/**
 * Everything a `ConfidentialClientApplication` is configured with. The builder fills it in;
 * it can also be written by hand.
 *
 * @example
 * ```ts
 * const app = new ConfidentialClientApplication({
 *   clientId: env.CLIENT_ID,
 *   tenantId: env.TENANT_ID,
 *   clientSecret: env.CLIENT_SECRET,
 * });
 * ```
 */
export interface ConfidentialClientApplicationOptions {
  /** The application (client) id. */
  clientId: string;
  /** Entra or ADFS authority URL, e.g. `https://login.microsoftonline.com/{tenant}`. Default: public cloud with {@link tenantId}. */
  authority?: string;
  /** The tenant, when {@link authority} is not given. Requests may override it. */
  tenantId?: string;
  /** The cloud, when {@link authority} is not given. Default `AzurePublic`. */
  azureCloudInstance?: AzureCloudInstance;
  /** A generic OpenID Connect issuer instead of Entra; its token endpoint is discovered. */
  oidcIssuer?: string;
  /**
   * With {@link oidcIssuer}: accept a discovered `token_endpoint` on another origin than the
   * issuer. Default `false`: such a document is a `ClientError` `cross_origin_token_endpoint`,
   * since the credential would go to a host the user did not name.
   */
  allowTokenEndpointOnOtherOrigin?: boolean;
  /** A client secret. Exactly one of clientSecret, certificate and clientAssertion is required. */
  clientSecret?: string;
  /**
   * A certificate (PEM, pfx, CryptoKey or remote signer), or a function that loads one when a
   * token request first needs it and again when the identity provider refuses it (rotation).
   */
  certificate?: CertificateOptions | CertificateLoader;
  /** Extra claims for the certificate's assertion. */
  clientClaims?: { claims: Record<string, unknown>; mergeWithDefaultClaims?: boolean };
  /** A client assertion JWT, or a callback returning one. */
  clientAssertion?: ClientAssertion;
  /** The distributed (L2) cache. */
  cache?: CacheAdapter;
  /** Encryption, timeout, error callback and lease of the L2 cache. */
  cacheOptions?: DistributedCacheOptions;
  /** Limits of the in-memory (L1) cache, and whether it is shared with equal applications (default `true`). */
  memoryCache?: MemoryCacheLimits & { shared?: boolean };
  /** The `fetch` used for every request. Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Where log lines go. Default: nowhere. */
  logger?: Logger;
  /** Log level and PII switch. */
  logging?: LoggingOptions;
  /** Azure region for regional token endpoints, e.g. `"westus"`. */
  azureRegion?: string;
  /** Deadline of one acquisition (discovery, assertion, token request), in milliseconds. Default 30,000. */
  timeoutMs?: number;
  /** Retry policy of the token request, or `false` for none. Default: one retry after about a second. */
  retry?: RetryOptions | false;
  /** A cached token is renewed this many seconds before it expires. Default 300. */
  expiryMarginSeconds?: number;
  /** The clock, in epoch milliseconds. Default `Date.now`. For tests. */
  now?: () => number;
  /** Client capabilities (e.g. `["cp1"]` for Continuous Access Evaluation), sent as `xms_cc` claims. */
  clientCapabilities?: readonly string[];
  /**
   * Called just before each token request is sent (every attempt, never on a cache hit) with
   * its URL, headers and form body, which it may change in place. What it changes is not part
   * of the cache key: keep what decides the token in `extraBodyParameters`.
   */
  onBeforeTokenRequest?: (data: OnBeforeTokenRequestData) => void | Promise<void>;
  /**
   * Learns of every acquisition, for hit-rate, latency and error metrics: a function is called
   * after every successful acquisition; an {@link AcquisitionObserver} also learns of failures.
   */
  onAcquire?: OnAcquire;
}

/**
 * What `withOnAcquire` takes: a function called after every successful acquisition (never for a
 * failure), or an {@link AcquisitionObserver} with a callback for successes and one for failures.
 */
export type OnAcquire =
  | ((metadata: AuthenticationResultMetadata, context: AcquisitionContext) => void)
  | AcquisitionObserver;

/**
 * Callbacks told of each acquisition's outcome, after it is known and before the caller gets it.
 * A callback that throws (or returns a promise that rejects) is logged as a warning: it never
 * changes the caller's result or error.
 *
 * @example
 * ```ts
 * builder.withOnAcquire({
 *   onSuccess: (meta) => metrics.increment(`tokens.${meta.tokenSource}`),
 *   onFailure: (error) => metrics.increment(`tokens.failed.${error instanceof EntraEdgeError ? error.code : "other"}`),
 * });
 * ```
 */
export interface AcquisitionObserver {
  /** Called after a successful acquisition with how it was served (source, cache level, durations). */
  onSuccess?: (metadata: AuthenticationResultMetadata, context: AcquisitionContext) => void;
  /**
   * Called after a failed acquisition with its error (usually an `EntraEdgeError`: a
   * `ClientError`, `ServiceError` or `NetworkError`), just before the caller gets it.
   */
  onFailure?: (error: unknown, context: AcquisitionContext) => void;
}

/** The request an {@link AcquisitionObserver} callback is told about. */
export interface AcquisitionContext {
  /**
   * The tenant: on success, the tenant that issued the token; on failure, the tenant asked for
   * (the request's, else the application's).
   */
  readonly tenantId: string | undefined;
  /** The scopes: on success, the token's; on failure, those asked for. */
  readonly scopes: readonly string[];
  /**
   * Wall time of the acquisition, from the call to its outcome, in whole microseconds
   * (`performance.now()`; in a Worker it advances only across I/O, so an in-memory hit reads 0).
   */
  readonly durationInUs: number;
}

/**
 * What `onBeforeTokenRequest` receives (MSAL.NET's `OnBeforeTokenRequestData`): the token
 * request about to be sent. Changes made in place are sent.
 *
 * @example
 * ```ts
 * builder.withOnBeforeTokenRequest(({ requestUri, headers, bodyParameters }) => {
 *   requestUri.searchParams.set("slice", "testslice");
 *   headers.set("x-gateway", "eu-1");
 * });
 * ```
 */
export interface OnBeforeTokenRequestData {
  /** The token endpoint with its query; its origin may not change. */
  readonly requestUri: URL;
  /** The request headers, the library's own (`client-request-id` included) and the request's extra ones. */
  readonly headers: Headers;
  /** The form body, the credential's parameters included: never log it. */
  readonly bodyParameters: URLSearchParams;
  /** Aborted when the acquisition is cancelled or times out. */
  readonly signal: AbortSignal;
}

/** Per-request options of `ConfidentialClientApplication.acquireTokenForClient`. */
export interface AcquireTokenForClientOptions {
  /** The tenant to get a token for, overriding the application's. */
  tenantId?: string | undefined;
  /** Skip the cache and ask the identity provider. */
  forceRefresh?: boolean;
  /** A claims request (JSON), e.g. from a claims challenge; skips the cache. */
  claims?: string | undefined;
  /** The correlation id sent as `client-request-id`. Default: a new GUID. */
  correlationId?: string;
  /** Send the certificate chain (`x5c`) for this request. */
  sendX5c?: boolean;
  /** Extra query parameters of the token request URL. */
  extraQueryParameters?: Record<string, string>;
  /** Cancels the wait for this caller (a shared request goes on for others). */
  signal?: AbortSignal;
  /** The runtime's `waitUntil` (Workers `ctx.waitUntil`), for background refreshes. */
  waitUntil?: (promise: Promise<unknown>) => void;
  /** The Azure region for this request, overriding the application's. */
  azureRegion?: string;
  /**
   * Extra form fields of the token request (e.g. `fmi_path`, `attributes`). They are part of
   * the cache key (in L1 and L2): tokens acquired with other fields, or none, are never served.
   * Names the library sends itself (`client_id`, `grant_type`, `scope`, `client_secret`,
   * `client_assertion*`, `claims`) are refused with a `ClientError`.
   */
  extraBodyParameters?: Record<string, string> | undefined;
  /**
   * Extra headers of the token request; not part of the cache key. The library's own headers
   * (`content-type`, `accept`, `client-request-id`, `x-client-*`, `x-ms-lib-capability`) and
   * `authorization`, `host` and the framing headers are refused with a `ClientError`.
   */
  extraHttpHeaders?: Record<string, string> | undefined;
  /**
   * The SHA-256 (64 lowercase hex digits, over the UTF-8 bytes) of an access token a resource
   * rejected: a cached token with this hash is not served, and a new one is requested once for
   * every caller and instance (sharing an L2 cache) that presents it. A cached token with
   * another hash is served as usual. Cannot be combined with `forceRefresh`.
   */
  accessTokenSha256ToRefresh?: string | undefined;
}

/** How a failed attempt is retried. */
export interface RetryOptions {
  /** Retries after a 5xx without Retry-After, a network error or a timeout. Default 1; 0 turns retries off. */
  maxRetries?: number;
  /** Pause before a retry, in milliseconds; up to 25 % jitter is added. Default 1000. */
  delayMs?: number;
  /**
   * Time one attempt may take before it counts as timed out (and may be retried), in
   * milliseconds. Default: half the acquisition deadline, so a retry still fits in it.
   */
  attemptTimeoutMs?: number;
}
