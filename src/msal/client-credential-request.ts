/**
 * msal-node's `acquireTokenByClientCredential(request)` and its result shape, over entra-edge's
 * acquisition.
 *
 * @module
 */

import type { AcquireTokenForClientOptions } from "../options";
import { TokenSource, type AuthenticationResult } from "../result";

/**
 * msal-node's `ClientCredentialRequest` fields entra-edge honours.
 *
 * @example
 * ```ts
 * const result = await app.acquireTokenByClientCredential({ scopes: ["https://graph.microsoft.com/.default"] });
 * ```
 */
export interface ClientCredentialRequest {
  scopes: string[];
  /** Skip the cache (msal-node's name for force refresh). */
  skipCache?: boolean;
  claims?: string;
  azureRegion?: string;
  /** An authority whose tenant replaces the application's for this request. */
  authority?: string;
  correlationId?: string;
  tokenQueryParameters?: Record<string, string>;
}

/** msal-node's `AuthenticationResult` for an app token. */
export interface MsalAuthenticationResult {
  authority: string;
  uniqueId: string;
  tenantId: string;
  scopes: string[];
  account: null;
  idToken: string;
  idTokenClaims: Record<string, never>;
  accessToken: string;
  fromCache: boolean;
  expiresOn: Date;
  extExpiresOn: Date;
  refreshOn: Date | undefined;
  tokenType: string;
  correlationId: string;
  requestId: string;
  state: string;
  familyId: string;
  cloudGraphHostName: string;
  msGraphHost: string;
  fromNativeBroker: boolean;
}

/** Per-request options of an msal-node request (the tenant of `authority` is read by the caller). */
export function optionsOfMsalRequest(
  request: ClientCredentialRequest,
  tenantId: string | undefined,
): AcquireTokenForClientOptions {
  const options: AcquireTokenForClientOptions = {};
  if (request.skipCache === true) options.forceRefresh = true;
  if (request.claims !== undefined && request.claims !== "") options.claims = request.claims;
  if (request.correlationId !== undefined) options.correlationId = request.correlationId;
  if (request.tokenQueryParameters !== undefined)
    options.extraQueryParameters = request.tokenQueryParameters;
  if (request.azureRegion !== undefined) options.azureRegion = request.azureRegion;
  if (tenantId !== undefined) options.tenantId = tenantId;
  return options;
}

/** msal-node's result shape of an entra-edge result. */
export function msalResultOf(result: AuthenticationResult): MsalAuthenticationResult {
  const endpoint = result.authenticationResultMetadata.tokenEndpoint;
  return {
    authority: endpoint.replace(/oauth2\/(v2\.0\/)?token$/, ""),
    uniqueId: "",
    tenantId: result.tenantId ?? "",
    scopes: [...result.scopes],
    account: null,
    idToken: "",
    idTokenClaims: {},
    accessToken: result.accessToken,
    fromCache: result.authenticationResultMetadata.tokenSource === TokenSource.Cache,
    expiresOn: result.expiresOn,
    extExpiresOn: result.extendedExpiresOn,
    refreshOn: result.refreshOn,
    tokenType: result.tokenType,
    correlationId: result.correlationId,
    requestId: "",
    state: "",
    familyId: "",
    cloudGraphHostName: "",
    msGraphHost: "",
    fromNativeBroker: false,
  };
}
