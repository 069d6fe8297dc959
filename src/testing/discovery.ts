/**
 * Discovery documents (docs/protocol.md §6): the v2.0 OpenID configuration of a tenant (or of
 * `common`/`organizations`/`consumers`), instance discovery with the cloud metadata MSAL
 * knows, and the ADFS OpenID configuration. URLs use the origin the request was sent to.
 *
 * @module
 */

import { CLOUDS, type Cloud, cloudOfAlias, isLoopback } from "./hosts";

/** The id of the Microsoft-account tenant, the `issuer` tenant of the `consumers` document. */
const CONSUMERS_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad";

/**
 * The v2.0 OpenID configuration served at `{origin}/{segment}/v2.0/.well-known/openid-configuration`.
 * For a tenant, `tenantId` fills every URL and the issuer; for a reserved segment the URLs keep
 * the segment and the issuer keeps the `{tenantid}` template (as the service does), except
 * `consumers` whose issuer names the Microsoft-account tenant.
 */
export function openIdConfiguration(
  origin: string,
  cloud: Cloud,
  segment: string,
  tenantId: string | undefined,
): Record<string, unknown> {
  const path = tenantId ?? segment;
  const issuerTenant = tenantId ?? (segment === "consumers" ? CONSUMERS_TENANT_ID : "{tenantid}");
  const base = `${origin}/${path}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: [
      "client_secret_post",
      "private_key_jwt",
      "client_secret_basic",
    ],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: `${origin}/${issuerTenant}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: "https://graph.microsoft.com/oidc/userinfo",
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: [
      "sub",
      "iss",
      "cloud_instance_name",
      "cloud_instance_host_name",
      "cloud_graph_host_name",
      "msgraph_host",
      "aud",
      "exp",
      "iat",
      "auth_time",
      "acr",
      "nonce",
      "preferred_username",
      "name",
      "tid",
      "ver",
      "at_hash",
      "c_hash",
      "email",
    ],
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: tenantId === undefined ? null : "NA",
    cloud_instance_name: cloud.instanceName,
    cloud_graph_host_name: cloud.graphHost,
    msgraph_host: cloud.msGraphHost,
    rbac_url: "https://pas.windows.net",
  };
}

/** The OpenID configuration of an ADFS server at `origin`, with the access-token issuer `accessTokenIssuer`. */
export function adfsOpenIdConfiguration(
  origin: string,
  accessTokenIssuer: string,
): Record<string, unknown> {
  return {
    issuer: `${origin}/adfs`,
    authorization_endpoint: `${origin}/adfs/oauth2/authorize/`,
    token_endpoint: `${origin}/adfs/oauth2/token`,
    jwks_uri: `${origin}/adfs/discovery/keys`,
    token_endpoint_auth_methods_supported: [
      "client_secret_post",
      "client_secret_basic",
      "private_key_jwt",
      "windows_client_authentication",
    ],
    response_types_supported: [
      "code",
      "id_token",
      "code id_token",
      "id_token token",
      "code token",
      "code id_token token",
    ],
    response_modes_supported: ["query", "fragment", "form_post"],
    grant_types_supported: [
      "authorization_code",
      "refresh_token",
      "client_credentials",
      "urn:ietf:params:oauth:grant-type:jwt-bearer",
      "implicit",
      "password",
      "srv_challenge",
      "urn:ietf:params:oauth:grant-type:device_code",
      "device_code",
    ],
    subject_types_supported: ["pairwise"],
    scopes_supported: [
      "openid",
      "profile",
      "email",
      "allatclaims",
      "aza",
      "user_impersonation",
      "vpn_cert",
      "winhello_cert",
      "logon_cert",
    ],
    id_token_signing_alg_values_supported: ["RS256"],
    token_endpoint_auth_signing_alg_values_supported: ["RS256"],
    access_token_issuer: accessTokenIssuer,
    claims_supported: [
      "aud",
      "iss",
      "iat",
      "exp",
      "auth_time",
      "nonce",
      "at_hash",
      "c_hash",
      "sub",
      "upn",
      "unique_name",
      "pwd_url",
      "pwd_exp",
      "mfa_auth_time",
      "sid",
      "nbf",
    ],
  };
}

/** One cloud's entry of the instance discovery `metadata` array. */
interface CloudMetadata {
  preferred_network: string;
  preferred_cache: string;
  aliases: string[];
}

/**
 * The instance discovery answer for `authorizationEndpoint`, or `undefined` when its host is not
 * an Entra instance (AADSTS50049). A loopback host (the emulator behind a socket) counts as an
 * instance of its own, listed after the five clouds.
 */
export function instanceDiscovery(
  authorizationEndpoint: string,
  apiVersion: string,
): Record<string, unknown> | undefined {
  let url: URL;
  try {
    url = new URL(authorizationEndpoint);
  } catch {
    return undefined;
  }
  const loopback = isLoopback(url);
  if (!loopback && (url.protocol !== "https:" || !cloudOfAlias(url.host))) return undefined;
  const metadata: CloudMetadata[] = CLOUDS.map((cloud) => ({
    preferred_network: cloud.preferredNetwork,
    preferred_cache: cloud.preferredCache,
    aliases: [...cloud.aliases],
  }));
  if (loopback)
    metadata.push({ preferred_network: url.host, preferred_cache: url.host, aliases: [url.host] });
  const tenant = url.pathname.split("/")[1] || "common";
  return {
    tenant_discovery_endpoint: `${url.origin}/${tenant}/v2.0/.well-known/openid-configuration`,
    "api-version": apiVersion,
    metadata,
  };
}
