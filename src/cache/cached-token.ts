/**
 * The cached form of an access token, as every cache level and the miss path hand it around.
 *
 * @module
 */

/** One cached access token. Times are epoch milliseconds. */
export interface CachedToken {
  readonly accessToken: string;
  readonly tokenType: string;
  readonly expiresOn: number;
  readonly extendedExpiresOn: number;
  /** When a proactive refresh is due; `Infinity` when none is scheduled. */
  readonly refreshOn: number;
  readonly cachedAt: number;
  readonly scopes: readonly string[];
  readonly tenantId: string | undefined;
  readonly tokenEndpoint: string;
}
