/**
 * The confidential client application: acquires app-only tokens with the client credentials
 * flow, cache first. Build it once (or per request in a Worker: the expensive state is shared).
 *
 * @module
 */

import {
  assertRequestTenant,
  parseAuthority,
  parseOidcAuthority,
  tokenEndpointOf,
  type Authority,
} from "./authority/authority";
import { AcquireTokenForClientParameterBuilder } from "./acquire-token-builder";
import { cacheKeyPrefix, tokenCacheKey } from "./cache/cache-key";
import { CachedAuthenticationResult } from "./cache/cached-result";
import type { CacheAdapter } from "./cache/cache-adapter";
import { DistributedTokenCache, type DistributedCacheOptions } from "./cache/distributed-cache";
import type { CachedToken, MemoryCacheLimits } from "./cache/memory-token-cache";
import {
  ClientState,
  sharedClientState,
  type CacheStatistics,
  type FetchedToken,
  type IssuedToken,
  type StoredToken,
} from "./client-state";
import { cloudOfHost, hostOfCloudInstance, type AzureCloudInstance } from "./authority/cloud";
import type { CertificateOptions } from "./credentials/certificate";
import type { ClientAssertion } from "./credentials/client-assertion";
import {
  createCredential,
  credentialIdentity,
  type CredentialSpec,
} from "./credentials/credential-spec";
import { ClientError, EntraEdgeError, NetworkError, ServiceError, ThrottledError } from "./errors";
import { raceSignal, startDeadline } from "./internal/deadline";
import { isStringArray } from "./internal/guards";
import { randomId } from "./internal/uuid";
import { Log, type Logger, type LoggingOptions } from "./logger";
import {
  CacheLevel,
  CacheRefreshReason,
  TokenSource,
  type AuthenticationResult,
  type AuthenticationResultMetadata,
} from "./result";
import { mergeClaims } from "./claims";
import {
  msalResultOf,
  optionsOfMsalRequest,
  type ClientCredentialRequest,
  type MsalAuthenticationResult,
} from "./msal/client-credential-request";
import {
  fromMsalNodeConfiguration,
  isMsalNodeConfiguration,
  type MsalNodeConfiguration,
} from "./msal/msal-configuration";
import { tokenCacheSerializer, type TokenCacheSerializer } from "./msal/token-cache-serializer";
import { scopesCacheKey } from "./scopes";
import { requestToken, type RetryOptions } from "./acquisition/token-request";

/**
 * Everything a {@link ConfidentialClientApplication} is configured with. The builder fills it in;
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
  /** A client secret. Exactly one of clientSecret, certificate and clientAssertion is required. */
  clientSecret?: string;
  /** A certificate (PEM, pfx, CryptoKey or remote signer). */
  certificate?: CertificateOptions;
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
  /** Called after every successful acquisition, with how it was served: for hit-rate and latency metrics. */
  onAcquire?: (
    metadata: AuthenticationResultMetadata,
    context: { tenantId: string | undefined; scopes: readonly string[] },
  ) => void;
}

/** Per-request options of {@link ConfidentialClientApplication.acquireTokenForClient}. */
export interface AcquireTokenForClientOptions {
  /** The tenant to get a token for, overriding the application's. */
  tenantId?: string;
  /** Skip the cache and ask the identity provider. */
  forceRefresh?: boolean;
  /** A claims request (JSON), e.g. from a claims challenge; skips the cache. */
  claims?: string;
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
}

const defaultTimeoutMs = 30_000;
const defaultExpiryMarginSeconds = 300;
/** Tokens living this long or more are refreshed at about half their life when the service sends no `refresh_in`. */
const halfLifeRefreshThresholdSeconds = 7200;

/**
 * A confidential client: acquires tokens for the application itself (client credentials flow).
 * Usually made with {@link ConfidentialClientApplicationBuilder}.
 *
 * @example
 * ```ts
 * const app = ConfidentialClientApplicationBuilder.create(clientId)
 *   .withClientSecret(secret)
 *   .withTenantId(tenantId)
 *   .build();
 * const { accessToken } = await app.acquireTokenForClient(["https://graph.microsoft.com/.default"]);
 * ```
 */
