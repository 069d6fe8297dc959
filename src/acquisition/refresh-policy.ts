/**
 * When a cached token may be served and when it is renewed: the expiry margin, the refresh
 * ahead of expiry (`refresh_in`, else about half the life of a long-lived token), and whether a
 * stored token may answer a given acquisition. The L1 hit path applies the same two rules inline
 * (`now < expiresOn - margin` serves, `now >= refreshOn` starts a background refresh).
 *
 * @module
 */

import type { CachedToken } from "../cache/cached-token";
import { CacheRefreshReason } from "../result";
import type { TokenResponse } from "./token-response";

/** Tokens living this long or more are refreshed at about half their life when the service sends no `refresh_in`. */
const halfLifeRefreshThresholdSeconds = 7200;
/**
 * No proactive refresh sooner than this after issue, whatever `refresh_in` says: a `refresh_in`
 * of 0 would otherwise send a request on every cache hit.
 */
const minRefreshAfterSeconds = 300;

/**
 * The cached form of a token response, with its refresh time.
 * @param requestedAt when the request was sent: lifetimes count from there, as in MSAL.
 * @param tenantId the tenant to record (Entra only).
 */
export function cachedTokenOf(
  response: TokenResponse,
  requestedAt: number,
  scopes: readonly string[],
  tenantId: string | undefined,
  tokenEndpoint: string,
): CachedToken {
  const expiresOn = requestedAt + response.expiresIn * 1000;
  let refreshOn = Infinity;
  if (response.refreshIn !== undefined)
    refreshOn = requestedAt + Math.max(response.refreshIn, minRefreshAfterSeconds) * 1000;
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
    tenantId,
    tokenEndpoint,
  };
}

/** Whether `token` is still valid beyond the expiry margin (the only test an L1 hit makes). */
export function isFresh(token: CachedToken, now: number, marginMs: number): boolean {
  return now < token.expiresOn - marginMs;
}

/**
 * Whether a stored token may answer an acquisition made for `reason`: fresh, and not itself due
 * for the proactive refresh being made.
 */
export function mayServe(
  token: CachedToken,
  reason: CacheRefreshReason,
  now: number,
  marginMs: number,
): boolean {
  return (
    isFresh(token, now, marginMs) &&
    (reason !== CacheRefreshReason.ProactivelyRefreshed || now < token.refreshOn)
  );
}

function normaliseTokenType(tokenType: string): string {
  return tokenType.toLowerCase() === "bearer" ? "Bearer" : tokenType;
}
