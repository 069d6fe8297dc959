/**
 * The emulator: a `fetch` that answers like Microsoft Entra ID on the wire, for the client
 * credentials grant, on every Entra host alias and loopback origin, with recording and fault
 * injection.
 *
 * @module
 */

import {
  AccessTokenIssuer,
  type EmulatorAccessTokenClaims,
  type EmulatorJwks,
  type VerifyAccessTokenOptions,
} from "./access-token";
import { JtiReplayCache } from "./assertion-check";
import { readClientAuthentication } from "./client-auth";
import { Directory, type TenantLookup } from "./directory";
import { adfsOpenIdConfiguration, instanceDiscovery, openIdConfiguration } from "./discovery";
import {
  type Envelope,
  createEnvelope,
  discoveryHeaders,
  jsonResponse,
  tokenEndpointHeaders,
} from "./envelope";
import { type EntraErrorSpec, adfsErrorResponse, entraErrorResponse, entraErrors } from "./errors";
import {
  type EmulatorFault,
  FaultQueue,
  connectionFailure,
  faultResponse,
  faultType,
  sleep,
} from "./faults";
import { isFormContentType, parseForm } from "./form";
import { type HostRole, classifyHost } from "./hosts";
import type { EntraEmulatorOptions } from "./options";
import type { MutableRecordedRequest, RecordedRequest } from "./recording";
import { type Route, routeOf } from "./routes";
import {
  type TokenEndpointSettings,
  adfsIssuer,
  entraIssuer,
  handleTokenRequest,
} from "./token-endpoint";

/**
 * The emulator's `fetch`: same signature as the global one, already bound.
 *
 * @example
 * ```ts
 * const fetchLike: EmulatorFetch = emulator.fetch;
 * const response = await fetchLike("https://login.microsoftonline.com/common/discovery/instance?api-version=1.1&authorization_endpoint=https://login.microsoftonline.com/common/oauth2/v2.0/authorize");
 * ```
 */
export type EmulatorFetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/**
 * A running emulator, made by {@link createEntraEmulator}.
 *
 * @example
 * ```ts
 * const emulator = await createEntraEmulator({ tenants: [tenantId], apps: [{ clientId, secrets: ["s3cret"] }] });
 * const app = ConfidentialClientApplicationBuilder.create(clientId)
 *   .withClientSecret("s3cret")
 *   .withHttpClient(emulator.fetch)
 *   .build();
 * await app.acquireTokenForClient(["https://graph.microsoft.com/.default"]).withTenantId(tenantId);
 * expect(emulator.tokenRequests()).toHaveLength(1);
 * ```
 */
export interface EntraEmulator {
  /**
   * Answers like Entra ID. Hosts other than the Entra aliases (over `https:`), their regional
   * forms, loopback origins and the ADFS host reject with `TypeError("fetch failed")` (cause
   * `ENOTFOUND`), as an unresolvable name does. An already aborted signal rejects with its reason.
   */
  readonly fetch: EmulatorFetch;
  /** Every request received since creation or the last `reset()`, oldest first (a live array). */
  readonly requests: readonly RecordedRequest[];
  /** The recorded requests of kind `"token"`; `.length` counts them. */
  tokenRequests(): RecordedRequest[];
  /** Queues a fault (see {@link EmulatorFault}); throws a `TypeError` for an invalid one. */
  injectFault(fault: EmulatorFault): void;
  /** Drops every queued fault. */
  clearFaults(): void;
  /** The public key(s) that sign JWT access tokens, also served at `/{tenant}/discovery/v2.0/keys`. */
  readonly publicJwks: EmulatorJwks;
  /**
   * Verifies a JWT access token this emulator issued: RS256 signature, `nbf`/`exp` on the
   * emulator clock, `iss` of a configured tenant (or the ADFS host), and `options`. Rejects
   * otherwise (always for `accessTokenFormat: "opaque"`).
   */
  verifyAccessToken(
    token: string,
    options?: VerifyAccessTokenOptions,
  ): Promise<EmulatorAccessTokenClaims>;
  /** Forgets recorded requests, queued faults and seen assertion `jti`s; keeps tenants, apps and keys. */
  reset(): void;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const result = value ?? fallback;
  if (!(Number.isInteger(result) && result > 0))
    throw new TypeError(`${name} must be a positive integer, got ${value}`);
  return result;
}

