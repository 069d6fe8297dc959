/**
 * Which tenant a request asks for, and which tenants a request may name.
 *
 * @module
 */

import { randomId } from "../internal/uuid";
import { ClientError } from "../errors";
import { assertRequestTenant, type Authority } from "./authority";

/**
 * The tenant to request a token for: the request's (or the application's) for Entra, checked;
 * none for ADFS and a generic OIDC issuer, which have one and refuse another.
 * @throws ClientError `invalid_tenant`, `missing_tenant`
 */
export function requestTenantOf(
  authority: Authority,
  tenant: string | undefined,
  correlationId: string | undefined,
): string | undefined {
  if (authority.kind !== "entra") {
    if (tenant !== undefined && tenant !== authority.tenant) {
      throw new ClientError(
        "invalid_tenant",
        `A tenant cannot be chosen per request for ${authority.kind === "adfs" ? "an ADFS" : "a generic OIDC"} authority: remove withTenantId.`,
        { correlationId: correlationId ?? randomId() },
      );
    }
    return undefined;
  }
  if (tenant === undefined) {
    throw new ClientError(
      "missing_tenant",
      "No tenant was given: set it on the application (withTenantId or the authority URL) or per request (withTenantId).",
      { correlationId: correlationId ?? randomId() },
    );
  }
  assertRequestTenant(tenant);
  return tenant;
}
