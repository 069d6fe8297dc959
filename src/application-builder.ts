/**
 * MSAL.NET's `ConfidentialClientApplicationBuilder` in camelCase: fills in the options of a
 * {@link ConfidentialClientApplication}.
 *
 * @module
 */

import { ConfidentialClientApplication } from "./application";
import type { CacheAdapter } from "./cache/cache-adapter";
import type { DistributedCacheOptions } from "./cache/distributed-cache";
import type { MemoryCacheLimits } from "./cache/memory-token-cache";
import { AzureCloudInstance, hostOfCloudInstance } from "./authority/cloud";
import type { CertificateLoader, CertificateOptions } from "./credentials/certificate";
import type { ClientAssertion } from "./credentials/client-assertion";
import { ClientError } from "./errors";
import type { Logger, LoggingOptions } from "./logger";
import type { ConfidentialClientApplicationOptions, OnAcquire, RetryOptions } from "./options";

/**
 * Builds a {@link ConfidentialClientApplication}. Keep the application as a singleton where you
 * can; where you cannot (a Worker reading secrets from `env`), building it per request is cheap:
 * applications with the same client id, authority and credential share their cache and key.
 *
 * @example
 * ```ts
 * const app = ConfidentialClientApplicationBuilder.create(env.CLIENT_ID)
 *   .withCertificate({ privateKey: env.KEY_PEM, certificate: env.CERT_PEM })
 *   .withCache(workersKvCache(env.TOKENS))
 *   .build();
 * ```
 */
export class ConfidentialClientApplicationBuilder {
  readonly #options: ConfidentialClientApplicationOptions;

  private constructor(options: ConfidentialClientApplicationOptions) {
    this.#options = options;
  }

  /** Starts a builder for the application (client) id. */
  static create(clientId: string): ConfidentialClientApplicationBuilder {
    return new ConfidentialClientApplicationBuilder({ clientId });
  }

  /** Starts a builder from a full options object (e.g. read from configuration). */
  static createWithApplicationOptions(
    options: ConfidentialClientApplicationOptions,
  ): ConfidentialClientApplicationBuilder {
    return new ConfidentialClientApplicationBuilder({ ...options });
  }

  /** Authenticates with a client secret (sent as `client_secret`). */
  withClientSecret(secret: string): this {
    this.#options.clientSecret = secret;
    return this;
  }

  /**
   * Authenticates with a certificate: a JWT assertion signed with its key.
   *
   * @example
   * ```ts
   * .withCertificate({ privateKey: keyPem, certificate: certPem })          // PEM (PKCS#8, PKCS#1, SEC1)
   * .withCertificate({ privateKey: encryptedPem, password, certificate })    // encrypted PKCS#8
   * .withCertificate({ pfx: new Uint8Array(bytes), password })               // .pfx / PKCS#12
   * .withCertificate({ sign: (data) => kms.sign(data), certificate: certPem }) // key in Key Vault / KMS / HSM
   * .withCertificate(async () => ({ privateKey: await vault.key(), certificate: await vault.cert() })) // rotation
   * ```
   *
   * Given a function (a {@link CertificateLoader}), the certificate rotates: the function is
   * called when a token request first needs the certificate (never by `build()`; concurrent
   * first needs share one call), its certificate is kept while the identity provider accepts
   * it, and the function is called once more when the identity provider refuses it (AADSTS700027,
   * 7000214, 7000274, 7000277, 1000502, 50012), the request then retried once with the new
   * certificate; a second refusal is the `ServiceError`. A function that throws is a
   * `ClientError` `certificate_loader_failed`, and is called again by the next token request.
   */
  withCertificate(certificate: CertificateOptions | CertificateLoader): this {
    this.#options.certificate = certificate;
    return this;
  }

  /**
   * Authenticates with a certificate and extra claims in its assertion, merged with the default
   * claims (yours win) or replacing them.
   */
  withClientClaims(
    certificate: CertificateOptions | CertificateLoader,
    claims: Record<string, unknown>,
    mergeWithDefaultClaims = true,
  ): this {
    this.#options.certificate = certificate;
    this.#options.clientClaims = { claims, mergeWithDefaultClaims };
    return this;
  }

  /**
   * Authenticates with a client assertion: a JWT, or a callback called only when a token request
   * is about to be sent (workload identity federation, a signing service).
   */
  withClientAssertion(assertion: ClientAssertion): this {
    this.#options.clientAssertion = assertion;
    return this;
  }

  /**
   * Sets the authority: a URL (`https://login.microsoftonline.com/{tenant}`, `https://adfs.contoso.com/adfs`),
   * or a cloud instance and a tenant.
   *
   * @example
   * ```ts
   * .withAuthority("https://login.microsoftonline.us/contoso.onmicrosoft.com")
   * .withAuthority(AzureCloudInstance.AzureChina, tenantId)
   * ```
   */
  withAuthority(authority: string | AzureCloudInstance, tenantId?: string): this {
    delete this.#options.oidcIssuer;
    if (Object.values(AzureCloudInstance).includes(authority as AzureCloudInstance)) {
      if (tenantId === undefined)
        throw new ClientError(
          "missing_tenant",
          "withAuthority(cloudInstance, tenantId) needs the tenant id.",
        );
      this.#options.authority = `https://${hostOfCloudInstance(authority as AzureCloudInstance)}/${tenantId}`;
    } else {
      this.#options.authority = authority;
      if (tenantId !== undefined) this.#options.tenantId = tenantId;
    }
    return this;
  }