/** Everything one request's answer is computed from. */
interface Exchange {
  readonly method: string;
  /** A copy of the request headers, taken before the body is read (Bun drops them afterwards). */
  readonly headers: Headers;
  readonly url: URL;
  readonly role: Exclude<HostRole, { kind: "unknown" }>;
  readonly route: Route;
  readonly lookup: TenantLookup | undefined;
  readonly form: Readonly<Record<string, string>>;
  readonly envelope: Envelope;
  readonly record: MutableRecordedRequest;
}

/**
 * Creates an Entra ID emulator. Generates the access-token signing key and imports every app
 * certificate, so it is asynchronous; throws a `TypeError` for invalid options (non-GUID ids,
 * unknown tenants of an app, non-RSA or short-key certificates, non-positive lifetimes).
 *
 * The token endpoint checks requests in a fixed order, documented in `token-endpoint.ts`;
 * assertions are verified as in `assertion-check.ts`. Deviations from the service, by design:
 * every tenant exists in every cloud; regional hosts serve every app (the service limits
 * ESTS-R to first-party and SN+I callers, AADSTS100007); the v1 issuer is
 * `https://sts.windows.net/{tid}/` in every cloud; `Response.url` is empty.
 *
 * @example
 * ```ts
 * import { createEntraEmulator, faults } from "entra-edge/testing";
 *
 * const emulator = await createEntraEmulator({
 *   tenants: [{ id: "72f988bf-86f1-41af-91ab-2d7cd011db47", domains: ["contoso.onmicrosoft.com"] }],
 *   apps: [{ clientId: "11111111-2222-3333-4444-555555555555", secrets: ["s3cret"], certificates: [certPem] }],
 * });
 * emulator.injectFault(faults.throttled(60));
 * const response = await emulator.fetch(
 *   "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
 *   {
 *     method: "POST",
 *     body: new URLSearchParams({
 *       grant_type: "client_credentials",
 *       client_id: "11111111-2222-3333-4444-555555555555",
 *       client_secret: "s3cret",
 *       scope: "https://graph.microsoft.com/.default",
 *     }),
 *   },
 * );
 * response.status; // 429, then 200 on the next request
 * ```
 */
