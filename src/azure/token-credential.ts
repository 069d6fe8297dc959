/**
 * An `@azure/core-auth` `TokenCredential` over an application, so Azure SDK clients (Key Vault,
 * Storage, Resource Manager, ...) get their app-only tokens from entra-edge's cache. Typed
 * structurally: no dependency on `@azure/core-auth`.
 *
 * @module
 */

import type { ConfidentialClientApplication } from "../application";
import { ClientError } from "../errors";
import { decodeBase64 } from "../internal/base64";

/** `@azure/core-auth`'s `AccessToken`. */
export interface AccessToken {
  token: string;
  /** Expiry, epoch milliseconds. */
  expiresOnTimestamp: number;
  /** When to refresh, epoch milliseconds (the token's `refreshOn`, if known). */
  refreshAfterTimestamp?: number;
  tokenType?: "Bearer" | "pop";
}

/** The `GetTokenOptions` fields honoured. */
export interface GetTokenOptions {
  tenantId?: string;
  /** A claims request (JSON, or base64 JSON as in a `WWW-Authenticate` challenge). */
  claims?: string;
  abortSignal?: AbortSignal;
  [option: string]: unknown;
}

/** `@azure/core-auth`'s `TokenCredential`. */
export interface TokenCredential {
  /** Gets a token for `scopes`, from cache when a valid one is there. */
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null>;
}

/** Options of {@link toTokenCredential}. */
export interface TokenCredentialOptions {
  /** The tenant to use when a request names none. Default: the application's. */
  tenantId?: string;
  /** Other tenants a request may name (`"*"` for any); by default only `tenantId`. */
  additionallyAllowedTenants?: readonly string[];
}

/**
 * Wraps an application as an Azure SDK `TokenCredential`.
 *
 * @example
 * ```ts
 * import { SecretClient } from "@azure/keyvault-secrets";
 * const credential = toTokenCredential(app, { tenantId });
 * const secrets = new SecretClient("https://my-vault.vault.azure.net", credential);
 * ```
 */
export function toTokenCredential(
  app: ConfidentialClientApplication,
  options: TokenCredentialOptions = {},
): TokenCredential {
  const home = options.tenantId ?? app.authority.tenant;
  const allowed = new Set(
    (options.additionallyAllowedTenants ?? []).map((tenant) => tenant.toLowerCase()),
  );
  return {
    async getToken(scopes, getTokenOptions = {}) {
      const tenantId = tenantFor(getTokenOptions.tenantId, home, allowed);
      let request = app.acquireTokenForClient(Array.isArray(scopes) ? scopes : [scopes]);
      if (tenantId !== undefined) request = request.withTenantId(tenantId);
      if (getTokenOptions.claims !== undefined && getTokenOptions.claims !== "")
        request = request.withClaims(claimsJson(getTokenOptions.claims));
      if (getTokenOptions.abortSignal !== undefined)
        request = request.withAbortSignal(getTokenOptions.abortSignal);
      const result = await request;
      return {
        token: result.accessToken,
        expiresOnTimestamp: result.expiresOn.getTime(),
        ...(result.refreshOn === undefined
          ? {}
          : { refreshAfterTimestamp: result.refreshOn.getTime() }),
        tokenType: "Bearer",
      };
    },
  };
}

/** The tenant a request may use, as `@azure/identity` decides it. */
function tenantFor(
  requested: string | undefined,
  home: string | undefined,
  allowed: ReadonlySet<string>,
): string | undefined {
  if (
    requested === undefined ||
    requested === "" ||
    requested.toLowerCase() === home?.toLowerCase()
  )
    return home;
  if (allowed.has("*") || allowed.has(requested.toLowerCase())) return requested;
  throw new ClientError(
    "invalid_tenant",
    `The Azure SDK asked for a token in tenant ${requested}, which this credential does not allow: add it to additionallyAllowedTenants (or "*" for any).`,
  );
}

function claimsJson(claims: string): string {
  if (claims.trimStart().startsWith("{")) return claims;
  try {
    return new TextDecoder().decode(decodeBase64(claims));
  } catch {
    return claims;
  }
}
