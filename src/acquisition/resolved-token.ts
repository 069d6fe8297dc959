/**
 * What the miss path hands around: one acquisition that missed L1, the token it resolved (from
 * L2 or from the identity provider), and the result made of an issued token.
 *
 * @module
 */

import type { CachedToken } from "../cache/cached-token";
import type { AcquireTokenForClientOptions } from "../options";
import {
  CacheLevel,
  TokenSource,
  type AuthenticationResult,
  type CacheRefreshReason,
  type RegionDetails,
} from "../result";

/** One acquisition that missed L1, as handed to the shared resolution. */
export interface ResolveRequest {
  readonly key: string;
  readonly scopes: readonly string[];
  readonly tenant: string | undefined;
  readonly options: AcquireTokenForClientOptions;
  /** The caller's, if given; a request to the identity provider makes one (see {@link NetworkRequest}). */
  readonly correlationId: string | undefined;
  readonly reason: CacheRefreshReason;
  /** Whether the L2 may answer (not for force refresh or claims). */
  readonly readL2: boolean;
  /** `accessTokenSha256ToRefresh`: a stored token with this hash may not answer. */
  readonly rejectedHash?: string | undefined;
}

/** A resolution that goes on to the identity provider: it has a correlation id to send. */
export interface NetworkRequest extends ResolveRequest {
  readonly correlationId: string;
}

/** A token resolved after an L1 miss: from L2 or from the identity provider. */
export type FetchedToken = StoredToken | IssuedToken;

/** A token the distributed cache answered with. Each waiting caller's result has its own correlation id. */
export interface StoredToken {
  readonly level: typeof CacheLevel.L2Cache;
  readonly token: CachedToken;
}

/** A token the identity provider issued, with what its request was. */
export interface IssuedToken {
  readonly level: typeof CacheLevel.None;
  readonly token: CachedToken;
  readonly reason: CacheRefreshReason;
  /** The correlation id the request was sent with. */
  readonly correlationId: string;
  readonly durationInHttpInMs: number;
  /** Time in the L2 cache around the request (the read that missed, an awaited write), if any. */
  readonly durationInCacheInMs?: number;
  readonly regionDetails: RegionDetails;
}

/** The caller's result for a token the identity provider issued. */
export function issuedResult(
  fetched: IssuedToken,
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
      cacheRefreshReason: fetched.reason,
      cacheLevel: CacheLevel.None,
      tokenEndpoint: token.tokenEndpoint,
      durationTotalInMs,
      durationInHttpInMs: fetched.durationInHttpInMs,
      durationInCacheInMs: fetched.durationInCacheInMs ?? 0,
      regionDetails: fetched.regionDetails,
      refreshOn,
    },
  };
}
