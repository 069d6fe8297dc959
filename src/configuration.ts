/**
 * The option checks and defaults: turns what the user wrote (entra-edge's options or
 * msal-node's configuration) into the checked settings an application runs with. Every invalid
 * option is a `ClientError` here, before any I/O.
 *
 * @module
 */

import { parseAuthority, parseOidcAuthority, type Authority } from "./authority/authority";
import { cloudOfHost, hostOfCloudInstance } from "./authority/cloud";
import { cacheKeyPrefix } from "./cache/cache-key";
import { DistributedTokenCache } from "./cache/distributed-cache";
import type { MemoryCacheLimits } from "./cache/memory-token-cache";
import type { CertificateOptions } from "./credentials/certificate";
import type { CredentialSpec } from "./credentials/credential-spec";
import { ClientError } from "./errors";
import { Log } from "./logger";
import {
  fromMsalNodeConfiguration,
  isMsalNodeConfiguration,
  type MsalNodeConfiguration,
} from "./msal/msal-configuration";
import type { ConfidentialClientApplicationOptions, RetryOptions } from "./options";

/** The checked settings of one application, with every default filled in. */
export interface ApplicationConfiguration {
  readonly clientId: string;
  readonly authority: Authority;
  /** The application's Azure region, lower case; `undefined` for the global endpoints. */
  readonly region: string | undefined;
  readonly fetch: typeof fetch;
  readonly log: Log;
  readonly now: () => number;
  /** Deadline of one acquisition, in milliseconds. */
  readonly timeoutMs: number;
  readonly retry: Required<RetryOptions>;
  /** A cached token is not served within this many milliseconds of its expiry. */
  readonly marginMs: number;
  /** The L2 cache, with this application's key prefix. */
  readonly l2: DistributedTokenCache | undefined;
  readonly capabilities: readonly string[];
  readonly onAcquire: ConfidentialClientApplicationOptions["onAcquire"];
  readonly credential: CredentialSpec;
  readonly memoryCache: MemoryCacheLimits & { shared?: boolean };
}

const defaultTimeoutMs = 30_000;
const defaultExpiryMarginSeconds = 300;

/**
 * Checks `configuration` and fills in the defaults.
 * @throws ClientError for any invalid option.
 */
export function resolveConfiguration(
  configuration: ConfidentialClientApplicationOptions | MsalNodeConfiguration,
): ApplicationConfiguration {
  if (typeof configuration !== "object" || configuration === null)
    throw new ClientError(
      "invalid_configuration",
      "Pass an options object with at least clientId and a credential.",
    );
  const options = isMsalNodeConfiguration(configuration)
    ? fromMsalNodeConfiguration(configuration)
    : configuration;
  if (typeof options.clientId !== "string" || options.clientId.trim() === "") {
    throw new ClientError(
      "invalid_client_id",
      "The client id is empty: pass the application (client) id from the app registration.",
    );
  }
  const clientId = options.clientId;
  const authority = authorityOf(options);
  const region = regionOf(options.azureRegion, authority);
  const log = new Log(options.logger, options.logging);
  const timeoutMs = positive(options.timeoutMs, defaultTimeoutMs, "timeoutMs");
  const retry = options.retry === false ? { maxRetries: 0 } : (options.retry ?? {});
  // L2 is shared with other applications: its keys start with the cloud, client id and token type.
  const l2KeyPrefix = cacheKeyPrefix(authority.cacheEnvironment, clientId);
  return {
    clientId,
    authority,
    region,
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    log,
    now: options.now ?? Date.now,
    timeoutMs,
    retry: {
      maxRetries: retry.maxRetries ?? 1,
      delayMs: retry.delayMs ?? 1000,
      attemptTimeoutMs:
        retry.attemptTimeoutMs ?? (retry.maxRetries === 0 ? timeoutMs : timeoutMs / 2),
    },
    marginMs: (options.expiryMarginSeconds ?? defaultExpiryMarginSeconds) * 1000,
    l2:
      options.cache === undefined
        ? undefined
        : new DistributedTokenCache(options.cache, options.cacheOptions ?? {}, log, l2KeyPrefix),
    capabilities: capabilitiesOf(options.clientCapabilities),
    onAcquire: options.onAcquire,
    credential: credentialSpecOf(options),
    memoryCache: options.memoryCache ?? {},
  };
}

