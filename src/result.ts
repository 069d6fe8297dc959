/**
 * What an acquisition returns: the token and where it came from, named as in MSAL.NET's
 * `AuthenticationResult` and `AuthenticationResultMetadata`.
 *
 * @module
 */

/**
 * Where a token came from.
 *
 * @example
 * ```ts
 * if (result.authenticationResultMetadata.tokenSource === TokenSource.Cache) hits++;
 * ```
 */
export const TokenSource = {
  /** Fetched from the identity provider by this acquisition. */
  IdentityProvider: "IdentityProvider",
  /** Served from the token cache (L1 memory or L2 distributed). */
  Cache: "Cache",
} as const;
/** One of {@link TokenSource}'s values. */
export type TokenSource = (typeof TokenSource)[keyof typeof TokenSource];

/**
 * Which cache level answered.
 *
 * @example
 * ```ts
 * result.authenticationResultMetadata.cacheLevel === CacheLevel.L1Cache
 * ```
 */
export const CacheLevel = {
  /** The token did not come from a cache. */
  None: "None",
  /** The in-memory cache of this isolate or process. */
  L1Cache: "L1Cache",
  /** The distributed cache (the `CacheAdapter`). */
  L2Cache: "L2Cache",
} as const;
/** One of {@link CacheLevel}'s values. */
export type CacheLevel = (typeof CacheLevel)[keyof typeof CacheLevel];

/**
 * Why the identity provider was asked (or `NotApplicable` for a cache hit).
 *
 * @example
 * ```ts
 * if (meta.cacheRefreshReason === CacheRefreshReason.Expired) log("token renewed");
 * ```
 */
export const CacheRefreshReason = {
  /** The token came from the cache. */
  NotApplicable: "NotApplicable",
  /** `withForceRefresh(true)` or `withClaims(...)` skipped the cache. */
  ForceRefreshOrClaims: "ForceRefreshOrClaims",
  /** No token was cached for this tenant, client and scopes. */
  NoCachedAccessToken: "NoCachedAccessToken",
  /** The cached token was expired or within the expiry margin. */
  Expired: "Expired",
  /** The cached token passed its `refreshOn` and was renewed ahead of expiry. */
  ProactivelyRefreshed: "ProactivelyRefreshed",
} as const;
/** One of {@link CacheRefreshReason}'s values. */
export type CacheRefreshReason = (typeof CacheRefreshReason)[keyof typeof CacheRefreshReason];

/**
 * What happened with the Azure region, named as in MSAL.NET's `RegionOutcome`.
 *
 * @example
 * ```ts
 * if (meta.regionDetails.regionOutcome === RegionOutcome.FallbackToGlobal) alert(meta.regionDetails.autoDetectionError);
 * ```
 */
export const RegionOutcome = {
  /** No region was configured. */
  None: "None",
  /** The configured region's endpoint was used. */
  UserProvided: "UserProvided",
  /** The regional endpoint failed at the network level; the global endpoint answered. */
  FallbackToGlobal: "FallbackToGlobal",
} as const;
/** One of {@link RegionOutcome}'s values. */
export type RegionOutcome = (typeof RegionOutcome)[keyof typeof RegionOutcome];

/** Region use of one acquisition. */
export interface RegionDetails {
  /** What happened. */
  readonly regionOutcome: RegionOutcome;
  /** The region whose endpoint issued the token, if any. */
  readonly regionUsed: string | undefined;
  /** Why the regional endpoint was not used, when it failed. */
  readonly autoDetectionError: string | undefined;
}

/** The region details of an acquisition that used no region (shared, frozen). Internal: not re-exported. */
export const noRegionDetails: RegionDetails = Object.freeze({
  regionOutcome: RegionOutcome.None,
  regionUsed: undefined,
  autoDetectionError: undefined,
});

/** How an acquisition was served. */
export interface AuthenticationResultMetadata {
  /** Cache or identity provider. */
  readonly tokenSource: TokenSource;
  /** Why the identity provider was asked. */
  readonly cacheRefreshReason: CacheRefreshReason;
  /** Which cache level answered, or `None`. */
  readonly cacheLevel: CacheLevel;
  /** The token endpoint that issued the token (for a cache hit: the one that issued it originally). */
  readonly tokenEndpoint: string;
  /** Wall time of the whole acquisition, in milliseconds (0 for in-memory hits, which take well under one). */
  readonly durationTotalInMs: number;
  /** Time spent in HTTP requests, in milliseconds. */
  readonly durationInHttpInMs: number;
  /** Time spent reading and writing the cache, in milliseconds. */
  readonly durationInCacheInMs: number;
  /** Region use. */
  readonly regionDetails: RegionDetails;
  /** When a background refresh will start for a cached token, if scheduled. */
  readonly refreshOn: Date | undefined;
}

/**
 * A token and what is known about it.
 *
 * @example
 * ```ts
 * const result = await app.acquireTokenForClient(["https://graph.microsoft.com/.default"]).withTenantId(tenantId);
 * await fetch(url, { headers: { authorization: `${result.tokenType} ${result.accessToken}` } });
 * ```
 */
export interface AuthenticationResult {
  /** The access token. Never log it. */
  readonly accessToken: string;
  /** `Bearer`. */
  readonly tokenType: string;
  /** When the token expires (as the identity provider said, without the safety margin). */
  readonly expiresOn: Date;
  /** Until when the token may still be used during an identity provider outage. */
  readonly extendedExpiresOn: Date;
  /** When the token should be renewed ahead of expiry, if known. */
  readonly refreshOn: Date | undefined;
  /** The scopes the token was requested for. */
  readonly scopes: readonly string[];
  /** The tenant that issued the token (undefined for ADFS and generic OIDC issuers). */
  readonly tenantId: string | undefined;
  /** The correlation id (`client-request-id`) of the acquisition. */
  readonly correlationId: string;
  /** How the acquisition was served. */
  readonly authenticationResultMetadata: AuthenticationResultMetadata;
}
