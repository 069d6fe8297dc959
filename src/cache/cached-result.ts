/**
 * The result of an L1 cache hit: one small object over the cached token, whose dates, metadata
 * and correlation id are made only when read, so a hit allocates next to nothing.
 *
 * @module
 */

import { randomId } from "../internal/uuid";
import {
  CacheLevel,
  CacheRefreshReason,
  noRegionDetails,
  TokenSource,
  type AuthenticationResult,
  type AuthenticationResultMetadata,
} from "../result";
import type { CachedToken } from "./cached-token";

/** An {@link AuthenticationResult} served from a cache level. */
export class CachedAuthenticationResult implements AuthenticationResult {
  readonly #token: CachedToken;
  readonly #level: CacheLevel;
  readonly #durationMs: number;
  #correlationId: string | undefined;

  constructor(
    token: CachedToken,
    level: CacheLevel,
    correlationId: string | undefined,
    durationMs = 0,
  ) {
    this.#token = token;
    this.#level = level;
    this.#correlationId = correlationId;
    this.#durationMs = durationMs;
  }

  get accessToken(): string {
    return this.#token.accessToken;
  }
  get tokenType(): string {
    return this.#token.tokenType;
  }
  get expiresOn(): Date {
    return new Date(this.#token.expiresOn);
  }
  get extendedExpiresOn(): Date {
    return new Date(this.#token.extendedExpiresOn);
  }
  get refreshOn(): Date | undefined {
    return Number.isFinite(this.#token.refreshOn) ? new Date(this.#token.refreshOn) : undefined;
  }
  get scopes(): readonly string[] {
    return this.#token.scopes;
  }
  get tenantId(): string | undefined {
    return this.#token.tenantId;
  }
  get correlationId(): string {
    return (this.#correlationId ??= randomId());
  }
  get authenticationResultMetadata(): AuthenticationResultMetadata {
    return {
      tokenSource: TokenSource.Cache,
      cacheRefreshReason: CacheRefreshReason.NotApplicable,
      cacheLevel: this.#level,
      tokenEndpoint: this.#token.tokenEndpoint,
      durationTotalInMs: this.#durationMs,
      durationInHttpInMs: 0,
      durationInCacheInMs: this.#durationMs,
      regionDetails: noRegionDetails,
      refreshOn: this.refreshOn,
    };
  }

  /** The same plain fields as a result fetched from the identity provider, for `JSON.stringify`. */
  toJSON(): Record<string, unknown> {
    return {
      accessToken: this.accessToken,
      tokenType: this.tokenType,
      expiresOn: this.expiresOn,
      extendedExpiresOn: this.extendedExpiresOn,
      refreshOn: this.refreshOn,
      scopes: this.scopes,
      tenantId: this.tenantId,
      correlationId: this.correlationId,
      authenticationResultMetadata: this.authenticationResultMetadata,
    };
  }
}
