/**
 * The miss path: gets a token from another caller or instance, or from the identity provider.
 * Concurrent misses for one key share one resolution (single flight); a resolution reads L2,
 * then (under the lease, when on) asks the identity provider and fills both cache levels. Also
 * starts the background refresh of a token past its `refreshOn`.
 *
 * @module
 */

import { requestTenantOf } from "../authority/request-tenant";
import { tokenCacheKey } from "../cache/cache-key";
import { CachedAuthenticationResult } from "../cache/cached-result";
import type { CachedToken } from "../cache/cached-token";
import type { ClientState } from "../client-state";
import type { ApplicationConfiguration } from "../configuration";
import { assertCorrelationId } from "../request/correlation-id";
import { checkedRequestOptions } from "../request/request-options";
import { EntraEdgeError, NetworkError } from "../errors";
import { raceSignal, startDeadline } from "../internal/deadline";
import { accessTokenSha256 } from "../internal/token-hash";
import { randomId } from "../internal/uuid";
import type { AcquireTokenForClientOptions } from "../options";
import { CacheLevel, CacheRefreshReason, type AuthenticationResult } from "../result";
import { IdentityProviderClient } from "./identity-provider";
import { isFresh, mayServe } from "./refresh-policy";
import {
  issuedResult,
  type FetchedToken,
  type NetworkRequest,
  type ResolveRequest,
  type StoredToken,
} from "./resolved-token";

/** Resolves L1 misses for one application. */
export class TokenResolver {
  readonly #config: ApplicationConfiguration;
  readonly #state: ClientState;
  readonly #identityProvider: IdentityProviderClient;

  constructor(config: ApplicationConfiguration, state: ClientState) {
    this.#config = config;
    this.#state = state;
    this.#identityProvider = new IdentityProviderClient(config, state);
  }

