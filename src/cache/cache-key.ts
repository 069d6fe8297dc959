/**
 * Token cache keys. A key names the cloud, the client, the token type, the tenant and the
 * normalised scopes, so one tenant's, client's or resource's token is never another's. Every
 * component but the last is escaped or validated so that it cannot contain the separator.
 *
 * @module
 */

/**
 * The part of a key fixed for one application: cloud (or issuer), client id and token type.
 * Computed once per application.
 */
export function cacheKeyPrefix(
  cacheEnvironment: string,
  clientId: string,
  tokenType = "bearer",
): string {
  return `${escapeComponent(cacheEnvironment.toLowerCase())}|${escapeComponent(clientId.toLowerCase())}|${escapeComponent(tokenType.toLowerCase())}|`;
}

/** Escapes `%` and the separator `|`: injective, and unlike `encodeURIComponent` it never throws (lone surrogates). */
function escapeComponent(component: string): string {
  return component.replace(/[%|]/g, (character) => (character === "%" ? "%25" : "%7C"));
}

/**
 * The full key. `tenant` must already match the tenant pattern (no `|`); `scopesKey` comes
 * from `scopesCacheKey` and is last, so it may contain anything. An application's own L1 passes
 * an empty prefix: it holds one cloud's, one client's tokens only.
 */
export function tokenCacheKey(
  prefix: string,
  tenant: string | undefined,
  scopesKey: string,
): string {
  return `${prefix}${tenant === undefined ? "" : tenant.toLowerCase()}|${scopesKey}`;
}