export class ConfidentialClientApplication {
  /** The application (client) id. */
  readonly clientId: string;
  /** The parsed authority. */
  readonly authority: Authority;
  readonly #state: ClientState;
  readonly #fetch: typeof fetch;
  readonly #log: Log;
  readonly #now: () => number;
  readonly #region: string | undefined;
  readonly #timeoutMs: number;
  readonly #retry: Required<RetryOptions>;
  readonly #marginMs: number;
  readonly #l2: DistributedTokenCache | undefined;
  readonly #capabilities: readonly string[];
  readonly #onAcquire: ConfidentialClientApplicationOptions["onAcquire"];

  /**
   * Validates the options and creates the application. Also takes msal-node's configuration
   * object (`{ auth: { clientId, authority, clientSecret | clientCertificate | clientAssertion } }`).
   * @throws ClientError for any invalid option (before any I/O).
   */
  constructor(configuration: ConfidentialClientApplicationOptions | MsalNodeConfiguration) {
    if (typeof configuration !== "object" || configuration === null)
      throw new ClientError(
        "invalid_configuration",
        "Pass an options object with at least clientId and a credential.",
      );
    const options = isMsalNodeConfiguration(configuration)
      ? fromMsalNodeConfiguration(configuration)
      : configuration;
    if (typeof options.clientId !== "string" || options.clientId.trim() === "") {
      throw new ClientError(
        "invalid_client_id",
        "The client id is empty: pass the application (client) id from the app registration.",
      );
    }
    this.clientId = options.clientId;
    this.authority = authorityOf(options);
    this.#region = regionOf(options.azureRegion, this.authority);
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#log = new Log(options.logger, options.logging);
    this.#now = options.now ?? Date.now;
    this.#timeoutMs = positive(options.timeoutMs, defaultTimeoutMs, "timeoutMs");
    const retry = options.retry === false ? { maxRetries: 0 } : (options.retry ?? {});
    this.#retry = {
      maxRetries: retry.maxRetries ?? 1,
      delayMs: retry.delayMs ?? 1000,
      attemptTimeoutMs:
        retry.attemptTimeoutMs ?? (retry.maxRetries === 0 ? this.#timeoutMs : this.#timeoutMs / 2),
    };
    this.#marginMs = (options.expiryMarginSeconds ?? defaultExpiryMarginSeconds) * 1000;
    // L2 is shared with other applications: its keys start with the cloud, client id and token type.
    const l2KeyPrefix = cacheKeyPrefix(this.authority.cacheEnvironment, this.clientId);
    this.#l2 =
      options.cache === undefined
        ? undefined
        : new DistributedTokenCache(
            options.cache,
            options.cacheOptions ?? {},
            this.#log,
            l2KeyPrefix,
          );
    this.#capabilities = capabilitiesOf(options.clientCapabilities);
    this.#onAcquire = options.onAcquire;

    const spec = credentialSpecOf(options);
    const limits = options.memoryCache ?? {};
    const authority = this.authority;
    const defaultEndpoint = (tenantId: string | undefined): string =>
      authority.kind === "oidc" ? "" : tokenEndpointOf(authority, tenantId);
    const create = (): ClientState =>
      new ClientState(createCredential(spec), limits, defaultEndpoint);
    this.#state =
      limits.shared === false
        ? create()
        : sharedClientState(
            `${this.authority.canonical}\u0000${this.clientId}\u0000${limits.maxEntries ?? ""}\u0000${limits.maxBytes ?? ""}\u0000${credentialIdentity(spec)}`,
            create,
          );
  }

