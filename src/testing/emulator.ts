/**
 * The public face of the emulator: `createEntraEmulator` and the `EntraEmulator` it returns, a
 * `fetch` that answers like Microsoft Entra ID on the wire, for the client credentials grant, on
 * every Entra host alias and loopback origin, with recording and fault injection.
 *
 * @module
 */

import type {
  EmulatorAccessTokenClaims,
  EmulatorJwks,
  VerifyAccessTokenOptions,
} from "./access-token";
import { FaultQueue } from "./fault-queue";
import type { EmulatorFault } from "./fault-types";
import type { EntraEmulatorOptions } from "./options";
import type { RecordedRequest } from "./recording";
import { type RequestContext, handleRequest } from "./request-handler";
import { resolveSettings } from "./settings";
import { entraIssuer, entraV2Issuer } from "./own-issuer";
import { adfsIssuer } from "./token-endpoint";
import { CLOUDS } from "./hosts";

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
  /**
   * Registers another certificate (PEM) on the app `clientId`, as uploading one to the app
   * registration: assertions its key signs are accepted from now on. Rejects with a `TypeError`
   * for an unknown app or a certificate that cannot be registered (not RSA, under 2048 bits).
   *
   * @example
   * ```ts
   * await emulator.addCertificate(clientId, nextCertificatePem);
   * await emulator.removeCertificate(clientId, oldCertificatePem); // rotation done
   * ```
   */
  addCertificate(clientId: string, certificatePem: string): Promise<void>;
  /**
   * Removes a certificate (PEM) from the app `clientId`, as deleting its key credential:
   * assertions it signs get AADSTS700027 "The key was not found." from now on. Resolves to
   * whether it was registered.
   */
  removeCertificate(clientId: string, certificatePem: string): Promise<boolean>;
  /** Forgets recorded requests, queued faults and seen assertion `jti`s; keeps tenants, apps and keys. */
  reset(): void;
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
 * `https://sts.windows.net/{tid}/` in every cloud; `Response.url` is empty; any token the
 * emulator issued may be a federated assertion, where the service accepts only some Entra tokens
 * (such as a managed identity's) as federated credentials.
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
  const settings = await resolveSettings(options);
  const { directory, issuer, replayCache, now, adfsHost } = settings;
  const faultQueue = new FaultQueue();
  const records: RecordedRequest[] = [];
  const context: RequestContext = { settings, faultQueue, records };

  return {
    fetch: (input, init) => handleRequest(context, input, init),
    get requests() {
      return records;
    },
    tokenRequests: () => records.filter((record) => record.kind === "token"),
    injectFault: (fault) => faultQueue.add(fault),
    clearFaults: () => faultQueue.clear(),
    publicJwks: issuer.jwks,
    verifyAccessToken: (token, verifyOptions = {}) => {
      const issuers = directory
        .tenantIds()
        .flatMap((tenantId) => [
          entraIssuer(tenantId),
          ...CLOUDS.map((cloud) => entraV2Issuer(`https://${cloud.preferredNetwork}`, tenantId)),
        ]);
      if (adfsHost !== undefined) issuers.push(adfsIssuer(adfsHost));
      return issuer.verify(token, now(), issuers, verifyOptions);
    },
    addCertificate: (clientId, certificatePem) =>
      directory.addCertificate(clientId, certificatePem),
    removeCertificate: (clientId, certificatePem) =>
      directory.removeCertificate(clientId, certificatePem),
    reset: () => {
      records.length = 0;
      faultQueue.clear();
      replayCache?.clear();
    },
  };
}