function authorityOf(options: ConfidentialClientApplicationOptions): Authority {
  if (options.oidcIssuer !== undefined) {
    if (options.authority !== undefined)
      throw new ClientError(
        "invalid_configuration",
        "Give either an Entra/ADFS authority or an OIDC issuer, not both.",
      );
    return parseOidcAuthority(options.oidcIssuer);
  }
  if (options.tenantId !== undefined && typeof options.tenantId !== "string") {
    // Checked before it meets a template string, where an object without a usable toString throws a TypeError.
    throw new ClientError(
      "invalid_tenant",
      `The tenantId option is a ${typeof options.tenantId}, not a string: give the directory (tenant) GUID or a verified domain.`,
    );
  }
  if (options.authority !== undefined) {
    const authority = parseAuthority(options.authority);
    if (options.tenantId === undefined || authority.kind !== "entra") return authority;
    return parseAuthority(`${authority.origin}/${options.tenantId}`);
  }
  const host = hostOfCloudInstance(options.azureCloudInstance ?? "AzurePublic");
  if (host === undefined)
    throw new ClientError(
      "invalid_authority",
      `Unknown cloud instance ${String(options.azureCloudInstance)}: use a value of AzureCloudInstance.`,
    );
  return parseAuthority(`https://${host}/${options.tenantId ?? "organizations"}`);
}

/**
 * Checks an Azure region name (the application's or a request's) against the authority.
 * @throws ClientError `invalid_region`
 */
export function regionOf(region: string | undefined, authority: Authority): string | undefined {
  if (region === undefined) return undefined;
  if (!/^[a-z0-9]{1,40}$/i.test(region)) {
    throw new ClientError(
      "invalid_region",
      `The Azure region ${JSON.stringify(region.slice(0, 60))} is not a region name: use the short name, e.g. "westus" or "eastus2".`,
    );
  }
  if (authority.kind !== "entra" || cloudOfHost(authority.host) === undefined) {
    throw new ClientError(
      "invalid_region",
      "Regional endpoints exist only for the Entra ID clouds (login.microsoftonline.com and the sovereign clouds): remove withAzureRegion.",
    );
  }
  return region.toLowerCase();
}

function capabilitiesOf(capabilities: readonly string[] | undefined): readonly string[] {
  if (capabilities === undefined) return [];
  if (
    !Array.isArray(capabilities) ||
    capabilities.some((capability) => typeof capability !== "string" || capability === "")
  ) {
    throw new ClientError(
      "invalid_configuration",
      'Client capabilities must be a list of names, e.g. ["cp1"].',
    );
  }
  return [...capabilities];
}

function credentialSpecOf(options: ConfidentialClientApplicationOptions): CredentialSpec {
  const given = [options.clientSecret, options.certificate, options.clientAssertion].filter(
    (value) => value !== undefined,
  ).length;
  if (given !== 1) {
    throw new ClientError(
      "invalid_configuration",
      given === 0
        ? "No credential was given: use withClientSecret, withCertificate or withClientAssertion."
        : "More than one credential was given: use exactly one of withClientSecret, withCertificate and withClientAssertion.",
    );
  }
  if (options.clientSecret !== undefined) return { kind: "secret", secret: options.clientSecret };
  if (options.clientAssertion !== undefined)
    return { kind: "assertion", assertion: options.clientAssertion };
  const claims = options.clientClaims;
  return {
    kind: "certificate",
    certificate: options.certificate as CertificateOptions,
    clientClaims:
      claims === undefined
        ? undefined
        : { claims: claims.claims, mergeWithDefaultClaims: claims.mergeWithDefaultClaims ?? true },
  };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new ClientError(
      "invalid_configuration",
      `${name} must be a positive number of milliseconds.`,
    );
  return value;
}
