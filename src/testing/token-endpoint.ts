/**
 * The token endpoint: `POST /{tenant}/oauth2/v2.0/token` (and ADFS `POST /adfs/oauth2/token`)
 * for the client credentials grant.
 *
 * Checks, in this order (first failure wins):
 * 1. method POST, else 900561;
 * 2. tenant segment: not a GUID or DNS name 900023, unknown 90002 (both `invalid_request`);
 * 3. `grant_type` missing 900144, not `client_credentials` 70003 (a body that is not
 *    `application/x-www-form-urlencoded` is read as empty);
 * 4. `/common`, `/consumers`, `/organizations`: 9001023;
 * 5. client authentication shape (see `readClientAuthentication`): 9002313, 900144, 90100;
 * 6. app unknown or without a service principal in the tenant: 700016;
 * 7. `scope` missing 900144, not `/.default` 1002012, several resources 700022;
 *    `claims` present but not a JSON object: 90100;
 * 8. credential: none 7000218, wrong secret 7000215, assertion as in `checkClientAssertion`,
 *    or, for a token of another issuer, as in `checkFederatedAssertion`;
 * 9. resource not in `resources`: 500011.
 *
 * The issued token carries the client capabilities a `claims` request declares
 * (`access_token.xms_cc.values`) as `xms_cc`, as Entra's tokens for CAE-capable clients do.
 *
 * @module
 */

import { requestedClaimsOf, type RequestedClaims } from "./requested-claims";
import type { AccessTokenIssuer } from "./access-token";
import { checkClientAssertion, type JtiReplayCache } from "./assertion-check";
import { readClientAuthentication } from "./client-auth";
import { checkFederatedAssertion, isFederatedAssertion } from "./federated-check";
import { CLOUDS, type Cloud, classifyHost } from "./hosts";
import type { IssuerKeys } from "./issuer-keys";
import { entraIssuer, entraV2Issuer } from "./own-issuer";
import { isTokenExchangeResource, tokenExchangeAudience } from "./token-exchange";
import type { Directory, DirectoryApp, DirectoryTenant, TenantLookup } from "./directory";
import { type EntraErrorSpec, entraErrors } from "./errors";
import { resolveScope } from "./scope";
import { isJsonObjectText } from "../internal/json";

/** A token request as the router hands it over. */
export interface TokenRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
  readonly form: Readonly<Record<string, string>>;
  /** The tenant of the path, or `"adfs"` on the ADFS endpoint. */
  readonly tenant: TenantLookup | "adfs";
  /** The tenant path segment as sent (percent-decoded); `"adfs"` on the ADFS endpoint. */
  readonly tenantSegment: string;
  /** Emulator clock, ms. */
  readonly now: number;
}

/** The emulator state and settings the token endpoint works with. */
export interface TokenEndpointSettings {
  readonly directory: Directory;
  readonly issuer: AccessTokenIssuer;
  /** The keys of federated credentials' issuers. */
  readonly issuerKeys: IssuerKeys;
  /** `undefined` when `jti` replays are allowed. */
  readonly replayCache: JtiReplayCache | undefined;
  readonly clockSkewSeconds: number;
  readonly tokenLifetimeSeconds: number;
  readonly extExpiresInSeconds: number;
  readonly refreshInSeconds: number | undefined;
}

/** The answer of the token endpoint before rendering. */
export type TokenOutcome =
  | {
      readonly ok: true;
      readonly clientId: string;
      readonly body: Readonly<Record<string, string | number>>;
    }
  | { readonly ok: false; readonly clientId: string | undefined; readonly error: EntraErrorSpec };

