/**
 * The HTTP answers of the discovery endpoints (`GET` only): the OpenID configuration, the
 * signing keys and instance discovery, with the service's error bodies for unknown or malformed
 * tenants and a missing `api-version`.
 *
 * @module
 */

import type { EmulatorJwks } from "./access-token";
import { adfsOpenIdConfiguration, instanceDiscovery, openIdConfiguration } from "./discovery";
import { type Envelope, discoveryHeaders, jsonResponse } from "./envelope";
import { type EntraErrorSpec, entraErrorResponse, entraErrors } from "./errors";
import type { Exchange } from "./exchange";
import { adfsIssuer } from "./token-endpoint";

function discoveryError(spec: EntraErrorSpec, envelope: Envelope): Response {
  return entraErrorResponse(spec, envelope, discoveryHeaders(envelope));
}

/** The error answer when the path's tenant is unknown or malformed, else `undefined`. */
function tenantError(exchange: Exchange): Response | undefined {
  const { lookup, envelope, route } = exchange;
  if (lookup?.kind === "not-found")
    return discoveryError(
      entraErrors.tenantNotFound(route.tenantSegment ?? "", "invalid_tenant"),
      envelope,
    );
  if (lookup?.kind === "invalid")
    return discoveryError(
      entraErrors.invalidTenant(route.tenantSegment ?? "", "invalid_tenant"),
      envelope,
    );
  return undefined;
}

/**
 * Answers a `GET` to a discovery route (`openid-configuration`, `jwks` or
 * `instance-discovery`); `jwks` is what the keys endpoint serves.
 */
export function answerDiscovery(exchange: Exchange, jwks: EmulatorJwks): Response {
  const { url, route, lookup, envelope, role } = exchange;
  switch (route.kind) {
    case "openid-configuration": {
      if (role.kind === "adfs")
        return jsonResponse(
          200,
          adfsOpenIdConfiguration(url.origin, adfsIssuer(url.host)),
          discoveryHeaders(envelope),
        );
      const tenantId = lookup?.kind === "tenant" ? lookup.tenant.id : undefined;
      const document = openIdConfiguration(
        url.origin,
        role.cloud,
        (route.tenantSegment ?? "").toLowerCase(),
        tenantId,
      );
      return tenantError(exchange) ?? jsonResponse(200, document, discoveryHeaders(envelope));
    }
    case "jwks":
      return tenantError(exchange) ?? jsonResponse(200, jwks, discoveryHeaders(envelope));
    default: {
      const apiVersion = url.searchParams.get("api-version");
      if (!apiVersion) return discoveryError(entraErrors.missingParameter("api-version"), envelope);
      const document = instanceDiscovery(
        url.searchParams.get("authorization_endpoint") ?? "",
        apiVersion,
      );
      return document
        ? jsonResponse(200, document, discoveryHeaders(envelope))
        : discoveryError(entraErrors.unknownInstance(), envelope);
    }
  }
}
