/**
 * MSAL.NET's metric tags (attributes), with its names and values, from an acquisition's metadata
 * or error. entra-edge's `TokenSource`, `CacheLevel` and `CacheRefreshReason` values are the
 * names of MSAL.NET's enum members, which is how MSAL.NET's tags are exported, so they map as
 * they are; `ApiId` is MSAL.NET's `AcquireTokenForClient`.
 *
 * @module
 */

import type { Attributes } from "@opentelemetry/api";
import { EntraEdgeError, ServiceError } from "../src/errors";
import { librarySku, libraryVersion } from "../src/internal/platform";
import type { AuthenticationResultMetadata } from "../src/result";

/** The tags every MSAL.NET instrument carries: library version, platform and API. */
export const commonTags: Attributes = Object.freeze({
  MsalVersion: libraryVersion,
  Platform: librarySku,
  ApiId: "AcquireTokenForClient",
});

/** The tags of `MsalDurationInL2Cache.1A` (an L2 hit is always `NotApplicable`). */
export function l2CacheTags(metadata: AuthenticationResultMetadata): Attributes {
  return { ...commonTags, CacheRefreshReason: metadata.cacheRefreshReason };
}

/**
 * The tags of `MsalSuccess`, `MsalTotalDuration.1A` and `MsalDurationInL1CacheInUs.1B`; one
 * frozen object per combination of values, made once.
 */
export function successTags(metadata: AuthenticationResultMetadata): Attributes {
  const key = `${metadata.tokenSource}|${metadata.cacheLevel}|${metadata.cacheRefreshReason}`;
  let tags = successTagsByKey.get(key);
  if (tags === undefined) {
    tags = Object.freeze({
      ...commonTags,
      TokenSource: metadata.tokenSource,
      CacheLevel: metadata.cacheLevel,
      CacheRefreshReason: metadata.cacheRefreshReason,
    });
    successTagsByKey.set(key, tags);
  }
  return tags;
}
const successTagsByKey = new Map<string, Attributes>();

/** The tags of `MsalFailure`: the common ones and `ErrorCode`. */
export function failureTags(error: unknown): Attributes {
  return { ...commonTags, ErrorCode: errorCodeOf(error) };
}

/**
 * MSAL.NET's `ErrorCode`: the identity provider's AADSTS code when it sent one (`AADSTS7000215`),
 * else entra-edge's error code (`invalid_scopes`, `network_error`, `throttled`, ...), else the
 * error's class name.
 */
export function errorCodeOf(error: unknown): string {
  if (error instanceof ServiceError && error.errorCodes.length > 0)
    return `AADSTS${error.errorCodes[0]}`;
  if (error instanceof EntraEdgeError) return error.code;
  return error instanceof Error ? error.name : "unknown_error";
}
