/**
 * The value every helper returns: a `withClientAssertion` callback that asks the helper's cache
 * for the external token, keyed by the audience the token must carry.
 *
 * @module
 */

import type { ClientAssertionOptions } from "../src/credentials/client-credential";
import { ClientError, NetworkError } from "../src/errors";
import { ExternalTokenCache, type ExternalTokenFetch } from "./token-cache";

/**
 * A client assertion callback for `withClientAssertion(...)`, returned by the helpers of
 * `entra-edge/federation`. It is called only when a token request needs an assertion.
 *
 * @example
 * ```ts
 * const assertion: FederatedAssertion = kubernetesTokenFile();
 * builder.withClientAssertion(assertion);
 * ```
 */
export type FederatedAssertion = (options: ClientAssertionOptions) => Promise<string>;

/**
 * A callback over a new cache: `keyOf` picks the cache key (the audience) for one token request,
 * `fetchToken` gets a token for a key.
 */
export function federatedAssertion(
  source: string,
  keyOf: (options: ClientAssertionOptions) => string,
  fetchToken: ExternalTokenFetch,
): FederatedAssertion {
  const cache = new ExternalTokenCache(source, fetchToken);
  return async (options) => {
    try {
      return await cache.get(keyOf(options), options.signal, options.now ?? Date.now());
    } catch (error) {
      if (error instanceof ClientError || error instanceof NetworkError) {
        // The same error, now carrying the acquisition's correlation id.
        throw Object.assign(error.clone(), { correlationId: options.correlationId });
      }
      throw error;
    }
  };
}