  /**
   * Starts a token request for the application itself. Await the returned builder (it is
   * thenable), or call `executeAsync()`; chain `withTenantId`, `withForceRefresh`, ... first.
   *
   * @param scopes one resource's `.default` scope, e.g. `["https://graph.microsoft.com/.default"]`.
   * @example
   * ```ts
   * const result = await app.acquireTokenForClient(["https://graph.microsoft.com/.default"]).withTenantId(tenantId);
   * const same = await app.acquireTokenForClient(["https://graph.microsoft.com/.default"], { tenantId });
   * ```
   */
  acquireTokenForClient(
    scopes: readonly string[],
    options?: AcquireTokenForClientOptions,
  ): AcquireTokenForClientParameterBuilder {
    const onAcquire = this.#onAcquire;
    if (onAcquire === undefined)
      return new AcquireTokenForClientParameterBuilder(
        (request) => this.#acquire(scopes, request),
        options,
      );
    return new AcquireTokenForClientParameterBuilder(async (request) => {
      const result = await this.#acquire(scopes, request);
      try {
        onAcquire(result.authenticationResultMetadata, {
          tenantId: result.tenantId,
          scopes: result.scopes,
        });
      } catch (error) {
        this.#log.write(
          "warning",
          `onAcquire threw: ${error instanceof Error ? error.message : "unknown error"}`,
        );
      }
      return result;
    }, options);
  }

  /**
   * msal-node's `acquireTokenByClientCredential`, with its request and result shapes, for code
   * moving from `@azure/msal-node`. The tenant of `request.authority`, if given, is used.
   *
   * @example
   * ```ts
   * const { accessToken, fromCache } = await app.acquireTokenByClientCredential({ scopes: ["https://graph.microsoft.com/.default"] });
   * ```
   */
  async acquireTokenByClientCredential(
    request: ClientCredentialRequest,
  ): Promise<MsalAuthenticationResult> {
    if (typeof request !== "object" || request === null)
      throw new ClientError("invalid_configuration", "Pass a request object with scopes.");
    const tenant =
      request.authority === undefined ? undefined : parseAuthority(request.authority).tenant;
    return msalResultOf(
      await this.acquireTokenForClient(request.scopes, optionsOfMsalRequest(request, tenant)),
    );
  }

  /**
   * msal-node's token cache surface: `serialize()` writes this application's in-memory app
   * tokens as MSAL unified cache JSON; `deserialize(json)` loads app tokens written by msal-node,
   * MSAL.NET or MSAL Python.
   *
   * @example
   * ```ts
   * const json = app.getTokenCache().serialize();
   * other.getTokenCache().deserialize(json);
   * ```
   */
  getTokenCache(): TokenCacheSerializer {
    return tokenCacheSerializer(this.#state.l1, this.authority, this.clientId, this.#now);
  }

  /**
   * Acquires a token: from L1 when a valid one is cached, else from the identity provider
   * (concurrent callers for one key share one request).
   */
  #acquire(
    scopes: readonly string[],
    options: AcquireTokenForClientOptions = {},
  ): Promise<AuthenticationResult> {
    // Not an async function: the slow path's promise is handed on as it is, not wrapped in
    // another (two fewer promise jobs on every L2 hit and token request).
    try {
      const now = this.#now();
      const tenant = options.tenantId ?? this.authority.tenant;
      // Fast path: a valid L1 hit is a Map lookup and a clock read. It only needs the key to be
      // unambiguous (no separator in the tenant): anything invalid misses here, and the slow path
      // validates it before anything is stored.
      if (
        options.forceRefresh !== true &&
        options.claims === undefined &&
        allStrings(scopes) &&
        (tenant === undefined || (typeof tenant === "string" && !tenant.includes("|")))
      ) {
        const key = tokenCacheKey("", tenant, scopesCacheKey(scopes));
        const cached = this.#state.l1.get(key);
        if (cached !== undefined && now < cached.expiresOn - this.#marginMs) {
          this.#state.statistics.l1Hits++;
          if (now >= cached.refreshOn) this.#refreshInBackground(key, scopes, tenant, options);
          return Promise.resolve(
            new CachedAuthenticationResult(cached, CacheLevel.L1Cache, options.correlationId),
          );
        }
      }
      return this.#acquireSlow(scopes, tenant, options, now);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async #acquireSlow(
    scopes: readonly string[],
    tenant: string | undefined,
    options: AcquireTokenForClientOptions,
    started: number,
  ): Promise<AuthenticationResult> {
    // Made only when needed (an error, a token request): an L2 hit serves the result's lazy one.
    const correlationId = options.correlationId;
    if (options.signal?.aborted === true) throw abortError(options.signal, correlationId);
    const requestTenant = this.#requestTenant(tenant, correlationId);
    const { scopes: validScopes, key: scopesKey } = this.#state.validScopes(
      scopes,
      this.authority.kind,
    );
    const key = tokenCacheKey("", requestTenant, scopesKey);
    const skipCache = options.forceRefresh === true || options.claims !== undefined;
    let reason: CacheRefreshReason = skipCache
      ? CacheRefreshReason.ForceRefreshOrClaims
      : CacheRefreshReason.NoCachedAccessToken;
    const stats = this.#state.statistics;
    if (!skipCache) {
      const cached = this.#state.l1.get(key);
      if (cached !== undefined) {
        if (started < cached.expiresOn - this.#marginMs) {
          stats.l1Hits++;
          return new CachedAuthenticationResult(cached, CacheLevel.L1Cache, correlationId);
        }
        reason = CacheRefreshReason.Expired;
      }
    }
    const request: ResolveRequest = {
      key,
      scopes: validScopes,
      tenant: requestTenant,
      options,
      correlationId,
      reason,
      readL2: !skipCache,
    };
    const resolved = await waitFor(
      skipCache ? this.#resolve(request) : this.#joinOrStart(request),
      options.signal,
      correlationId,
    );
    const duration = this.#now() - started;
    if (resolved.level === CacheLevel.L2Cache)
      return new CachedAuthenticationResult(
        resolved.token,
        CacheLevel.L2Cache,
        correlationId,
        duration,
      );
    return fetchedResult(resolved, resolved.reason, duration);
  }

  /** Joins the acquisition in flight for the key, or starts it: concurrent misses share one request. */
  #joinOrStart(request: ResolveRequest): Promise<FetchedToken> {
    const inFlight = this.#state.inFlight;
    let pending = inFlight.get(request.key);
    if (pending === undefined) {
      // Not finally(): it would add two promise jobs to every L2 hit.
      pending = this.#resolve(request).then(
        (resolved) => {
          inFlight.delete(request.key);
          return resolved;
        },
        (error: unknown) => {
          inFlight.delete(request.key);
          throw error;
        },
      );
      inFlight.set(request.key, pending);
    } else {
      this.#state.statistics.coalescedWaits++;
    }
    return pending;
  }

  /**
   * L2, then (under the lease, when on) the identity provider; fills both cache levels. The L2
   * read comes first and alone, bounded by the store timeout (at most the acquisition timeout):
   * an L2 hit costs one store call and no deadline. The rest of the acquisition has a deadline
   * of its own for what is left of the timeout, covering the lease wait, discovery, the
   * assertion and the token request; one caller giving up does not cancel the others.
   */
  async #resolve(request: ResolveRequest): Promise<FetchedToken> {
    const l2 = this.#l2;
    let stored: CachedToken | undefined;
    let remainingMs = this.#timeoutMs;
    if (l2 !== undefined && request.readL2) {
      const started = Date.now();
      stored = await l2.read(request.key, remainingMs);
      if (stored !== undefined && this.#usable(stored, request.reason))
        return this.#fromL2(request.key, stored);
      remainingMs -= Date.now() - started;
    }
    const resolving: NetworkRequest = {
      ...request,
      correlationId: request.correlationId ?? randomId(),
    };
    const timedOut = (): NetworkError =>
      new NetworkError(
        "request_timeout",
        `The acquisition did not finish within ${this.#timeoutMs} ms.`,
        { correlationId: resolving.correlationId },
      );
    if (remainingMs <= 0) throw timedOut();
    const deadline = startDeadline(remainingMs);
    try {
      return await this.#resolveWithin(resolving, stored, deadline.signal, timedOut);
    } finally {
      deadline.clear();
    }
  }

  /** After an L1 and L2 miss (`stored`: an L2 token that may not be served): the lease, then the identity provider. */
  async #resolveWithin(
    request: NetworkRequest,
    stored: CachedToken | undefined,
    signal: AbortSignal,
    timedOut: () => NetworkError,
  ): Promise<FetchedToken> {
    const state = this.#state;
    await raceSignal(state.credential.ready, signal, timedOut);
    const l2 = this.#l2;
    let reason = request.reason;
    let leased = false;
    if (l2 !== undefined && request.readL2) {
      // Only a miss needs to know whether another instance was told to back off.
      const sharedBlock = await raceSignal(l2.readThrottle(request.key), signal, timedOut);
      if (sharedBlock !== undefined)
        state.throttle.recordShared(
          request.key,
          sharedBlock.until,
          sharedBlock.status,
          this.#now(),
        );
      if (stored !== undefined && reason === CacheRefreshReason.NoCachedAccessToken)
        reason = CacheRefreshReason.Expired;
      if (l2.leaseMs > 0) {
        leased = await raceSignal(l2.takeLease(request.key), signal, timedOut);
        if (!leased) {
          const fromHolder = await l2.waitForLeaseHolder(request.key, signal);
          if (fromHolder !== undefined && this.#usable(fromHolder, reason))
            return this.#fromL2(request.key, fromHolder);
        }
      }
    }
    state.statistics.misses++;
    const fetched = await this.#fetchToken({ ...request, reason }, signal);
    if (l2 !== undefined) {
      const write = l2
        .write(request.key, fetched.token, this.#now())
        .then(() => (leased ? l2.releaseLease(request.key) : undefined));
      if (request.options.waitUntil === undefined)
        await raceSignal(write, signal, timedOut).catch(() => undefined);
      else request.options.waitUntil(write);
    }
    return fetched;
  }

  /** Whether a stored token may be served: valid beyond the margin, and not due for the refresh being made. */
  #usable(token: CachedToken, reason: CacheRefreshReason): boolean {
    const now = this.#now();
    return (
      now < token.expiresOn - this.#marginMs &&
      (reason !== CacheRefreshReason.ProactivelyRefreshed || now < token.refreshOn)
    );
  }

  #fromL2(key: string, token: CachedToken): StoredToken {
    this.#state.l1.set(key, token, this.#now());
    this.#state.statistics.l2Hits++;
    return { level: CacheLevel.L2Cache, token };
  }

  async #fetchToken(request: NetworkRequest, signal: AbortSignal): Promise<IssuedToken> {
    const { key, tenant, correlationId, reason, options } = request;
    const state = this.#state;
    state.throttle.check(key, this.#now(), correlationId);
    const region =
      options.azureRegion === undefined
        ? this.#region
        : regionOf(options.azureRegion, this.authority);
    let outcome;
    try {
      const { tokenEndpoint, fallbackTokenEndpoint } = await this.#endpoints(
        tenant,
        region,
        signal,
        correlationId,
      );
      this.#log.write("info", `Requesting a token (${reason}).`, {
        correlationId,
        tenant: this.#log.redact(tenant),
      });
      state.statistics.networkRequests++;
      outcome = await requestToken({
        fetch: this.#fetch,
        log: this.#log,
        clientId: this.clientId,
        credential: state.credential,
        authorityKind: this.authority.kind,
        tenantId: tenant,
        tokenEndpoint,
        fallbackTokenEndpoint,
        region: fallbackTokenEndpoint === undefined ? undefined : region,
        scopes: request.scopes,
        claims: mergeClaims(options.claims, this.#capabilities),
        correlationId,
        extraQueryParameters: options.extraQueryParameters,
        sendX5c: options.sendX5c,
        cacheRefreshReason: reason,
        signal,
        retry: this.#retry,
        now: this.#now,
      });
    } catch (error) {
      if (
        error instanceof ThrottledError &&
        error.retryAfterMs !== undefined &&
        !state.throttle.isBlocked(key, this.#now())
      ) {
        const now = this.#now();
        state.throttle.record(key, error, now);
        const shared = this.#l2?.writeThrottle(key, now + error.retryAfterMs, error.status, now);
        if (shared !== undefined) await shared;
      }
      this.#log.write("warning", `Token request failed: ${describeForLog(error, this.#log)}`, {
        correlationId,
      });
      throw error;
    }
    const token = this.#cachedTokenOf(
      outcome.token,
      outcome.requestedAt,
      request.scopes,
      tenant,
      outcome.tokenEndpoint,
    );
    if (token.expiresOn - this.#marginMs > this.#now()) state.l1.set(key, token, this.#now());
    return {
      token,
      level: CacheLevel.None,
      reason,
      correlationId,
      durationInHttpInMs: outcome.durationInHttpInMs,
      regionDetails: outcome.regionDetails,
    };
  }

  #cachedTokenOf(
    response: {
      accessToken: string;
      tokenType: string;
      expiresIn: number;
      extExpiresIn: number | undefined;
      refreshIn: number | undefined;
    },
    requestedAt: number,
    scopes: readonly string[],
    tenant: string | undefined,
    tokenEndpoint: string,
  ): CachedToken {
    const expiresOn = requestedAt + response.expiresIn * 1000;
    let refreshOn = Infinity;
    if (response.refreshIn !== undefined) refreshOn = requestedAt + response.refreshIn * 1000;
    else if (response.expiresIn >= halfLifeRefreshThresholdSeconds) {
      // Half the life, minus up to 5 % jitter so that many instances do not refresh at once.
      refreshOn = requestedAt + response.expiresIn * 500 * (1 - Math.random() * 0.05);
    }
    return {
      accessToken: response.accessToken,
      tokenType: normaliseTokenType(response.tokenType),
      expiresOn,
      extendedExpiresOn: requestedAt + (response.extExpiresIn ?? response.expiresIn) * 1000,
      refreshOn,
      cachedAt: requestedAt,
      scopes,
      tenantId: this.authority.kind === "entra" ? tenant : undefined,
      tokenEndpoint,
    };
  }

  /** A refresh after `refreshOn`: the caller already has the cached token; failures are only logged. */
  #refreshInBackground(
    key: string,
    scopes: readonly string[],
    tenant: string | undefined,
    options: AcquireTokenForClientOptions,
  ): void {
    if (this.#state.inFlight.has(key)) return;
    const correlationId = randomId();
    const background: AcquireTokenForClientOptions =
      options.waitUntil === undefined ? {} : { waitUntil: options.waitUntil };
    const refresh = this.#joinOrStart({
      key,
      scopes,
      tenant,
      options: background,
      correlationId,
      reason: CacheRefreshReason.ProactivelyRefreshed,
      readL2: true,
    }).then(
      () => undefined,
      (error: unknown) => {
        this.#log.write(
          "warning",
          `Background refresh failed; the cached token is still served until it expires. ${describeForLog(error, this.#log)}`,
          { correlationId },
        );
      },
    );
    options.waitUntil?.(refresh);
  }

  #requestTenant(
    tenant: string | undefined,
    correlationId: string | undefined,
  ): string | undefined {
    if (this.authority.kind !== "entra") {
      if (tenant !== undefined && tenant !== this.authority.tenant) {
        throw new ClientError(
          "invalid_tenant",
          `A tenant cannot be chosen per request for ${this.authority.kind === "adfs" ? "an ADFS" : "a generic OIDC"} authority: remove withTenantId.`,
          { correlationId: correlationId ?? randomId() },
        );
      }
      return undefined;
    }
    if (tenant === undefined) {
      throw new ClientError(
        "missing_tenant",
        "No tenant was given: set it on the application (withTenantId or the authority URL) or per request (withTenantId).",
        { correlationId: correlationId ?? randomId() },
      );
    }
    assertRequestTenant(tenant);
    return tenant;
  }

  async #endpoints(
    tenant: string | undefined,
    region: string | undefined,
    signal: AbortSignal,
    correlationId: string,
  ): Promise<{ tokenEndpoint: string; fallbackTokenEndpoint: string | undefined }> {
    const authority = this.authority;
    if (authority.kind === "oidc") {
      return {
        tokenEndpoint: await this.#state.discovery.tokenEndpoint(
          authority.issuer as string,
          this.#fetch,
          signal,
          this.#now(),
          correlationId,
        ),
        fallbackTokenEndpoint: undefined,
      };
    }
    const global = tokenEndpointOf(authority, tenant);
    if (region === undefined) return { tokenEndpoint: global, fallbackTokenEndpoint: undefined };
    return {
      tokenEndpoint: tokenEndpointOf(authority, tenant, region),
      fallbackTokenEndpoint: global,
    };
  }

  /**
   * Counts of this application's cache use (shared with equal applications): hits per level,
   * misses, token requests sent, and callers that waited on another caller's request.
   *
   * @example
   * ```ts
   * const { l1Hits, l2Hits, misses } = app.getCacheStatistics();
   * metrics.gauge("token_cache_hit_rate", (l1Hits + l2Hits) / (l1Hits + l2Hits + misses));
   * ```
   */
  getCacheStatistics(): CacheStatistics {
    return {
      ...this.#state.statistics,
      l1Entries: this.#state.l1.size,
      l1Bytes: this.#state.l1.bytes,
    };
  }

  /**
   * Removes cached tokens from L1: all of them, or one tenant's. (L2 entries expire with their
   * tokens; a store shared by other instances is not swept.)
   *
   * @example
   * ```ts
   * app.removeTokens({ tenantId }); // a customer left: forget its tokens
   * ```
   */
  removeTokens(filter: { tenantId?: string } = {}): number {
    if (filter.tenantId === undefined) {
      const removed = this.#state.l1.size;
      this.#state.l1.clear();
      return removed;
    }
    const tenant = filter.tenantId.toLowerCase();
    return this.#state.l1.deleteWhere((token) => token.tenantId?.toLowerCase() === tenant);
  }
}

