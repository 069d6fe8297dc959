/**
 * Claims requests: client capabilities (`xms_cc`, e.g. `cp1` for Continuous Access Evaluation)
 * merged into the `claims` parameter, and claims challenges read from a resource's
 * `WWW-Authenticate` header.
 *
 * @module
 */

import { ClientError } from "../errors";
import { decodeBase64 } from "../internal/base64";
import { isJsonObjectText } from "../internal/json";
import { parseWwwAuthenticate, type AuthenticationChallenge } from "./www-authenticate";

/**
 * Merges client capabilities into a claims request, as MSAL does: capabilities go under
 * `access_token.xms_cc.values`, next to whatever the request asked for.
 * @returns the claims JSON to send, or `undefined` when there is nothing to send.
 */
export function mergeClaims(
  claims: string | undefined,
  capabilities: readonly string[],
): string | undefined {
  if (capabilities.length === 0) return claims;
  let request: Record<string, unknown> = {};
  if (claims !== undefined) {
    try {
      request = JSON.parse(claims) as Record<string, unknown>;
    } catch {
      throw new ClientError("invalid_claims", "Claims must be a JSON object string.");
    }
  }
  const accessToken =
    typeof request["access_token"] === "object" && request["access_token"] !== null
      ? (request["access_token"] as Record<string, unknown>)
      : {};
  return JSON.stringify({
    ...request,
    access_token: { ...accessToken, xms_cc: { values: [...capabilities] } },
  });
}

/**
 * Reads the claims challenge of a resource's 401 answer (`WWW-Authenticate: Bearer ...,
 * error="insufficient_claims", claims="<base64>"`), decoded, ready for `withClaims`.
 *
 * @param challenge the header's value, the `Headers`, or the `Response` itself.
 * @returns the claims JSON, or `undefined` when the answer carries no claims challenge.
 * @example
 * ```ts
 * const response = await fetch(graphUrl, { headers: { authorization: `Bearer ${token}` } });
 * const claims = parseClaimsChallenge(response);
 * if (claims) token = (await app.acquireTokenForClient(scopes).withTenantId(tenantId).withClaims(claims)).accessToken;
 * ```
 */
export function parseClaimsChallenge(
  challenge: string | Headers | Response | null | undefined,
): string | undefined {
  const header =
    challenge === null || challenge === undefined
      ? null
      : typeof challenge === "string"
        ? challenge
        : challenge instanceof Response
          ? challenge.headers.get("www-authenticate")
          : challenge.get("www-authenticate");
  if (header === null) return undefined;
  for (const challenge of parseWwwAuthenticate(header)) {
    const claims = claimsOfChallenge(challenge);
    if (claims !== undefined) return claims;
  }
  return undefined;
}

/** The decoded `claims` parameter of one challenge, or `undefined` when it has none that reads as a JSON object. */
export function claimsOfChallenge(challenge: AuthenticationChallenge): string | undefined {
  const encoded = challenge.parameters.get("claims");
  if (encoded === undefined || encoded === "") return undefined;
  let decoded: string;
  try {
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(decodeBase64(encoded));
  } catch {
    // Some resources send the claims JSON unencoded.
    decoded = encoded;
  }
  return isJsonObjectText(decoded) ? decoded : undefined;
}
