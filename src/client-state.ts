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
import { DiscoveryCache } from "./discovery";
import { MemoryTokenCache, type MemoryCacheLimits } from "./cache/memory-token-cache";
import type { CachedToken } from "./cache/memory-token-cache";
import type { RegionDetails } from "./result";
import { ThrottleState } from "./throttle";

/** A token just fetched, with how it was fetched. */
export interface FetchedToken {
  readonly token: CachedToken;
  readonly correlationId: string;
  readonly durationInHttpInMs: number;
  readonly regionDetails: RegionDetails;
}

/** The shared state of one application identity. */
export class ClientState {
  readonly l1: MemoryTokenCache;
  /** Acquisitions in flight by cache key: concurrent callers for one key share one request. */
  readonly inFlight = new Map<string, Promise<FetchedToken>>();
  readonly throttle = new ThrottleState();
  readonly discovery = new DiscoveryCache();

  constructor(
    readonly credential: ClientCredential,
    limits: MemoryCacheLimits,
  ) {
    this.l1 = new MemoryTokenCache(limits);
  }
}

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