/** One acquisition that missed L1, as handed to the shared resolution. */
interface ResolveRequest {
  readonly key: string;
  readonly scopes: readonly string[];
  readonly tenant: string | undefined;
  readonly options: AcquireTokenForClientOptions;
  /** The caller's, if given; a request to the identity provider makes one (see {@link NetworkRequest}). */
  readonly correlationId: string | undefined;
  readonly reason: CacheRefreshReason;
  /** Whether the L2 may answer (not for force refresh or claims). */
  readonly readL2: boolean;
}

/** A resolution that goes on to the identity provider: it has a correlation id to send. */
interface NetworkRequest extends ResolveRequest {
  readonly correlationId: string;
}

/**
 * An error for a log line: its code and status always; its message (which names the tenant's
 * token endpoint and the service's text about the client) only with PII logging on.
 */
function describeForLog(error: unknown, log: Log): string {
  if (!(error instanceof EntraEdgeError))
    return error instanceof Error ? error.name : "unknown error";
  const status =
    error instanceof ServiceError
      ? ` (HTTP ${error.status}${error.errorCodes.length > 0 ? `, AADSTS${error.errorCodes.join(",")}` : ""})`
      : "";
  return `${error.code}${status}${log.pii ? `: ${error.message}` : ""}`;
}

function fetchedResult(
  fetched: IssuedToken,
  reason: CacheRefreshReason,
  durationTotalInMs: number,
): AuthenticationResult {
  const token = fetched.token;
  const refreshOn = Number.isFinite(token.refreshOn) ? new Date(token.refreshOn) : undefined;
  return {
    accessToken: token.accessToken,
    tokenType: token.tokenType,
    expiresOn: new Date(token.expiresOn),
    extendedExpiresOn: new Date(token.extendedExpiresOn),
    refreshOn,
    scopes: token.scopes,
    tenantId: token.tenantId,
    correlationId: fetched.correlationId,
    authenticationResultMetadata: {
      tokenSource: TokenSource.IdentityProvider,
      cacheRefreshReason: reason,
      cacheLevel: CacheLevel.None,
      tokenEndpoint: token.tokenEndpoint,
      durationTotalInMs,
      durationInHttpInMs: fetched.durationInHttpInMs,
      durationInCacheInMs: 0,
      regionDetails: fetched.regionDetails,
      refreshOn,
    },
  };
}

