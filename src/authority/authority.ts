/**
 * Authorities: where tokens come from. An Entra authority (`https://{host}/{tenant}`, public or
 * sovereign cloud), an ADFS authority (`https://{host}/adfs`), or a generic OpenID Connect
 * issuer whose token endpoint is found by discovery. Parsing validates everything before any I/O.
 *
 * @module
 */

import { isLoopbackHostname } from "../internal/loopback";
import { cloudOfHost } from "./cloud";
import { ClientError } from "../errors";

/** What kind of server an authority is. */
export type AuthorityKind = "entra" | "adfs" | "oidc";

/** A parsed, validated authority. */
export interface Authority {
  readonly kind: AuthorityKind;
  /** `https://host[:port]` that requests go to (for Entra: the cloud's preferred network host). */
  readonly origin: string;
  /** The host of {@link origin}. */
  readonly host: string;
  /**
   * Names the cloud in cache keys: the same for every alias of one Entra cloud, the origin
   * otherwise.
   */
  readonly cacheEnvironment: string;
  /** The tenant written in the authority (Entra only); may be `common` when every request names its tenant. */
  readonly tenant: string | undefined;
  /** Issuer URL of a generic OIDC authority, without a trailing slash. */
  readonly issuer: string | undefined;
  /** The authority as the user gave it, normalised, for logs and errors. */
  readonly canonical: string;
}

const reservedTenants = new Set(["common", "organizations", "consumers"]);
/** A tenant is a GUID or a DNS name; nothing else may reach a URL path or a cache key. */
const tenantPattern = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,253}[A-Za-z0-9])?$/;

/** Whether `tenant` has the shape of a tenant id or domain (reserved names included). */
export function isTenantShaped(tenant: unknown): tenant is string {
  return typeof tenant === "string" && tenantPattern.test(tenant);
}

/**
 * Checks a tenant that a token will be requested for.
 * @throws ClientError `invalid_tenant` for a malformed or reserved tenant.
 */
export function assertRequestTenant(tenant: unknown): asserts tenant is string {
  if (!isTenantShaped(tenant)) {
    throw new ClientError(
      "invalid_tenant",
      `The tenant ${typeof tenant === "string" ? JSON.stringify(tenant.slice(0, 80)) : `(a ${typeof tenant}, not a string)`} is not a tenant id: give the directory (tenant) GUID or a verified domain such as contoso.onmicrosoft.com.`,
    );
  }
  if (reservedTenants.has(tenant.toLowerCase())) {
    throw new ClientError(
      "invalid_tenant",
      `The client credentials flow needs a specific tenant, not "${tenant}": pass the customer's tenant GUID or domain with withTenantId(tenantId).`,
    );
  }
}

/**
 * Parses an Entra or ADFS authority URL, e.g. `https://login.microsoftonline.com/{tenant}` or
 * `https://adfs.contoso.com/adfs`.
 * @throws ClientError `invalid_authority`, `insecure_authority` or `invalid_tenant`.
 */
export function parseAuthority(authority: string): Authority {
  // A Worker builds its application per request: the same few authority strings, parsed once.
  const known = parsedAuthorities.get(authority);
  if (known !== undefined) return known;
  const parsed = Object.freeze(parseAuthorityUrl(authority));
  if (typeof authority === "string") {
    if (parsedAuthorities.size >= maxParsedAuthorities) parsedAuthorities.clear();
    parsedAuthorities.set(authority, parsed);
  }
  return parsed;
}

/** Authorities parsed so far, by the string given; valid ones only (an invalid one throws every time). */
const parsedAuthorities = new Map<string, Authority>();
const maxParsedAuthorities = 64;

