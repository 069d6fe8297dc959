/**
 * Scopes of a client credentials request: present, strings without white space, one resource,
 * and for Entra ID of the form `{resource}/.default`. Checked before any I/O.
 *
 * @module
 */

import type { AuthorityKind } from "../authority/authority";
import { asciiLowerCase } from "../cache/cache-key";
import { ClientError } from "../errors";

/** The OIDC scopes old MSALs added to every request; Entra ignores them for this grant. */
const oidcScopes = new Set(["openid", "profile", "offline_access"]);

/**
 * Validates scopes and returns them without OIDC scopes, in the caller's order.
 * @throws ClientError `invalid_scopes` with what to change.
 */
export function validateScopes(scopes: unknown, authorityKind: AuthorityKind): readonly string[] {
  if (!Array.isArray(scopes) || scopes.length === 0) {
    throw new ClientError(
      "invalid_scopes",
      'No scopes were given: pass the resource\'s ".default" scope, e.g. ["https://graph.microsoft.com/.default"].',
    );
  }
  const kept: string[] = [];
  for (const scope of scopes) {
    if (typeof scope !== "string" || scope === "" || /\s/.test(scope)) {
      throw new ClientError(
        "invalid_scopes",
        "Each scope must be a non-empty string without spaces: pass scopes as separate array items.",
      );
    }
    if (!oidcScopes.has(scope.toLowerCase())) kept.push(scope);
  }
  if (authorityKind === "oidc") {
    if (kept.length === 0) kept.push(...(scopes as string[]));
    return kept;
  }
  if (kept.length === 0) {
    throw new ClientError(
      "invalid_scopes",
      'Only OIDC scopes were given: add the resource\'s ".default" scope, e.g. "https://graph.microsoft.com/.default".',
    );
  }
  for (const scope of kept) {
    if (!scope.endsWith("/.default")) {
      throw new ClientError(
        "invalid_scopes",
        `The scope ${JSON.stringify(scope.slice(0, 200))} does not end in "/.default": the client credentials flow grants the application permissions of a resource, so ask for "{resource}/.default" (e.g. "https://graph.microsoft.com/.default").`,
      );
    }
  }
  const resources = new Set(
    kept.map((scope) => asciiLowerCase(scope.slice(0, -"/.default".length))),
  );
  if (resources.size > 1) {
    throw new ClientError(
      "invalid_scopes",
      "The scopes name more than one resource: a token is for one resource, so acquire one token per resource.",
    );
  }
  return kept;
}

/**
 * The cache form of validated scopes: sorted, de-duplicated, space-joined; lower-cased (ASCII
 * only) for Entra and ADFS, whose `.default` resources ignore case, exact for a generic OIDC
 * issuer (see the case rules in `cache/cache-key.ts`).
 */
export function scopesCacheKey(
  scopes: readonly string[],
  authorityKind: AuthorityKind = "entra",
): string {
  const fold = authorityKind === "oidc" ? (scope: string) => scope : asciiLowerCase;
  if (scopes.length === 1) return fold(scopes[0] as string);
  return [...new Set(scopes.map(fold))].sort().join(" ");
}
