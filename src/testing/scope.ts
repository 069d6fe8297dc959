/**
 * The `scope` rules of the client credentials grant: space-separated scopes, each
 * `{resource}/.default` (suffix case-insensitive), all for one resource; the OIDC scopes
 * `openid`, `profile` and `offline_access` (which old msal-node versions added) are ignored.
 *
 * @module
 */

import { type EntraErrorSpec, entraErrors } from "./errors";

const IGNORED_SCOPES = new Set(["openid", "profile", "offline_access"]);
const DEFAULT_SUFFIX = "/.default";

/** The one resource a `scope` value asks for, or the error: 1002012 (not `/.default`) or 700022 (several resources). */
export type ScopeResolution =
  | { readonly ok: true; readonly resource: string }
  | { readonly ok: false; readonly error: EntraErrorSpec };

/** Resolves a non-empty `scope` value to its resource (the first scope's spelling, without `/.default`). */
export function resolveScope(scope: string): ScopeResolution {
  const scopes = scope
    .split(/\s+/)
    .filter((item) => item !== "" && !IGNORED_SCOPES.has(item.toLowerCase()));
  if (scopes.length === 0) return { ok: false, error: entraErrors.scopeNotDefault(scope.trim()) };
  const resources: string[] = [];
  for (const item of scopes) {
    const resource = item.slice(0, -DEFAULT_SUFFIX.length);
    if (!item.toLowerCase().endsWith(DEFAULT_SUFFIX) || resource === "") {
      return { ok: false, error: entraErrors.scopeNotDefault(item) };
    }
    resources.push(resource);
  }
  const [first = ""] = resources;
  if (resources.some((resource) => resource.toLowerCase() !== first.toLowerCase())) {
    return { ok: false, error: entraErrors.multipleResources(scopes.join(" ")) };
  }
  return { ok: true, resource: first };
}
