/**
 * The request builder returned by `acquireTokenForClient`: MSAL.NET's
 * `AcquireTokenForClientParameterBuilder` in camelCase. It is thenable, so `await` runs it;
 * `executeAsync()` does the same.
 *
 * @module
 */

import type { AcquireTokenForClientOptions } from "../options";
import { ClientError } from "../errors";
import type { AuthenticationResult } from "../result";
import { isJsonObjectText } from "../internal/json";
import { hasDotSegment } from "../authority/authority";
import { assertCorrelationId } from "./correlation-id";
import { checkedBodyParameters, checkedHttpHeaders, checkedTokenHash } from "./extra-parameters";

/**
 * Options of one client credentials acquisition, set by chaining; `await` it to run it.
 *
 * @example
 * ```ts
 * const result = await app
 *   .acquireTokenForClient(["https://graph.microsoft.com/.default"])
 *   .withTenantId(customerTenantId)
 *   .withCorrelationId(request.headers.get("x-request-id") ?? undefined)
 *   .withAbortSignal(request.signal);
 * ```
 */
export class AcquireTokenForClientParameterBuilder implements PromiseLike<AuthenticationResult> {
  readonly #execute: (options: AcquireTokenForClientOptions) => Promise<AuthenticationResult>;
  /** The caller's options object until a `with...` call changes something: then a copy (copy on write keeps a cache hit allocation-light). */
  #options: AcquireTokenForClientOptions;
  #ownsOptions: boolean;

  /** @internal Made by `ConfidentialClientApplication.acquireTokenForClient`. */
  constructor(
    execute: (options: AcquireTokenForClientOptions) => Promise<AuthenticationResult>,
    options?: AcquireTokenForClientOptions,
  ) {
    this.#execute = execute;
    this.#options = options ?? {};
    this.#ownsOptions = options === undefined;
  }

