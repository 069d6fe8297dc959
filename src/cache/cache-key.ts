/**
 * Token cache keys, and their case rules. A key names the cloud, the client, the token type, the
 * tenant and the normalised scopes, so one tenant's, client's or resource's token is never
 * another's. Every component but the last is escaped or validated so that it cannot contain the
 * separator.
 *
 * Case is folded only where the identity provider itself ignores it: Entra's hosts, tenants
 * (GUIDs and DNS names), GUID client ids and the resource of a `.default` scope (as MSAL does).
 * Everything of a generic OIDC issuer (its path, client ids, scopes) is kept exactly, since such
 * servers may tell `Reporting` from `reporting`. Folding is ASCII-only: a non-ASCII letter that
 * Unicode lower-cases onto an ASCII one (KELVIN SIGN onto `k`) never meets another key.
 *
 * @module
 */

import type { Authority } from "../authority/authority";

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `value` with its ASCII capitals (only those) lower-cased. */
export function asciiLowerCase(value: string): string {
  return value.replace(/[A-Z]+/g, (capitals) => capitals.toLowerCase());
}

/**
 * The key prefix of one application: its cloud (or issuer), its client id (case folded only for
 * a GUID at Entra or ADFS) and the bearer token type.
 */
export function applicationKeyPrefix(
  authority: Pick<Authority, "kind" | "cacheEnvironment">,
  clientId: string,
): string {
  const foldClientId = authority.kind !== "oidc" && guidPattern.test(clientId);
  return cacheKeyPrefix(
    authority.cacheEnvironment,
    foldClientId ? clientId.toLowerCase() : clientId,
  );
}

/**
 * The part of a key fixed for one application: cloud (or issuer), client id and token type, as
 * given (see {@link applicationKeyPrefix} for the case rules). Computed once per application.
 */
export function cacheKeyPrefix(
  cacheEnvironment: string,
  clientId: string,
  tokenType = "bearer",
): string {
  return `${escapeComponent(cacheEnvironment)}|${escapeComponent(clientId)}|${escapeComponent(tokenType.toLowerCase())}|`;
}

/** Escapes `%` and the separator `|`: injective, and unlike `encodeURIComponent` it never throws (lone surrogates). */
function escapeComponent(component: string): string {
  return component.replace(/[%|]/g, (character) => (character === "%" ? "%25" : "%7C"));
}

/**
 * The full key. `tenant` must already match the tenant pattern (ASCII, no `|`); `scopesKey`
 * comes from `scopesCacheKey`, so it holds no white space; `bodyParametersKey` (the request's
 * extra form fields, percent-encoded, from `request/extra-parameters.ts`) follows it after a
 * newline, which neither can contain, so a key with extra fields never equals one without. An
 * application's own L1 passes an empty prefix: it holds one cloud's, one client's tokens only.
 * (The L1 fast path looks up unvalidated tenants too, and serves a hit only for a tenant that is
 * the cached one or has the tenant pattern, so Unicode lower-casing here cannot merge tenants.)
 */
export function tokenCacheKey(
  prefix: string,
  tenant: string | undefined,
  scopesKey: string,
  bodyParametersKey = "",
): string {
  const key = `${prefix}${tenant === undefined ? "" : tenant.toLowerCase()}|${scopesKey}`;
  return bodyParametersKey === "" ? key : `${key}\n${bodyParametersKey}`;
}

/** Whether an L1 key names a token acquired with extra form fields (see {@link tokenCacheKey}). */
export function hasBodyParameters(key: string): boolean {
  return key.includes("\n");
}
