/**
 * OpenID Connect discovery for generic issuers (Keycloak, Auth0, Okta, oidc-provider): fetches
 * `{issuer}/.well-known/openid-configuration` once, checks it, and keeps its `token_endpoint`
 * for a day. Concurrent first calls share one fetch.
 *
 * @module
 */

import * as v from "valibot";
import { parseSecureUrl } from "./authority";
import { ClientError, EntraEdgeError, NetworkError, ServiceError } from "../errors";
import { raceSignal } from "../internal/deadline";
import { networkErrorOf } from "../internal/network-error";

const discoveryTtlMs = 24 * 3600 * 1000;

const discoveryDocument = v.looseObject({
  issuer: v.optional(v.string()),
  token_endpoint: v.pipe(v.string(), v.nonEmpty()),
});

interface Discovered {
  readonly tokenEndpoint: string;
  readonly fetchedAt: number;
}

/** Discovery results of one application identity. */
export class DiscoveryCache {
  #entry: Discovered | undefined;
  #pending: Promise<Discovered> | undefined;

  /**
   * The issuer's token endpoint.
   * @throws ClientError `discovery_failed` for a missing or invalid document, NetworkError when unreachable.
   */
  async tokenEndpoint(
    issuer: string,
    fetcher: typeof fetch,
    signal: AbortSignal,
    now: number,
    correlationId: string,
  ): Promise<string> {
    if (this.#entry !== undefined && now - this.#entry.fetchedAt < discoveryTtlMs)
      return this.#entry.tokenEndpoint;
    this.#pending ??= discover(issuer, fetcher, signal, now, correlationId).finally(() => {
      this.#pending = undefined;
    });
    this.#entry = await this.#pending;
    return this.#entry.tokenEndpoint;
  }
}

async function discover(
  issuer: string,
  fetcher: typeof fetch,
  signal: AbortSignal,
  now: number,
  correlationId: string,
): Promise<Discovered> {
  const url = `${issuer}/.well-known/openid-configuration`;
  let body: unknown;
  let status: number;
  try {
    // raceSignal: a fetch or body that ignores the signal still ends at the deadline.
    const timedOut = (): NetworkError => networkErrorOf(undefined, signal, url, correlationId);
    const response = await raceSignal(
      fetcher(url, { headers: { accept: "application/json" }, signal, redirect: "manual" }),
      signal,
      timedOut,
    );
    status = response.status;
    body = await raceSignal(
      response.json().catch(() => undefined),
      signal,
      timedOut,
    );
  } catch (error) {
    throw error instanceof EntraEdgeError
      ? error
      : networkErrorOf(error, signal, url, correlationId);
  }
  if (status >= 500) {
    throw new ServiceError(
      "service_error",
      `The OIDC discovery document ${url} answered HTTP ${status}: the issuer failed; try again shortly.`,
      { status, correlationId },
    );
  }
  if (status !== 200) {
    throw new ClientError(
      "discovery_failed",
      `The OIDC discovery document ${url} answered HTTP ${status}: check the issuer URL given to withOidcAuthority.`,
      { correlationId },
    );
  }
  const parsed = v.safeParse(discoveryDocument, body);
  if (!parsed.success) {
    throw new ClientError(
      "discovery_failed",
      `The OIDC discovery document ${url} has no valid token_endpoint: check the issuer URL given to withOidcAuthority.`,
      { correlationId },
    );
  }
  if (parsed.output.issuer !== undefined && parsed.output.issuer.replace(/\/+$/, "") !== issuer) {
    throw new ClientError(
      "discovery_failed",
      `The discovery document at ${url} names another issuer (${parsed.output.issuer.slice(0, 200)}): give withOidcAuthority the issuer exactly as the server names it.`,
      { correlationId },
    );
  }
  const tokenEndpoint = parseSecureUrl(parsed.output.token_endpoint, "token_endpoint").toString();
  return { tokenEndpoint, fetchedAt: now };
}
