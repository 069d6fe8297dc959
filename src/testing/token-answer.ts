/**
 * The HTTP answer of a token request: runs the token endpoint's checks and renders the outcome
 * with Entra ID's headers and error bodies, or ADFS's.
 *
 * @module
 */

import { jsonResponse, tokenEndpointHeaders } from "./envelope";
import { adfsErrorResponse, entraErrorResponse } from "./errors";
import type { Exchange } from "./exchange";
import { type TokenEndpointSettings, handleTokenRequest } from "./token-endpoint";

/** Answers a token request; records `grantedAt` when a token is issued. */
export async function answerToken(
  exchange: Exchange,
  settings: TokenEndpointSettings,
): Promise<Response> {
  const { url, form, envelope, record, method, headers: requestHeaders } = exchange;
  const adfs = exchange.role.kind === "adfs";
  const outcome = await handleTokenRequest(
    {
      method,
      url,
      headers: requestHeaders,
      form,
      // A token path always names a tenant, so the fallback is never used on Entra hosts.
      tenant: adfs ? "adfs" : (exchange.lookup ?? { kind: "invalid" }),
      tenantSegment: exchange.route.tenantSegment ?? "",
      now: envelope.now,
    },
    settings,
  );
  const headers = adfs
    ? new Headers({ "Cache-Control": "no-store", Pragma: "no-cache" })
    : tokenEndpointHeaders(envelope);
  if (!outcome.ok)
    return adfs
      ? adfsErrorResponse(outcome.error, headers)
      : entraErrorResponse(outcome.error, envelope, headers);
  record.grantedAt = envelope.now;
  return jsonResponse(200, outcome.body, headers);
}