function parseAuthorityUrl(authority: string): Authority {
  const url = parseSecureUrl(authority, "authority");
  const segments = url.pathname.split("/").filter((segment) => segment !== "");
  const first = segments[0];
  if (first === undefined) {
    throw new ClientError(
      "invalid_authority",
      `The authority ${url.origin} has no tenant: write it as ${url.origin}/{tenant-id}.`,
    );
  }
  if (first.toLowerCase() === "adfs") {
    return {
      kind: "adfs",
      origin: url.origin,
      host: url.host,
      cacheEnvironment: url.host.toLowerCase(),
      tenant: undefined,
      issuer: undefined,
      canonical: `${url.origin}/adfs`,
    };
  }
  if (!isTenantShaped(first)) {
    throw new ClientError(
      "invalid_tenant",
      `The authority's tenant ${JSON.stringify(String(first).slice(0, 80))} is not a tenant id or domain.`,
    );
  }
  const cloud = cloudOfHost(url.hostname);
  // Requests to any alias of a known cloud go to its preferred host, as every MSAL does.
  const host = cloud === undefined ? url.host : cloud.networkHost;
  const origin = cloud === undefined ? url.origin : `https://${host}`;
  return {
    kind: "entra",
    origin,
    host,
    cacheEnvironment: cloud === undefined ? url.host.toLowerCase() : cloud.cacheHost,
    tenant: first,
    issuer: undefined,
    canonical: `${origin}/${first}`,
  };
}

/**
 * Parses a generic OpenID Connect issuer (Keycloak, Auth0, Okta, oidc-provider, ...).
 * @throws ClientError `invalid_authority` or `insecure_authority`.
 */
export function parseOidcAuthority(issuer: string): Authority {
  const url = parseSecureUrl(issuer, "issuer");
  const normalised = `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
  return {
    kind: "oidc",
    origin: url.origin,
    host: url.host,
    cacheEnvironment: normalised,
    tenant: undefined,
    issuer: normalised,
    canonical: normalised,
  };
}

/**
 * Returns the token endpoint of an Entra or ADFS authority for `tenant`, optionally regional.
 * Generic OIDC authorities get theirs from discovery instead.
 */
export function tokenEndpointOf(
  authority: Authority,
  tenant: string | undefined,
  region?: string,
): string {
  if (authority.kind === "adfs") return `${authority.origin}/adfs/oauth2/token`;
  const origin =
    region === undefined ? authority.origin : `https://${regionalHost(authority, region)}`;
  return `${origin}/${tenant ?? authority.tenant}/oauth2/v2.0/token`;
}

function regionalHost(authority: Authority, region: string): string {
  const cloud = cloudOfHost(authority.host);
  return `${region}.${cloud === undefined ? authority.host : cloud.regionalHost}`;
}

/**
 * Parses an absolute URL and allows plain `http:` only for loopback hosts.
 * @throws ClientError `invalid_authority` or `insecure_authority`.
 */
export function parseSecureUrl(value: string, what: string): URL {
  if (hasDotSegment(value)) {
    throw new ClientError(
      "invalid_authority",
      `The ${what} must not contain "." or ".." path segments: write the tenant or path it should name directly.`,
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ClientError(
      "invalid_authority",
      `The ${what} ${JSON.stringify(String(value).slice(0, 200))} is not an absolute URL: write it like https://login.microsoftonline.com/{tenant-id}.`,
    );
  }
  if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") {
    throw new ClientError(
      "invalid_authority",
      `The ${what} must not carry credentials, a query or a fragment: give only scheme, host and path.`,
    );
  }
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && isLoopbackHostname(url.hostname)) return url;
  throw new ClientError(
    "insecure_authority",
    `The ${what} ${url.origin} must use https: plain http is allowed only for loopback hosts (127.0.0.1, ::1, localhost).`,
  );
}

/**
 * Whether the path of a URL string has a `.` or `..` segment (also percent-encoded, or after a
 * backslash, which URL parsing treats as a slash). URL parsing would resolve it silently, so
 * `https://host/tenantA/../tenantB` would name `tenantB`.
 */
export function hasDotSegment(value: unknown): boolean {
  if (typeof value !== "string") return false;
  const path = value.replace(/^[a-z][a-z0-9+.-]*:[/\\]{2}[^/\\]*/i, "");
  return /(?:^|[/\\])(?:\.|%2e){1,2}(?:[/\\?#]|$)/i.test(path);
}