  /**
   * An acquisition the L1 fast path did not serve: validates the request, looks at L1 once more
   * (the fast path skips what it cannot key), then resolves it.
   * @param started when the acquisition started (epoch ms), for its duration.
   */
  async acquire(
    scopes: readonly string[],
    tenant: string | undefined,
    options: AcquireTokenForClientOptions,
    started: number,
  ): Promise<AuthenticationResult> {
    // Made only when needed (an error, a token request): an L2 hit serves the result's lazy one.
    const correlationId = options.correlationId;
    if (correlationId !== undefined) assertCorrelationId(correlationId);
    if (options.signal?.aborted === true) throw abortError(options.signal, correlationId);
    const config = this.#config;
    const state = this.#state;
    const requestTenant = requestTenantOf(config.authority, tenant, correlationId);
    const { scopes: validScopes, key: scopesKey } = state.validScopes(
      scopes,
      config.authority.kind,
    );
    const { options: checked, bodyParametersKey, rejectedHash } = checkedRequestOptions(options);
    const key = tokenCacheKey("", requestTenant, scopesKey, bodyParametersKey);
    // With a rejected token's hash, claims do not skip the cache (as in MSAL.NET): a cached
    // token other than the rejected one is served, so a fleet refreshes a rejected token once.
    const skipCache =
      options.forceRefresh === true || (options.claims !== undefined && rejectedHash === undefined);
    let reason: CacheRefreshReason = skipCache
      ? CacheRefreshReason.ForceRefreshOrClaims
      : CacheRefreshReason.NoCachedAccessToken;
    if (!skipCache) {
      const cached = state.l1.get(key);
      if (cached !== undefined) {
        if (!isFresh(cached, started, config.marginMs)) reason = CacheRefreshReason.Expired;
        else if (rejectedHash !== undefined && (await isRejected(cached, rejectedHash)))
          reason = CacheRefreshReason.ForceRefreshOrClaims;
        else {
          state.statistics.l1Hits++;
          if (started >= cached.refreshOn)
            this.refreshInBackground(key, validScopes, requestTenant, checked);
          return new CachedAuthenticationResult(cached, CacheLevel.L1Cache, correlationId);
        }
      }
    }
    const request: ResolveRequest = {
      key,
      scopes: validScopes,
      tenant: requestTenant,
      options: checked,
      correlationId,
      reason,
      readL2: !skipCache,
      rejectedHash,
    };
    const resolved = await waitFor(
      rejectedHash !== undefined
        ? // Never starts like a cache key (a tenant, or nothing, then "|"), nor like a forced one.
          this.#joinOrStart(
            state.forcedInFlight,
            `\u0001${rejectedHash}\u0000${options.claims ?? ""}\u0000${key}`,
            request,
          )
        : skipCache
          ? this.#joinOrStart(state.forcedInFlight, `${key}\u0000${options.claims ?? ""}`, request)
          : this.#joinOrStart(state.inFlight, key, request),
      options.signal,
      correlationId,
    );
    const duration = config.now() - started;
    if (resolved.level === CacheLevel.L2Cache)
      return new CachedAuthenticationResult(
        resolved.token,
        CacheLevel.L2Cache,
        correlationId,
        duration,
      );
    return issuedResult(resolved, duration);
  }

  /**
   * A refresh after `refreshOn`, started by an L1 hit: the caller already has the cached token;
   * failures are only logged. Nothing starts while a resolution for the key is in flight.
   */
  refreshInBackground(
    key: string,
    scopes: readonly string[],
    tenant: string | undefined,
    options: AcquireTokenForClientOptions,
  ): void {
    const state = this.#state;
    if (state.inFlight.has(key)) return;
    const log = this.#config.log;
    const correlationId = randomId();
    // What decides the token (extra form fields) and what the caller sends with every request.
    const { waitUntil, extraBodyParameters, extraHttpHeaders } = options;
    const background: AcquireTokenForClientOptions = {};
    if (waitUntil !== undefined) background.waitUntil = waitUntil;
    if (extraBodyParameters !== undefined) background.extraBodyParameters = extraBodyParameters;
    if (extraHttpHeaders !== undefined) background.extraHttpHeaders = extraHttpHeaders;
    const refresh = this.#joinOrStart(state.inFlight, key, {
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
        log.write(
          "warning",
          `Background refresh failed; the cached token is still served until it expires. ${log.describe(error)}`,
          { correlationId },
        );
      },
    );
    waitUntil?.(refresh);
  }

  /**
   * Joins the resolution in flight under `flightKey`, or starts it: concurrent callers share one
   * request.
   */
  #joinOrStart(
    inFlight: Map<string, Promise<FetchedToken>>,
    flightKey: string,
    request: ResolveRequest,
  ): Promise<FetchedToken> {
    let pending = inFlight.get(flightKey);
    if (pending === undefined) {
      // Not finally(): it would add two promise jobs to every L2 hit.
      pending = this.#resolve(request).then(
        (resolved) => {
          inFlight.delete(flightKey);
          return resolved;
        },
        (error: unknown) => {
          inFlight.delete(flightKey);
          throw error;
        },
      );
      inFlight.set(flightKey, pending);
      return pending;
    }
    this.#state.statistics.coalescedWaits++;
    // Each caller gets its own error object: one caller changing it must not change another's.
    return pending.then(undefined, (error: unknown) => {
      throw error instanceof EntraEdgeError ? error.clone() : error;
    });
  }

  /**
   * L2, then (under the lease, when on) the identity provider; fills both cache levels. The L2
   * read comes first and alone, bounded by the store timeout (at most the acquisition timeout):
   * an L2 hit costs one store call and no deadline. The rest of the acquisition has a deadline
   * of its own for what is left of the timeout, covering the lease wait, discovery, the
   * assertion and the token request; one caller giving up does not cancel the others.
   */
  async #resolve(request: ResolveRequest): Promise<FetchedToken> {
    const { l2, timeoutMs } = this.#config;
    let stored: CachedToken | undefined;
    let remainingMs = timeoutMs;
    let readMs = 0;
    if (l2 !== undefined && request.readL2) {
      const started = Date.now();
      stored = await l2.read(request.key, remainingMs);
      if (
        stored !== undefined &&
        this.#mayServe(stored, request.reason) &&
        (request.rejectedHash === undefined || !(await isRejected(stored, request.rejectedHash)))
      )
        return this.#fromL2(request.key, stored);
      readMs = Date.now() - started;
      remainingMs -= readMs;
    }
    const resolving: NetworkRequest = {
      ...request,
      correlationId: request.correlationId ?? randomId(),
    };
    const timedOut = (): NetworkError =>
      new NetworkError(
        "request_timeout",
        `The acquisition did not finish within ${timeoutMs} ms.`,
        {
          correlationId: resolving.correlationId,
        },
      );
    if (remainingMs <= 0) throw timedOut();
    const deadline = startDeadline(remainingMs);
    try {
      return await this.#resolveWithin(resolving, stored, readMs, deadline.signal, timedOut);
    } finally {
      deadline.clear();
    }
  }

  /**
   * After an L1 and L2 miss (`stored`: an L2 token that may not be served; `readMs`: the time
   * that read took): the lease, then the identity provider.
   */
  async #resolveWithin(
    request: NetworkRequest,
    stored: CachedToken | undefined,
    readMs: number,
    signal: AbortSignal,
    timedOut: () => NetworkError,
  ): Promise<FetchedToken> {
    const state = this.#state;
    const { l2, now } = this.#config;
    await raceSignal(state.credential.ready, signal, timedOut);
    let reason = request.reason;
    let lease: { release(): Promise<void> } | undefined;
    let fetched: FetchedToken;
    try {
      if (l2 !== undefined) {
        // A miss (a forced refresh too) follows the store's throttle marker: another instance's
        // block, or none any more.
        const syncThrottle = async (): Promise<void> =>
          state.throttle.syncShared(
            request.key,
            await raceSignal(l2.readThrottle(request.key), signal, timedOut),
            now(),
          );
        await syncThrottle();
        if (stored !== undefined && reason === CacheRefreshReason.NoCachedAccessToken)
          reason = CacheRefreshReason.Expired;
        // A refresh of a rejected token takes the lease wherever the store can: a revocation
        // seen by a whole fleet at once is the stampede the lease is for.
        const leasing = l2.leaseMs > 0 || (request.rejectedHash !== undefined && l2.canLease);
        if (leasing && request.readL2 && !state.throttle.isBlocked(request.key, now())) {
          const served = reason;
          const rejected = request.rejectedHash;
          const accept = (token: CachedToken): boolean | Promise<boolean> =>
            this.#mayServe(token, served) &&
            (rejected === undefined || isRejected(token, rejected).then((match) => !match));
          const outcome = await raceSignal(l2.lease(request.key, accept, signal), signal, timedOut);
          if (outcome.token !== undefined) return this.#fromL2(request.key, outcome.token);
          lease = outcome.lease;
          // Taken over from another holder, which may have been told to back off meanwhile.
          if (outcome.waited) await syncThrottle();
        }
      }
      state.statistics.misses++;
      fetched = await this.#identityProvider.fetchToken({ ...request, reason }, signal);
    } catch (error) {
      // Hand the lease over at once (a release leaves another holder's lease alone).
      const released = lease?.release();
      if (released !== undefined) request.options.waitUntil?.(released);
      throw error;
    }
    if (l2 === undefined) return fetched;
    let cacheMs = readMs;
    const write = l2.write(request.key, fetched.token, now()).then(() => lease?.release());
    if (request.options.waitUntil === undefined) {
      const started = Date.now();
      await raceSignal(write, signal, timedOut).catch(() => undefined);
      cacheMs += Date.now() - started;
    } else request.options.waitUntil(write);
    return cacheMs === 0 ? fetched : { ...fetched, durationInCacheInMs: cacheMs };
  }

  #mayServe(token: CachedToken, reason: CacheRefreshReason): boolean {
    return mayServe(token, reason, this.#config.now(), this.#config.marginMs);
  }

  #fromL2(key: string, token: CachedToken): StoredToken {
    this.#state.l1.set(key, token, this.#config.now());
    this.#state.statistics.l2Hits++;
    return { level: CacheLevel.L2Cache, token };
  }
}

/** Whether `token` is the one whose SHA-256 is `hash` (lowercase hex). */
async function isRejected(token: CachedToken, hash: string): Promise<boolean> {
  return (await accessTokenSha256(token.accessToken)) === hash;
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