export async function createEntraEmulator(options: EntraEmulatorOptions): Promise<EntraEmulator> {
  const tokenLifetimeSeconds = positiveInteger(
    "tokenLifetimeSeconds",
    options.tokenLifetimeSeconds,
    3599,
  );
  const extExpiresInSeconds = positiveInteger(
    "extExpiresInSeconds",
    options.extExpiresInSeconds,
    tokenLifetimeSeconds,
  );
  const refreshInSeconds =
    options.refreshInSeconds === undefined
      ? undefined
      : positiveInteger("refreshInSeconds", options.refreshInSeconds, 0);
  const clockSkewSeconds = options.clockSkewSeconds ?? 300;
  if (!(Number.isFinite(clockSkewSeconds) && clockSkewSeconds >= 0)) {
    throw new TypeError(`clockSkewSeconds must be a non-negative number, got ${clockSkewSeconds}`);
  }
  const now = options.now ?? Date.now;
  const adfsHost = options.adfs?.host.toLowerCase();
  const [directory, issuer] = await Promise.all([
    Directory.create(options),
    AccessTokenIssuer.create(options.accessTokenFormat ?? "jwt"),
  ]);
  const replayCache = options.jtiReplay === "allow" ? undefined : new JtiReplayCache();
  const settings: TokenEndpointSettings = {
    directory,
    issuer,
    replayCache,
    clockSkewSeconds,
    tokenLifetimeSeconds,
    extExpiresInSeconds,
    refreshInSeconds,
  };
  const faultQueue = new FaultQueue();
  const records: RecordedRequest[] = [];

  async function answerToken(exchange: Exchange): Promise<Response> {
    const { url, form, envelope, record, method, headers: requestHeaders } = exchange;
    const adfs = exchange.role.kind === "adfs";
    const outcome = await handleTokenRequest(
      {
        method,
        url,
        headers: requestHeaders,
        form,
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

  function discoveryError(spec: EntraErrorSpec, envelope: Envelope): Response {
    return entraErrorResponse(spec, envelope, discoveryHeaders(envelope));
  }

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

  function answerDiscovery(exchange: Exchange): Response {
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
        return tenantError(exchange) ?? jsonResponse(200, issuer.jwks, discoveryHeaders(envelope));
      default: {
        const apiVersion = url.searchParams.get("api-version");
        if (!apiVersion)
          return discoveryError(entraErrors.missingParameter("api-version"), envelope);
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

  function answer(exchange: Exchange): Promise<Response> | Response {
    const { route, method, envelope } = exchange;
    if (route.kind === "token") return answerToken(exchange);
    if (route.kind !== "other" && method === "GET") return answerDiscovery(exchange);
    return new Response(null, { status: 404, headers: { "x-ms-request-id": envelope.traceId } });
  }

  async function handle(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const request = new Request(input, init);
    const { signal } = request;
    if (signal.aborted) throw signal.reason;
    const url = new URL(request.url);
    const role = classifyHost(url, adfsHost);
    const route =
      role.kind === "unknown"
        ? { kind: "other" as const, tenantSegment: undefined }
        : routeOf(url.pathname, role.kind === "adfs");
    const headers = new Headers(request.headers);
    const body = await request.text();
    const form = isFormContentType(headers.get("content-type")) ? parseForm(body) : {};
    const lookup =
      route.tenantSegment === undefined || role.kind === "adfs"
        ? undefined
        : directory.lookupTenant(route.tenantSegment);
    const record: MutableRecordedRequest = {
      method: request.method,
      url: url.href,
      host: url.host,
      path: url.pathname,
      tenant: route.tenantSegment,
      tenantId: lookup?.kind === "tenant" ? lookup.tenant.id : undefined,
      kind: route.kind,
      form,
      headers: Object.fromEntries(headers),
      clientId:
        route.kind === "token"
          ? readClientAuthentication(form, headers).clientId
          : form["client_id"],
      receivedAt: now(),
      grantedAt: undefined,
      status: undefined,
      fault: undefined,
    };
    records.push(record);
    if (role.kind === "unknown")
      throw connectionFailure("ENOTFOUND", `getaddrinfo ENOTFOUND ${url.hostname}`);

    const fault = faultQueue.take({
      kind: route.kind,
      host: url.host,
      tenant: route.tenantSegment,
      tenantId: record.tenantId,
    });
    if (fault) record.fault = faultType(fault);
    if (fault?.type === "network") throw connectionFailure("ECONNRESET", "read ECONNRESET");
    if (fault?.type === "delay") await sleep(fault.ms, signal);
    const envelope = createEnvelope(url, headers, form, now());
    const exchange: Exchange = {
      method: request.method,
      headers,
      url,
      role,
      route,
      lookup,
      form,
      envelope,
      record,
    };
    const response =
      fault && fault.type !== "delay" ? faultResponse(fault, envelope) : await answer(exchange);
    if (signal.aborted) throw signal.reason;
    record.status = response.status;
    return response;
  }

  return {
    fetch: (input, init) => handle(input, init),
    get requests() {
      return records;
    },
    tokenRequests: () => records.filter((record) => record.kind === "token"),
    injectFault: (fault) => faultQueue.add(fault),
    clearFaults: () => faultQueue.clear(),
    publicJwks: issuer.jwks,
    verifyAccessToken: (token, verifyOptions = {}) => {
      const issuers = directory.tenantIds().map(entraIssuer);
      if (adfsHost !== undefined) issuers.push(adfsIssuer(adfsHost));
      return issuer.verify(token, now(), issuers, verifyOptions);
    },
    reset: () => {
      records.length = 0;
      faultQueue.clear();
      replayCache?.clear();
    },
  };
}
