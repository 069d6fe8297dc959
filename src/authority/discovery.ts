/**
 * OpenID Connect discovery for generic issuers (Keycloak, Auth0, Okta, oidc-provider): fetches
 * `{issuer}/.well-known/openid-configuration` once (at most 1 MiB), checks it, and keeps its
 * `token_endpoint` for a day. Concurrent first calls share one fetch. A token endpoint on another
 * origin than the issuer is refused unless the user opted in.
 *
 * @module
 */

import * as v from "valibot";
import { parseSecureUrl } from "./authority";
import { ClientError, EntraEdgeError, NetworkError, ServiceError } from "../errors";
import { raceSignal } from "../internal/deadline";
import { networkErrorOf } from "../internal/network-error";
import {
  discardBody,
  maxResponseBytes,
  readCappedText,
  type CappedBody,
} from "../internal/read-body";

const discoveryTtlMs = 24 * 3600 * 1000;

const discoveryDocument = v.looseObject({
  issuer: v.optional(v.string()),
  token_endpoint: v.pipe(v.string(), v.nonEmpty()),
});

interface Discovered {
  readonly tokenEndpoint: string;
  readonly fetchedAt: number;
}

/** Options of OIDC discovery. */
export interface DiscoveryOptions {
  /**
   * Accept a `token_endpoint` on another origin (scheme, host, port) than the issuer. Default
   * `false`: credentials go only to the origin the user named.
   */
  readonly allowTokenEndpointOnOtherOrigin?: boolean | undefined;
}

/** Discovery results of one application identity. */
export class DiscoveryCache {
  #entry: Discovered | undefined;
  #pending: Promise<Discovered> | undefined;

  /**
   * The issuer's token endpoint. A document naming a token endpoint on another origin is refused
   * (and not kept) unless `options.allowTokenEndpointOnOtherOrigin`; the check runs on every call,
   * so applications sharing this cache with different options each get their own answer.
   * @throws ClientError `discovery_failed` for a missing, oversized or invalid document,
   *   `cross_origin_token_endpoint` for a token endpoint on another origin; ServiceError for a
   *   5xx; NetworkError when unreachable.
   */
  async tokenEndpoint(
    issuer: string,
    fetcher: typeof fetch,
    signal: AbortSignal,
    now: number,
    correlationId: string,
    options: DiscoveryOptions = {},
  ): Promise<string> {
    let entry =
      this.#entry !== undefined && now - this.#entry.fetchedAt < discoveryTtlMs
        ? this.#entry
        : undefined;
    if (entry === undefined) {
      this.#pending ??= discover(issuer, fetcher, signal, now, correlationId).finally(() => {
        this.#pending = undefined;
      });
      entry = await this.#pending;
    }
    assertSameOrigin(issuer, entry.tokenEndpoint, options, correlationId);
    this.#entry = entry;
    return entry.tokenEndpoint;
  }
}

function assertSameOrigin(
  issuer: string,
  tokenEndpoint: string,
  options: DiscoveryOptions,
  correlationId: string,
): void {
  const endpointOrigin = new URL(tokenEndpoint).origin;
  if (options.allowTokenEndpointOnOtherOrigin === true || endpointOrigin === new URL(issuer).origin)
    return;
  throw new ClientError(
    "cross_origin_token_endpoint",
    `The OIDC discovery document of ${issuer} names a token_endpoint on another origin (${endpointOrigin.slice(0, 200)}): credentials are sent only to the issuer's origin. If that host is the issuer's own token service, opt in with withOidcAuthority(issuer, { allowTokenEndpointOnOtherOrigin: true }).`,
    { correlationId },
  );
}

async function discover(
  issuer: string,
  fetcher: typeof fetch,
  signal: AbortSignal,
  now: number,
  correlationId: string,
): Promise<Discovered> {
  const url = `${issuer}/.well-known/openid-configuration`;
  let body: CappedBody | undefined;
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
    if (status === 200) {
      body = await raceSignal(readCappedText(response, maxResponseBytes, signal), signal, timedOut);
    } else {
      discardBody(response);
    }
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
  if (body?.tooLarge !== false) {
    throw new ClientError(
      "discovery_failed",
      `The OIDC discovery document ${url} is over ${maxResponseBytes / 1024 / 1024} MiB, far larger than any discovery document; it was not read. Check the issuer URL given to withOidcAuthority.`,
      { correlationId },
    );
  }
  const parsed = v.safeParse(discoveryDocument, parseJson(body.text));
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
