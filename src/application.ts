/**
 * The confidential client application: the public surface (acquire, msal-node's names, cache
 * statistics) and the L1 hit path. An L1 miss goes to the miss path (`acquisition/`); the
 * options are checked in `configuration.ts`. Build it once (or per request in a Worker: the
 * expensive state is shared).
 *
 * @module
 */

import { isTenantShaped, parseAuthority, type Authority } from "./authority/authority";
import { AcquireTokenForClientParameterBuilder } from "./request/acquire-token-builder";
import { TokenResolver } from "./acquisition/token-resolver";
import { tokenCacheKey } from "./cache/cache-key";
import { CachedAuthenticationResult } from "./cache/cached-result";
import { clientStateOf, type CacheStatistics, type ClientState } from "./client-state";
import { resolveConfiguration } from "./configuration";
import { assertCorrelationId } from "./request/correlation-id";
import { ClientError } from "./errors";
import { isPromiseLike, isStringArray } from "./internal/guards";
import type { Log } from "./logger";
import {
  msalResultOf,
  optionsOfMsalRequest,
  type ClientCredentialRequest,
  type MsalAuthenticationResult,
} from "./msal/client-credential-request";
import type { MsalNodeConfiguration } from "./msal/msal-configuration";
import { tokenCacheSerializer, type TokenCacheSerializer } from "./msal/token-cache-serializer";
import type {
  AcquireTokenForClientOptions,
  AcquisitionContext,
  AcquisitionObserver,
  ConfidentialClientApplicationOptions,
} from "./options";
import { CacheLevel, type AuthenticationResult } from "./result";

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
  readonly #resolver: TokenResolver;
  readonly #log: Log;
  readonly #now: () => number;
  readonly #marginMs: number;
  readonly #observer: AcquisitionObserver | undefined;

  /**
   * Validates the options and creates the application. Also takes msal-node's configuration
   * object (`{ auth: { clientId, authority, clientSecret | clientCertificate | clientAssertion } }`).
   * @throws ClientError for any invalid option (before any I/O).
   */
  constructor(configuration: ConfidentialClientApplicationOptions | MsalNodeConfiguration) {
    const config = resolveConfiguration(configuration);
    this.clientId = config.clientId;
    this.authority = config.authority;
    this.#log = config.log;
    this.#now = config.now;
    this.#marginMs = config.marginMs;
    this.#observer = config.observer;
    this.#state = clientStateOf(config);
    this.#resolver = new TokenResolver(config, this.#state);
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
    const observer = this.#observer;
    if (observer === undefined)
      return new AcquireTokenForClientParameterBuilder(
        (request) => this.#acquire(scopes, request),
        options,
      );
    return new AcquireTokenForClientParameterBuilder(
      (request) => this.#observe(observer, scopes, request),
      options,
    );
  }

  /**
   * An acquisition whose outcome the `onAcquire` observer is told: the result or the error goes
   * to the caller unchanged, whatever the observer does.
   */
  async #observe(
    observer: AcquisitionObserver,
    scopes: readonly string[],
    options: AcquireTokenForClientOptions,
  ): Promise<AuthenticationResult> {
    const started = performance.now();
    let result: AuthenticationResult;
    try {
      result = await this.#acquire(scopes, options);
    } catch (error) {
      if (observer.onFailure !== undefined) {
        const tenant: unknown = options.tenantId ?? this.authority.tenant;
        const context: AcquisitionContext = {
          tenantId: typeof tenant === "string" ? tenant : undefined,
          scopes: isStringArray(scopes) ? scopes : [],
          durationInUs: microsecondsSince(started),
        };
        this.#tell("onFailure", () => observer.onFailure?.(error, context));
      }
      throw error;
    }
    if (observer.onSuccess !== undefined) {
      const context: AcquisitionContext = {
        tenantId: result.tenantId,
        scopes: result.scopes,
        durationInUs: microsecondsSince(started),
      };
      const metadata = result.authenticationResultMetadata;
      this.#tell("onSuccess", () => observer.onSuccess?.(metadata, context));
    }
    return result;
  }

  /** Calls an observer callback; what it throws or rejects with is only logged. */
  #tell(name: string, callback: () => unknown): void {
    const failed = (error: unknown): void =>
      this.#log.write("warning", `onAcquire ${name} threw: ${this.#log.describe(error)}`);
    try {
      const returned = callback();
      if (isPromiseLike(returned)) returned.then(undefined, failed);
    } catch (error) {
      failed(error);
    }
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
      request.authority === undefined
        ? undefined
        : this.#tenantOfRequestAuthority(request.authority);
    return msalResultOf(
      await this.acquireTokenForClient(request.scopes, optionsOfMsalRequest(request, tenant)),
    );
  }

  /**
   * The tenant of a per-request authority, which must be on the application's own cloud (or
   * server), as msal-node requires: credentials are never sent to a host the application was
   * not configured with.
   * @throws ClientError `invalid_authority`
   */
  #tenantOfRequestAuthority(authority: string): string | undefined {
    const requested = parseAuthority(authority);
    if (
      requested.kind !== this.authority.kind ||
      requested.cacheEnvironment !== this.authority.cacheEnvironment
    ) {
      throw new ClientError(
        "invalid_authority",
        `The request's authority (${requested.host}) is not on the application's authority host (${this.authority.host}): a request may only change the tenant. Build an application for the other cloud instead.`,
      );
    }
    return requested.tenant;
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
      if (options.correlationId !== undefined) assertCorrelationId(options.correlationId);
      // Fast path: a valid L1 hit is a few Map lookups and a clock read. It serves only what the
      // slow path would serve: a one-scope request whose scope the slow path validated and keyed
      // before, and a tenant that is the cached token's own or has the tenant pattern (so no
      // Unicode case folding can reach another tenant's token). Anything else goes the slow way,
      // extra form fields, extra headers and a rejected token's hash included (checked there).
      const known =
        options.forceRefresh !== true &&
        options.claims === undefined &&
        options.extraBodyParameters === undefined &&
        options.extraHttpHeaders === undefined &&
        options.accessTokenSha256ToRefresh === undefined &&
        Array.isArray(scopes) &&
        scopes.length === 1 &&
        (tenant === undefined || (typeof tenant === "string" && !tenant.includes("|")))
          ? this.#state.knownScopes(scopes[0])
          : undefined;
      if (known !== undefined) {
        const key = tokenCacheKey("", tenant, known.key);
        const cached = this.#state.l1.get(key);
        if (
          cached !== undefined &&
          now < cached.expiresOn - this.#marginMs &&
          (cached.tenantId === tenant || isTenantShaped(tenant))
        ) {
          this.#state.statistics.l1Hits++;
          if (now >= cached.refreshOn)
            this.#resolver.refreshInBackground(key, known.scopes, tenant, options);
          return Promise.resolve(
            new CachedAuthenticationResult(cached, CacheLevel.L1Cache, options.correlationId),
          );
        }
      }
      return this.#resolver.acquire(scopes, tenant, options, now);
    } catch (error) {
      return Promise.reject(error);
    }
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

/** Whole microseconds since `started` (a `performance.now()` reading). */
function microsecondsSince(started: number): number {
  return Math.round((performance.now() - started) * 1000);
}
