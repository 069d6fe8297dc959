/**
 * The paths the emulator serves, and what each is for. Fixed path segments match
 * case-insensitively; the tenant segment is percent-decoded.
 *
 * Entra hosts: `/{tenant}/oauth2/v2.0/token`, `/{tenant}/v2.0/.well-known/openid-configuration`,
 * `/common/discovery/instance`, `/{tenant}/discovery/v2.0/keys` and `/{tenant}/discovery/keys`.
 * ADFS host: `/adfs/oauth2/token`, `/adfs/.well-known/openid-configuration`, `/adfs/discovery/keys`.
 *
 * @module
 */

import type { RequestKind } from "./recording";

/** A request's route: its kind and the tenant segment of its path. */
export interface Route {
  readonly kind: RequestKind;
  /** The percent-decoded tenant segment (`"adfs"` on ADFS routes); `undefined` for other paths. */
  readonly tenantSegment: string | undefined;
}

const ENTRA_ROUTES: readonly [RegExp, RequestKind][] = [
  [/^\/([^/]+)\/oauth2\/v2\.0\/token$/i, "token"],
  [/^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/i, "openid-configuration"],
  [/^\/(common)\/discovery\/instance$/i, "instance-discovery"],
  [/^\/([^/]+)\/discovery(?:\/v2\.0)?\/keys$/i, "jwks"],
];

const ADFS_ROUTES: readonly [RegExp, RequestKind][] = [
  [/^\/(adfs)\/oauth2\/token$/i, "token"],
  [/^\/(adfs)\/\.well-known\/openid-configuration$/i, "openid-configuration"],
  [/^\/(adfs)\/discovery\/keys$/i, "jwks"],
];

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Routes `path` on an Entra host (`adfs: false`) or on the ADFS host. */
export function routeOf(path: string, adfs: boolean): Route {
  for (const [pattern, kind] of adfs ? ADFS_ROUTES : ENTRA_ROUTES) {
    const segment = pattern.exec(path)?.[1];
    if (segment !== undefined)
      return { kind, tenantSegment: adfs ? "adfs" : decodeSegment(segment) };
  }
  return { kind: "other", tenantSegment: undefined };
}