  /** The options, copied first if they are still the caller's object. */
  #writable(): AcquireTokenForClientOptions {
    if (!this.#ownsOptions) {
      this.#options = { ...this.#options };
      this.#ownsOptions = true;
    }
    return this.#options;
  }

  /** Gets the token for this tenant (GUID or domain) instead of the application's. */
  withTenantId(tenantId: string): this {
    this.#writable().tenantId = tenantId;
    return this;
  }

  /**
   * Takes the tenant from an authority URL, e.g. `https://login.microsoftonline.com/{tenant}`.
   * @throws ClientError `invalid_authority` when the URL names no tenant.
   */
  withTenantIdFromAuthority(authority: string | URL): this {
    let tenant: string | undefined;
    try {
      // "tenantA/../tenantB" would parse as tenantB: such a URL names no tenant we can trust.
      if (!hasDotSegment(String(authority)))
        tenant = new URL(String(authority)).pathname.split("/").find((segment) => segment !== "");
    } catch {
      tenant = undefined;
    }
    if (tenant === undefined) {
      throw new ClientError(
        "invalid_authority",
        "withTenantIdFromAuthority needs an authority URL with a tenant, e.g. https://login.microsoftonline.com/{tenant-id}.",
      );
    }
    this.#writable().tenantId = tenant;
    return this;
  }

  /** Skips the cache and asks the identity provider (the new token is cached). */
  withForceRefresh(forceRefresh = true): this {
    this.#writable().forceRefresh = forceRefresh;
    return this;
  }

  /**
   * Sends a claims request (JSON), e.g. the claims of a CAE challenge; skips the cache.
   * @throws ClientError `invalid_claims` when `claims` is not a JSON object.
   */
  withClaims(claims: string): this {
    if (!isJsonObjectText(claims))
      throw new ClientError(
        "invalid_claims",
        'Claims must be a JSON object string, e.g. \'{"access_token":{"xms_cc":{"values":["cp1"]}}}\'.',
      );
    this.#writable().claims = claims;
    return this;
  }

  /**
   * Sets the correlation id sent as `client-request-id` (a GUID), to find this request in Entra's logs.
   * @throws ClientError `invalid_configuration` for an id that cannot be a header value.
   */
  withCorrelationId(correlationId: string | undefined): this {
    if (correlationId !== undefined) assertCorrelationId(correlationId);
    if (correlationId === undefined) delete this.#writable().correlationId;
    else this.#writable().correlationId = correlationId;
    return this;
  }

  /** Sends the certificate chain in `x5c` for this request (subject name + issuer authentication). */
  withSendX5C(sendX5c = true): this {
    this.#writable().sendX5c = sendX5c;
    return this;
  }

  /** Adds query parameters to the token request URL. */
  withExtraQueryParameters(parameters: Record<string, string>): this {
    this.#writable().extraQueryParameters = {
      ...this.#options.extraQueryParameters,
      ...parameters,
    };
    return this;
  }

  /**
   * Adds form fields to the token request (MSAL.NET 4.76), e.g. `{ fmi_path: "..." }`. They are
   * part of the cache key: a token acquired with other fields, or none, is never served for
   * this request, nor this request's token for one without them. Repeated calls add up.
   * @throws ClientError `invalid_body_parameters` for a name the library sends itself
   * (`client_id`, `grant_type`, `scope`, `client_secret`, `client_assertion*`, `claims`) or a
   * value that is not a string.
   */
  withExtraBodyParameters(parameters: Record<string, string>): this {
    const checked = checkedBodyParameters(parameters);
    if (checked !== undefined)
      this.#writable().extraBodyParameters = { ...this.#options.extraBodyParameters, ...checked };
    return this;
  }

  /**
   * Adds headers to the token request (MSAL.NET 4.77); they are not part of the cache key.
   * Repeated calls add up.
   * @throws ClientError `invalid_http_headers` for a header the library sets itself
   * (`content-type`, `accept`, `client-request-id`, `x-client-*`, `x-ms-lib-capability`), for
   * `authorization`, `host` or a framing header, or for an invalid name or value.
   */
  withExtraHttpHeaders(headers: Record<string, string>): this {
    const checked = checkedHttpHeaders(headers);
    if (checked !== undefined)
      this.#writable().extraHttpHeaders = { ...this.#options.extraHttpHeaders, ...checked };
    return this;
  }

  /**
   * Bypasses a cached token whose SHA-256 (lowercase hex, over its UTF-8 bytes) is `hash`: the
   * token a resource just rejected (MSAL.NET 4.70). A cached token with another hash is served
   * as usual. Callers and instances (sharing an L2 cache) that present one hash at once share
   * one token request; an instance that finds another's new token in L2 sends none.
   * @throws ClientError `invalid_token_hash` when `hash` is not 64 hex digits.
   */
  withAccessTokenSha256ToRefresh(hash: string): this {
    this.#writable().accessTokenSha256ToRefresh = checkedTokenHash(hash);
    return this;
  }

  /** Stops waiting when `signal` aborts (a request shared with other callers goes on for them). */
  withAbortSignal(signal: AbortSignal): this {
    this.#writable().signal = signal;
    return this;
  }

  /** Hands background work (proactive refreshes, deferred cache writes) to the runtime, e.g. `ctx.waitUntil.bind(ctx)` on Workers. */
  withWaitUntil(waitUntil: (promise: Promise<unknown>) => void): this {
    this.#writable().waitUntil = waitUntil;
    return this;
  }

  /** Runs the acquisition. */
  executeAsync(): Promise<AuthenticationResult> {
    return this.#execute(this.#options);
  }

  /** Runs the acquisition when awaited. */
  then<TResult1 = AuthenticationResult, TResult2 = never>(
    onfulfilled?: ((value: AuthenticationResult) => TResult1 | PromiseLike<TResult1>) | null,
    onrejected?: ((reason: unknown) => TResult2 | PromiseLike<TResult2>) | null,
  ): Promise<TResult1 | TResult2> {
    return this.executeAsync().then(onfulfilled, onrejected);
  }

  /** Runs the acquisition and handles its failure, as `Promise.prototype.catch`. */
  catch<TResult = never>(
    onrejected?: ((reason: unknown) => TResult | PromiseLike<TResult>) | null,
  ): Promise<AuthenticationResult | TResult> {
    return this.executeAsync().catch(onrejected);
  }

  /** Runs the acquisition and then `onfinally`, as `Promise.prototype.finally`. */
  finally(onfinally?: (() => void) | null): Promise<AuthenticationResult> {
    return this.executeAsync().finally(onfinally);
  }
}
