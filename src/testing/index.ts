/**
 * `entra-edge/testing`: a local Microsoft Entra ID emulator for the client credentials grant.
 * Its `fetch` answers like Entra ID on the wire (token endpoint, OpenID configuration, instance
 * discovery, keys) on every Entra host alias, regional host and loopback origin, checks client
 * secrets, certificate assertions and federated tokens (against their issuer's keys) for real, records every request and injects faults. It
 * uses only `fetch`-era Web APIs and `crypto.subtle`, so it runs in workerd, Deno, Bun and Node.
 *
 * @example
 * ```ts
 * import { ConfidentialClientApplicationBuilder } from "entra-edge";
 * import { createEntraEmulator, faults } from "entra-edge/testing";
 *
 * const emulator = await createEntraEmulator({
 *   tenants: [{ id: tenantId, domains: ["contoso.onmicrosoft.com"] }],
 *   apps: [{ clientId, secrets: ["s3cret"], certificates: [certificatePem] }],
 * });
 * const app = ConfidentialClientApplicationBuilder.create(clientId)
 *   .withCertificate({ privateKey: keyPem, certificate: certificatePem })
 *   .withHttpClient(emulator.fetch)
 *   .build();
 *
 * emulator.injectFault(faults.serverError(503));
 * const result = await app.acquireTokenForClient(["https://graph.microsoft.com/.default"]).withTenantId(tenantId);
 * const claims = await emulator.verifyAccessToken(result.accessToken, { tenantId });
 * ```
 *
 * @module
 */

export { createEntraEmulator } from "./emulator";
export type { EmulatorFetch, EntraEmulator } from "./emulator";
export type {
  EmulatorAdfsOptions,
  EmulatorApp,
  EmulatorFederatedCredential,
  EmulatorTenant,
  EntraEmulatorOptions,
} from "./options";
export type { RecordedRequest, RequestKind } from "./recording";
export { faults } from "./fault-presets";
export {
  createProtectedResource,
  type AccessTokenVerifier,
  type ProtectedResource,
  type ProtectedResourceRequest,
} from "./protected-resource";
export type { FaultPresets } from "./fault-presets";
export type {
  BodyFault,
  DelayFault,
  EmulatorFault,
  EntraErrorFault,
  FaultMatch,
  FaultScope,
  NetworkFault,
  ResponseFault,
} from "./fault-types";
export type {
  EmulatorAccessTokenClaims,
  EmulatorJwks,
  VerifyAccessTokenOptions,
} from "./access-token";
