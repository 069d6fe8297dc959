/**
 * entra-edge: Microsoft Entra ID client credentials (MSAL's `AcquireTokenForClient`) on `fetch`
 * and `crypto.subtle`, for Cloudflare Workers, Deno, Bun and Node.
 *
 * @example
 * ```ts
 * import { ConfidentialClientApplicationBuilder, TokenSource } from "entra-edge";
 *
 * const app = ConfidentialClientApplicationBuilder.create(clientId).withClientSecret(secret).build();
 * const result = await app.acquireTokenForClient(["https://graph.microsoft.com/.default"]).withTenantId(tenantId);
 * ```
 *
 * @module
 */

export { AcquireTokenForClientParameterBuilder } from "./request/acquire-token-builder";
export { ConfidentialClientApplication } from "./application";
export { ConfidentialClientApplicationBuilder } from "./application-builder";
export type { CacheAdapter } from "./cache/cache-adapter";
export type { CacheErrorEvent, DistributedCacheOptions } from "./cache/distributed-cache";
export type { CacheEncryptionKey, CacheEncryptionOptions } from "./cache/sealing";
export type { CacheStatistics } from "./client-state";
export { defaultMemoryCacheLimits, type MemoryCacheLimits } from "./cache/memory-token-cache";
export type { Authority, AuthorityKind } from "./authority/authority";
export {
  toTokenCredential,
  type AccessToken,
  type GetTokenOptions,
  type TokenCredential,
  type TokenCredentialOptions,
} from "./azure/token-credential";
export { mergeClaims, parseClaimsChallenge } from "./request/claims";
export {
  createAuthorizedFetch,
  type AuthorizedFetch,
  type AuthorizedFetchOptions,
} from "./gateway/authorized-fetch";
export { AzureCloudInstance } from "./authority/cloud";
export type {
  CertificateCommonOptions,
  CertificateLoader,
  CertificateOptions,
  PemCertificateOptions,
  PfxCertificateOptions,
  RemoteSignerCertificateOptions,
  ThumbprintCertificateOptions,
} from "./credentials/certificate";
export type { ClientAssertion } from "./credentials/client-assertion";
export type { ClientAssertionOptions } from "./credentials/client-credential";
export type { SigningAlgorithm } from "./keys/private-key";
export {
  ClientError,
  EntraEdgeError,
  NetworkError,
  ServiceError,
  ThrottledError,
  type ClientErrorCode,
  type EntraEdgeErrorCode,
  type EntraEdgeErrorOptions,
  type NetworkErrorCode,
  type ServiceErrorCode,
  type ServiceErrorDetails,
} from "./errors";
export type { LogLevel, Logger, LoggingOptions } from "./logger";
export type {
  ClientCredentialRequest,
  MsalAuthenticationResult,
} from "./msal/client-credential-request";
export type { MsalNodeConfiguration } from "./msal/msal-configuration";
export type { TokenCacheSerializer } from "./msal/token-cache-serializer";
export {
  CacheLevel,
  CacheRefreshReason,
  RegionOutcome,
  TokenSource,
  type AuthenticationResult,
  type AuthenticationResultMetadata,
  type RegionDetails,
} from "./result";
export type {
  AcquireTokenForClientOptions,
  AcquisitionContext,
  AcquisitionObserver,
  ConfidentialClientApplicationOptions,
  OnBeforeTokenRequestData,
  OnAcquire,
  RetryOptions,
} from "./options";

// Certificate and PKCS#12 inspection for scripts and tools (what `entra-edge thumbprint` prints).
export {
  readCertificates,
  readPkcs12,
  type CertificateInfo,
  type CertificateThumbprints,
  type Pkcs12Bundle,
} from "./keys/certificate-info";