/** Whether `scopes` is a non-empty array of strings: the fast path's only check, as cheap as it gets. */
function allStrings(scopes: unknown): scopes is readonly string[] {
  return isStringArray(scopes) && scopes.length > 0;
}

/** Waits for a shared promise, giving up (for this caller only) when its signal aborts. */
function waitFor<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  correlationId: string | undefined,
): Promise<T> {
  return signal === undefined
    ? promise
    : raceSignal(promise, signal, () => abortError(signal, correlationId));
}

function abortError(signal: AbortSignal, correlationId: string | undefined): NetworkError {
  return new NetworkError("aborted", "The acquisition was aborted by the caller's AbortSignal.", {
    correlationId: correlationId ?? randomId(),
    cause: signal.reason,
  });
}

function normaliseTokenType(tokenType: string): string {
  return tokenType.toLowerCase() === "bearer" ? "Bearer" : tokenType;
}

function authorityOf(options: ConfidentialClientApplicationOptions): Authority {
  if (options.oidcIssuer !== undefined) {
    if (options.authority !== undefined)
      throw new ClientError(
        "invalid_configuration",
        "Give either an Entra/ADFS authority or an OIDC issuer, not both.",
      );
    return parseOidcAuthority(options.oidcIssuer);
  }
  if (options.tenantId !== undefined && typeof options.tenantId !== "string") {
    // Checked before it meets a template string, where an object without a usable toString throws a TypeError.
    throw new ClientError(
      "invalid_tenant",
      `The tenantId option is a ${typeof options.tenantId}, not a string: give the directory (tenant) GUID or a verified domain.`,
    );
  }
  if (options.authority !== undefined) {
    const authority = parseAuthority(options.authority);
    if (options.tenantId === undefined || authority.kind !== "entra") return authority;
    return parseAuthority(`${authority.origin}/${options.tenantId}`);
  }
  const host = hostOfCloudInstance(options.azureCloudInstance ?? "AzurePublic");
  if (host === undefined)
    throw new ClientError(
      "invalid_authority",
      `Unknown cloud instance ${String(options.azureCloudInstance)}: use a value of AzureCloudInstance.`,
    );
  return parseAuthority(`https://${host}/${options.tenantId ?? "organizations"}`);
}