/** Handles one token request (see the module documentation for the checks). */
export async function handleTokenRequest(
  request: TokenRequest,
  settings: TokenEndpointSettings,
): Promise<TokenOutcome> {
  const { form, tenant: lookup } = request;
  let clientId: string | undefined = form["client_id"] || undefined;
  const fail = (error: EntraErrorSpec): TokenOutcome => ({ ok: false, clientId, error });

  if (request.method !== "POST") return fail(entraErrors.postOnly(request.method));
  if (lookup !== "adfs" && lookup.kind === "invalid")
    return fail(entraErrors.invalidTenant(request.tenantSegment, "invalid_request"));
  if (lookup !== "adfs" && lookup.kind === "not-found")
    return fail(entraErrors.tenantNotFound(request.tenantSegment, "invalid_request"));
  const grantType = form["grant_type"];
  if (!grantType) return fail(entraErrors.missingParameter("grant_type"));
  if (grantType !== "client_credentials") return fail(entraErrors.unsupportedGrantType(grantType));
  const tenant = lookup === "adfs" ? "adfs" : lookup.kind === "tenant" ? lookup.tenant : undefined;
  if (tenant === undefined) return fail(entraErrors.reservedTenant());

  const auth = readClientAuthentication(form, request.headers);
  clientId = auth.clientId;
  if (!auth.ok) return fail(auth.error);
  const app = settings.directory.findApp(auth.clientId, tenant);
  if (!app)
    return fail(
      entraErrors.applicationNotFound(auth.clientId, tenant === "adfs" ? "adfs" : tenant.name),
    );

  const scope = form["scope"]?.trim();
  if (!scope) return fail(entraErrors.missingParameter("scope"));
  const resolved = resolveScope(scope);
  if (!resolved.ok) return fail(resolved.error);
  const claims = form["claims"];
  if (claims !== undefined && !isJsonObjectText(claims)) return fail(entraErrors.invalidClaims());

  const credential = auth.credential;
  if (credential.kind === "none") return fail(entraErrors.missingCredential());
  if (credential.kind === "secret" && !app.secrets.includes(credential.secret))
    return fail(entraErrors.invalidSecret(app.clientId));
  if (credential.kind === "assertion") {
    const checked = isFederatedAssertion(credential.assertion, app, auth.clientId)
      ? await checkFederatedAssertion(credential.assertion, {
          app,
          defaultAudience: tokenExchangeAudience(cloudOf(request.url)),
          now: request.now,
          clockSkewSeconds: settings.clockSkewSeconds,
          issuerKeys: settings.issuerKeys,
        })
      : await checkClientAssertion(credential.assertion, {
          app,
          clientId: auth.clientId,
          tokenEndpoint: `${request.url.origin}${request.url.pathname}`,
          now: request.now,
          clockSkewSeconds: settings.clockSkewSeconds,
          replayCache: settings.replayCache,
        });
    if (!checked.ok) return fail(checked.error);
  }
  if (!settings.directory.hasResource(resolved.resource)) {
    return fail(
      entraErrors.resourceNotFound(resolved.resource, tenant === "adfs" ? "adfs" : tenant.name),
    );
  }

  const accessToken = await issue(
    request,
    settings,
    app,
    tenant,
    resolved.resource,
    credential.kind === "assertion" ? "2" : "1",
    requestedClaimsOf(claims),
  );
  const body: Record<string, string | number> =
    tenant === "adfs"
      ? {
          access_token: accessToken,
          token_type: "bearer",
          expires_in: settings.tokenLifetimeSeconds,
        }
      : {
          token_type: "Bearer",
          expires_in: settings.tokenLifetimeSeconds,
          ext_expires_in: settings.extExpiresInSeconds,
          ...(settings.refreshInSeconds === undefined
            ? {}
            : { refresh_in: settings.refreshInSeconds }),
          access_token: accessToken,
        };
  return { ok: true, clientId: app.clientId, body };
}

function issue(
  request: TokenRequest,
  settings: TokenEndpointSettings,
  app: DirectoryApp,
  tenant: DirectoryTenant | "adfs",
  resource: string,
  appidacr: "1" | "2",
  requested: RequestedClaims,
): Promise<string> {
  const common = {
    ...requested,
    resource,
    clientId: app.clientId,
    displayName: app.displayName,
    roles: app.roles,
  };
  const grant =
    tenant === "adfs"
      ? { ...common, issuer: adfsIssuer(request.url.host) }
      : {
          ...common,
          // Entra issues tokens for the token exchange audience in the v2.0 shape.
          ...(isTokenExchangeResource(resource)
            ? {
                issuer: entraV2Issuer(entraOrigin(request.url), tenant.id),
                version: "2.0" as const,
              }
            : { issuer: entraIssuer(tenant.id) }),
          entra: {
            tenantId: tenant.id,
            servicePrincipalId: settings.directory.servicePrincipalId(app, tenant.id),
            appidacr,
          },
        };
  return settings.issuer.issue(grant, request.now, settings.tokenLifetimeSeconds);
}

/** The cloud a request was sent to (the public cloud for loopback and ADFS hosts). */
function cloudOf(url: URL): Cloud {
  const role = classifyHost(url, undefined);
  return role.kind === "entra" ? role.cloud : (CLOUDS[0] as Cloud);
}

/** The origin of v2.0 issuers: the cloud's host, or the loopback origin the emulator sits on. */
function entraOrigin(url: URL): string {
  const role = classifyHost(url, undefined);
  return role.kind === "entra" && !role.loopback
    ? `https://${role.cloud.preferredNetwork}`
    : url.origin;
}

/** `iss` of ADFS access tokens on `host`. */
export function adfsIssuer(host: string): string {
  return `http://${host}/adfs/services/trust`;
}