  /**
   * Uses a generic OpenID Connect issuer (Keycloak, Auth0, Okta, ...); its token endpoint is
   * discovered once. A `token_endpoint` on another origin than the issuer is refused unless
   * `allowTokenEndpointOnOtherOrigin` is `true`.
   *
   * @example
   * ```ts
   * .withOidcAuthority("https://keycloak.example/realms/r")
   * .withOidcAuthority("https://issuer.example", { allowTokenEndpointOnOtherOrigin: true })
   * ```
   */
  withOidcAuthority(
    issuer: string,
    options: { allowTokenEndpointOnOtherOrigin?: boolean } = {},
  ): this {
    delete this.#options.authority;
    this.#options.oidcIssuer = issuer;
    if (options.allowTokenEndpointOnOtherOrigin === undefined)
      delete this.#options.allowTokenEndpointOnOtherOrigin;
    else this.#options.allowTokenEndpointOnOtherOrigin = options.allowTokenEndpointOnOtherOrigin;
    return this;
  }

  /** Sets the application's tenant (GUID or domain); requests may still choose another. */
  withTenantId(tenantId: string): this {
    this.#options.tenantId = tenantId;
    return this;
  }

  /** Uses the regional token endpoint of `region` (e.g. `"westus"`), falling back to the global one if it cannot be reached. */
  withAzureRegion(region: string): this {
    this.#options.azureRegion = region;
    return this;
  }

  /**
   * Adds a distributed (L2) token cache behind the in-memory one: Workers KV, Deno KV, Redis, or
   * any {@link CacheAdapter}.
   *
   * @example
   * ```ts
   * .withCache(redisCache(redis), { lease: true, encryption: { keys: [{ id: "k1", key: env.CACHE_KEY }] } })
   * ```
   */
  withCache(cache: CacheAdapter, options?: DistributedCacheOptions): this {
    this.#options.cache = cache;
    if (options !== undefined) this.#options.cacheOptions = options;
    return this;
  }

  /** Sets the L1 limits, or `shared: false` to keep this application's cache to itself. */
  withMemoryCache(options: MemoryCacheLimits & { shared?: boolean }): this {
    this.#options.memoryCache = options;
    return this;
  }

  /** Uses this `fetch` for every request (a proxy, a test emulator's `fetch`). */
  withHttpClient(fetcher: typeof fetch): this {
    this.#options.fetch = fetcher;
    return this;
  }

  /** Sends log lines to `logger` (e.g. `console`). */
  withLogging(logger: Logger, options?: LoggingOptions): this {
    this.#options.logger = logger;
    if (options !== undefined) this.#options.logging = options;
    return this;
  }

  /** Sets the deadline of one acquisition, in milliseconds (default 30,000). */
  withTimeout(timeoutMs: number): this {
    this.#options.timeoutMs = timeoutMs;
    return this;
  }

  /** Sets the retry policy, or `false` for none. */
  withRetry(retry: RetryOptions | false): this {
    this.#options.retry = retry;
    return this;
  }

  /**
   * Declares client capabilities, sent as `xms_cc` in the `claims` request parameter (merged with
   * any request claims): `["cp1"]` makes the app CAE-capable, so resources may send claims
   * challenges and Entra may issue long-lived tokens.
   */
  withClientCapabilities(capabilities: readonly string[]): this {
    this.#options.clientCapabilities = capabilities;
    return this;
  }

  /**
   * Tells `onAcquire` of every acquisition, for hit-rate, latency and error metrics. A function
   * is called after every successful acquisition with its metadata (token source, cache level,
   * durations) and is never called for a failure; an observer object (`AcquisitionObserver`) can have an
   * `onFailure` callback, called with the error before the caller gets it (as
   * `openTelemetry()` from `entra-edge/opentelemetry` does). A callback that throws is logged and
   * changes nothing for the caller.
   *
   * @example
   * ```ts
   * .withOnAcquire((meta) => metrics.increment(`tokens.${meta.tokenSource}`))
   * .withOnAcquire({
   *   onSuccess: (meta, { durationInUs }) => latency.record(durationInUs, { source: meta.tokenSource }),
   *   onFailure: (error) => failures.add(1, { code: error instanceof EntraEdgeError ? error.code : "other" }),
   * })
   * ```
   */
  withOnAcquire(onAcquire: OnAcquire): this {
    this.#options.onAcquire = onAcquire;
    return this;
  }

  /**
   * Calls `callback` just before each token request is sent (MSAL.NET's `OnBeforeTokenRequest`)
   * with its URL, headers and form body (`{ requestUri, headers, bodyParameters, signal }`), which
   * it may change in place: a query parameter, header or form field it adds is sent. It sees the
   * library's own headers (`client-request-id` included) and the credential's parameters (never
   * log the form). Called for every attempt (a retry, the global fallback of a regional
   * endpoint, a reloaded certificate), never on a cache hit; may be async. What it changes is not
   * part of the cache key: keeping tokens of different requests apart is the caller's
   * responsibility (use `withExtraBodyParameters` for fields that decide the token). A callback
   * that throws is a `ClientError` `before_token_request_failed` and nothing is sent; it may not
   * move the request to another origin. Define it once (not per request): equal applications
   * share their cache only when they share this function.
   *
   * @example
   * ```ts
   * .withOnBeforeTokenRequest(({ requestUri, headers }) => {
   *   requestUri.searchParams.set("dc", "ESTS-PUB-WUS2-AZ1-FD000-TEST1");
   *   headers.set("x-gateway-instance", instanceId);
   * })
   * ```
   */
  withOnBeforeTokenRequest(
    callback: NonNullable<ConfidentialClientApplicationOptions["onBeforeTokenRequest"]>,
  ): this {
    this.#options.onBeforeTokenRequest = callback;
    return this;
  }

  /** Builds the application. @throws ClientError for any invalid option. */
  build(): ConfidentialClientApplication {
    return new ConfidentialClientApplication({ ...this.#options });
  }
}