function regionOf(region: string | undefined, authority: Authority): string | undefined {
  if (region === undefined) return undefined;
  if (!/^[a-z0-9]{1,40}$/i.test(region)) {
    throw new ClientError(
      "invalid_region",
      `The Azure region ${JSON.stringify(region.slice(0, 60))} is not a region name: use the short name, e.g. "westus" or "eastus2".`,
    );
  }
  if (authority.kind !== "entra" || cloudOfHost(authority.host) === undefined) {
    throw new ClientError(
      "invalid_region",
      "Regional endpoints exist only for the Entra ID clouds (login.microsoftonline.com and the sovereign clouds): remove withAzureRegion.",
    );
  }
  return region.toLowerCase();
}

function capabilitiesOf(capabilities: readonly string[] | undefined): readonly string[] {
  if (capabilities === undefined) return [];
  if (
    !Array.isArray(capabilities) ||
    capabilities.some((capability) => typeof capability !== "string" || capability === "")
  ) {
    throw new ClientError(
      "invalid_configuration",
      'Client capabilities must be a list of names, e.g. ["cp1"].',
    );
  }
  return [...capabilities];
}

function credentialSpecOf(options: ConfidentialClientApplicationOptions): CredentialSpec {
  const given = [options.clientSecret, options.certificate, options.clientAssertion].filter(
    (value) => value !== undefined,
  ).length;
  if (given !== 1) {
    throw new ClientError(
      "invalid_configuration",
      given === 0
        ? "No credential was given: use withClientSecret, withCertificate or withClientAssertion."
        : "More than one credential was given: use exactly one of withClientSecret, withCertificate and withClientAssertion.",
    );
  }
  if (options.clientSecret !== undefined) return { kind: "secret", secret: options.clientSecret };
  if (options.clientAssertion !== undefined)
    return { kind: "assertion", assertion: options.clientAssertion };
  const claims = options.clientClaims;
  return {
    kind: "certificate",
    certificate: options.certificate as CertificateOptions,
    clientClaims:
      claims === undefined
        ? undefined
        : { claims: claims.claims, mergeWithDefaultClaims: claims.mergeWithDefaultClaims ?? true },
  };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new ClientError(
      "invalid_configuration",
      `${name} must be a positive number of milliseconds.`,
    );
  return value;
}
