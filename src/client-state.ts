/**
 * State that outlives one application object: the credential (with its imported key and kept
 * assertions), the L1 token cache, requests in flight, throttle blocks and discovery. Shared by
 * every application in the isolate or process built with the same client id, authority,
 * credential and cache limits, as MSAL.NET shares its static cache: a Worker that builds the
 * application inside `fetch` per request pays for a key import once, not per request.
 *
 * @module
 */

import type { ClientCredential } from "./credentials/client-credential";
import { DiscoveryCache } from "./authority/discovery";
import {
  MemoryTokenCache,
  type DefaultTokenEndpoint,
  type MemoryCacheLimits,
} from "./cache/memory-token-cache";
import type { FetchedToken } from "./acquisition/resolved-token";
import { tokenEndpointOf } from "./authority/authority";
import type { ApplicationConfiguration } from "./configuration";
import { createCredential, credentialIdentity } from "./credentials/credential-spec";
import { objectId } from "./internal/object-id";
import { scopesCacheKey, validateScopes } from "./request/scopes";
import { ThrottleState } from "./acquisition/throttle";
import type { AuthorityKind } from "./authority/authority";

/**
 * Cache use counters.
 *
 * @example
 * ```ts
 * const stats: CacheStatistics = app.getCacheStatistics();
 * ```
 */
export interface CacheStatistics {
  /** Acquisitions served from L1. */
  l1Hits: number;
  /** Acquisitions served from L2. */
  l2Hits: number;
  /** Acquisitions that neither cache level could serve. */
  misses: number;
  /** Token requests sent to the identity provider (background refreshes included). */
  networkRequests: number;
  /** Callers that waited for a request another caller had started. */
  coalescedWaits: number;
  /** Tokens held in L1 (read-only snapshot). */
  l1Entries?: number;
  /** Estimated bytes held in L1 (read-only snapshot). */
  l1Bytes?: number;
}

/** Scopes that passed validation, and their cache key. */
export interface ValidScopes {
  /** The scopes to request (OIDC scopes removed), shared by every token for them. */
  readonly scopes: readonly string[];
  /** Their cache form ({@link scopesCacheKey}). */
  readonly key: string;
}

/** The shared state of one application identity. */
export class ClientState {
  readonly l1: MemoryTokenCache;
  /** Acquisitions in flight by cache key: concurrent callers for one key share one request. */
  readonly inFlight = new Map<string, Promise<FetchedToken>>();
  /**
   * Forced acquisitions (force refresh, claims) in flight by cache key and claims: callers that
   * force a refresh of one key at once share one request too.
   */
  readonly forcedInFlight = new Map<string, Promise<FetchedToken>>();
  readonly throttle = new ThrottleState();
  readonly discovery = new DiscoveryCache();
  readonly statistics: CacheStatistics = {
    l1Hits: 0,
    l2Hits: 0,
    misses: 0,
    networkRequests: 0,
    coalescedWaits: 0,
  };

  readonly #scopeLists = new Map<string, readonly string[]>();
  /** Validated one-scope requests by their scope string, as given: a repeat skips validation. */
  readonly #validSingleScopes = new Map<string, ValidScopes>();

  /**
   * Validates `scopes` (see {@link validateScopes}) and gives them with their cache key. A
   * one-scope request already validated (the common case: one resource's `.default`) is a map
   * lookup; only valid scopes are remembered, so an invalid one is always checked in full.
   * @throws ClientError `invalid_scopes`
   */
  validScopes(scopes: unknown, authorityKind: AuthorityKind): ValidScopes {
    const single: unknown = Array.isArray(scopes) && scopes.length === 1 ? scopes[0] : undefined;
    if (typeof single === "string") {
      const known = this.#validSingleScopes.get(single);
      if (known !== undefined) return known;
    }
    const validated = validateScopes(scopes, authorityKind);
    const key = scopesCacheKey(validated, authorityKind);
    const valid: ValidScopes = { scopes: this.#internScopes(key, validated), key };
    if (typeof single === "string") {
      if (this.#validSingleScopes.size >= maxScopeLists) this.#validSingleScopes.clear();
      this.#validSingleScopes.set(single, valid);
    }
    return valid;
  }

  /**
   * A one-scope request's scope as validated and keyed before, else `undefined`: the L1 fast
   * path keys only scopes the slow path has checked, exactly as the slow path keys them.
   */
  knownScopes(scope: unknown): ValidScopes | undefined {
    return this.#validSingleScopes.get(scope as string);
  }

  /**
   * One shared, frozen scopes array per distinct scope set, so that thousands of tenants' cached
   * tokens for one resource do not each hold their own copy.
   */
  #internScopes(scopesKey: string, scopes: readonly string[]): readonly string[] {
    const known = this.#scopeLists.get(scopesKey);
    if (known !== undefined) return known;
    if (this.#scopeLists.size >= maxScopeLists) this.#scopeLists.clear();
    const frozen = Object.freeze([...scopes]);
    this.#scopeLists.set(scopesKey, frozen);
    return frozen;
  }

  constructor(
    readonly credential: ClientCredential,
    limits: MemoryCacheLimits,
    defaultEndpoint: DefaultTokenEndpoint,
  ) {
    this.l1 = new MemoryTokenCache(limits, defaultEndpoint);
  }
}

/** Distinct scope sets remembered for sharing; past this the memo starts over (sharing is an optimisation). */
const maxScopeLists = 1000;

/** Most application identities kept; more than this in one isolate means something builds apps with ever-new secrets. */
const maxIdentities = 256;
const registry = new Map<string, ClientState>();

/**
 * The state for `identity`, created by `create` the first time.
 * @param identity equal for applications that may share state (holds secrets: never logged).
 */
export function sharedClientState(identity: string, create: () => ClientState): ClientState {
  let state = registry.get(identity);
  if (state === undefined) {
    state = create();
    if (registry.size >= maxIdentities) {
      const oldest = registry.keys().next();
      if (oldest.done !== true) registry.delete(oldest.value);
    }
    registry.set(identity, state);
  }
  return state;
}

/**
 * The state of the application `config` describes: its own when `memoryCache.shared` is
 * `false`, else the one shared by every equal application in the isolate.
 */
export function clientStateOf(config: ApplicationConfiguration): ClientState {
  const { authority, clientId, credential, memoryCache: limits } = config;
  // Everything that changes what a token request sends or where a token may be stored.
  const defaultEndpoint = (tenantId: string | undefined): string =>
    authority.kind === "oidc" ? "" : tokenEndpointOf(authority, tenantId);
  const create = (): ClientState =>
    new ClientState(createCredential(credential), limits, defaultEndpoint);
  if (limits.shared === false) return create();
  return sharedClientState(
    [
      authority.canonical,
      clientId,
      limits.maxEntries ?? "",
      limits.maxBytes ?? "",
      credentialIdentity(credential),
      objectId(config.fetch),
      config.capabilities.join(" "),
      config.cacheIdentity,
      // It may change what a token request sends: requests in flight are shared only with it.
      config.onBeforeTokenRequest === undefined ? "" : objectId(config.onBeforeTokenRequest),
    ].join("\u0000"),
    create,
  );
}
