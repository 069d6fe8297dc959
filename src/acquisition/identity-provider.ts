/**
 * The way to the identity provider for one acquisition: throttle check, the token endpoint
 * (regional with its global fallback, or discovered for an OIDC issuer), the token request,
 * remembering a `Retry-After` (here and, through L2, for other instances), and the issued token
 * into L1.
 *
 * @module
 */

import { tokenEndpointOf } from "../authority/authority";
import type { ClientState } from "../client-state";
import { mergeClaims } from "../request/claims";
import { regionOf, type ApplicationConfiguration } from "../configuration";
import { ThrottledError } from "../errors";
import { CacheLevel } from "../result";
import { cachedTokenOf } from "./refresh-policy";
import type { IssuedToken, NetworkRequest } from "./resolved-token";
import { requestToken, type TokenRequestOutcome } from "./token-request";

/** Sends token requests for one application. */
export class IdentityProviderClient {
  readonly #config: ApplicationConfiguration;
  readonly #state: ClientState;

  constructor(config: ApplicationConfiguration, state: ClientState) {
    this.#config = config;
    this.#state = state;
  }

  /**
   * Requests a token for `request` and puts it into L1.
   * @throws ThrottledError while the key is blocked, or what the token request throws.
   */
  async fetchToken(request: NetworkRequest, signal: AbortSignal): Promise<IssuedToken> {
    const { key, tenant, correlationId, reason, options } = request;
    const config = this.#config;
    const state = this.#state;
    const log = config.log;
    state.throttle.check(key, config.now(), correlationId);
    const region =
      options.azureRegion === undefined
        ? config.region
        : regionOf(options.azureRegion, config.authority);
    let outcome: TokenRequestOutcome;
    try {
      const { tokenEndpoint, fallbackTokenEndpoint } = await this.#endpoints(
        tenant,
        region,
        signal,
        correlationId,
      );
      log.write("info", `Requesting a token (${reason}).`, {
        correlationId,
        tenant: log.redact(tenant),
      });
      state.statistics.networkRequests++;
      outcome = await requestToken({
        fetch: config.fetch,
        log,
        clientId: config.clientId,
        credential: state.credential,
        authorityKind: config.authority.kind,
        tenantId: tenant,
        tokenEndpoint,
        fallbackTokenEndpoint,
        region: fallbackTokenEndpoint === undefined ? undefined : region,
        scopes: request.scopes,
        claims: mergeClaims(options.claims, config.capabilities),
        correlationId,
        extraQueryParameters: options.extraQueryParameters,
        extraBodyParameters: options.extraBodyParameters,
        extraHttpHeaders: options.extraHttpHeaders,
        onBeforeTokenRequest: config.onBeforeTokenRequest,
        sendX5c: options.sendX5c,
        cacheRefreshReason: reason,
        signal,
        retry: config.retry,
        now: config.now,
      });
    } catch (error) {
      if (
        error instanceof ThrottledError &&
        error.retryAfterMs !== undefined &&
        !state.throttle.isBlocked(key, config.now())
      ) {
        const now = config.now();
        state.throttle.record(key, error, now);
        const shared = config.l2?.writeThrottle(key, now + error.retryAfterMs, error.status, now);
        if (shared !== undefined) await shared;
      }
      log.write("warning", `Token request failed: ${log.describe(error)}`, { correlationId });
      throw error;
    }
    const token = cachedTokenOf(
      outcome.token,
      outcome.requestedAt,
      request.scopes,
      config.authority.kind === "entra" ? tenant : undefined,
      outcome.tokenEndpoint,
    );
    if (token.expiresOn - config.marginMs > config.now()) state.l1.set(key, token, config.now());
    return {
      token,
      level: CacheLevel.None,
      reason,
      correlationId,
      durationInHttpInMs: outcome.durationInHttpInMs,
      regionDetails: outcome.regionDetails,
    };
  }

  async #endpoints(
    tenant: string | undefined,
    region: string | undefined,
    signal: AbortSignal,
    correlationId: string,
  ): Promise<{ tokenEndpoint: string; fallbackTokenEndpoint: string | undefined }> {
    const { authority, fetch, now } = this.#config;
    if (authority.kind === "oidc") {
      return {
        tokenEndpoint: await this.#state.discovery.tokenEndpoint(
          authority.issuer as string,
          fetch,
          signal,
          now(),
          correlationId,
          { allowTokenEndpointOnOtherOrigin: this.#config.allowTokenEndpointOnOtherOrigin },
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
}
