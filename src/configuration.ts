/**
 * The option checks and defaults: turns what the user wrote (entra-edge's options or
 * msal-node's configuration) into the checked settings an application runs with. Every invalid
 * option is a `ClientError` here, before any I/O.
 *
 * @module
 */

import {
  isTenantShaped,
  parseAuthority,
  parseOidcAuthority,
  type Authority,
} from "./authority/authority";
import { cloudOfHost, hostOfCloudInstance } from "./authority/cloud";
import { applicationKeyPrefix } from "./cache/cache-key";
import { DistributedTokenCache, type DistributedCacheOptions } from "./cache/distributed-cache";
import type { MemoryCacheLimits } from "./cache/memory-token-cache";
import type { CertificateLoader, CertificateOptions } from "./credentials/certificate";
import type { CredentialSpec } from "./credentials/credential-spec";
import { ClientError } from "./errors";
import { encodeBase64 } from "./internal/base64";
import { objectId } from "./internal/object-id";
import type { CacheAdapter } from "./cache/cache-adapter";
import { Log } from "./logger";
import {
  fromMsalNodeConfiguration,
  isMsalNodeConfiguration,
  type MsalNodeConfiguration,
} from "./msal/msal-configuration";
import type {
  AcquisitionObserver,
  ConfidentialClientApplicationOptions,
  OnAcquire,
  RetryOptions,
} from "./options";

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
  /** The `onAcquire` hook as an observer (a plain function is its `onSuccess`), if any. */
  readonly observer: AcquisitionObserver | undefined;
  readonly onBeforeTokenRequest: ConfidentialClientApplicationOptions["onBeforeTokenRequest"];
  readonly credential: CredentialSpec;
  /**
   * Names the L2 store and its encryption (empty without L2): applications share their state
   * only when their tokens go to the same store under the same keys.
   */
  readonly cacheIdentity: string;
  readonly memoryCache: MemoryCacheLimits & { shared?: boolean };
  /** OIDC only: a discovered token endpoint may be on another origin than the issuer. */
  readonly allowTokenEndpointOnOtherOrigin: boolean;
}

/** The default `fetch`: one function, so that applications built per request can share state. */
const globalFetch: typeof fetch = (input, init) => globalThis.fetch(input, init);
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
  const timeoutMs = milliseconds(options.timeoutMs, defaultTimeoutMs, "timeoutMs");
  const retry = retryOf(options.retry, timeoutMs);
  const marginSeconds = options.expiryMarginSeconds ?? defaultExpiryMarginSeconds;
  if (typeof marginSeconds !== "number" || !(marginSeconds >= 0 && marginSeconds <= 86_400))
    throw invalidNumber("expiryMarginSeconds", "a number of seconds from 0 to 86,400");
  if (options.cache !== undefined) checkCacheOptions(options.cacheOptions ?? {}, timeoutMs);
  // L2 is shared with other applications: its keys start with the cloud, client id and token type.
  const l2KeyPrefix = applicationKeyPrefix(authority, clientId);
  return {
    clientId,
    authority,
    region,
    fetch: options.fetch ?? globalFetch,
    log,
    now: options.now ?? Date.now,
    timeoutMs,
    retry,
    marginMs: marginSeconds * 1000,
    l2:
      options.cache === undefined
        ? undefined
        : new DistributedTokenCache(options.cache, options.cacheOptions ?? {}, log, l2KeyPrefix),
    capabilities: capabilitiesOf(options.clientCapabilities),
    observer: observerOf(options.onAcquire),
    onBeforeTokenRequest: callbackOf(options.onBeforeTokenRequest, "onBeforeTokenRequest"),
    credential: credentialSpecOf(options),
    cacheIdentity:
      options.cache === undefined ? "" : cacheIdentityOf(options.cache, options.cacheOptions),
    memoryCache: options.memoryCache ?? {},
    allowTokenEndpointOnOtherOrigin: flagOf(options.allowTokenEndpointOnOtherOrigin),
  };
}

function callbackOf<T>(callback: T | undefined, name: string): T | undefined {
  if (callback === undefined || typeof callback === "function") return callback;
  throw new ClientError("invalid_configuration", `${name} must be a function.`);
}

/** The hook as an observer: a function is the success callback (never called for a failure). */
function observerOf(onAcquire: OnAcquire | undefined): AcquisitionObserver | undefined {
  if (onAcquire === undefined) return undefined;
  if (typeof onAcquire === "function") return { onSuccess: onAcquire };
  const callback = (value: unknown): boolean => value === undefined || typeof value === "function";
  if (
    typeof onAcquire !== "object" ||
    onAcquire === null ||
    !callback(onAcquire.onSuccess) ||
    !callback(onAcquire.onFailure) ||
    (onAcquire.onSuccess === undefined && onAcquire.onFailure === undefined)
  )
    throw new ClientError(
      "invalid_configuration",
      "onAcquire must be a function (called after each successful acquisition) or an object with an onSuccess and/or onFailure function.",
    );
  return onAcquire;
}

function flagOf(value: unknown): boolean {
  if (value === undefined || typeof value === "boolean") return value === true;
  throw new ClientError(
    "invalid_configuration",
    "allowTokenEndpointOnOtherOrigin must be true or false.",
  );
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
  // Checked as a request's tenant is, before it becomes part of a URL: "a/../b" must not become "b".
  if (options.tenantId !== undefined && !isTenantShaped(options.tenantId))
    throw new ClientError(
      "invalid_tenant",
      `The tenantId option ${JSON.stringify((options.tenantId as string).slice(0, 80))} is not a tenant id: give the directory (tenant) GUID or a verified domain such as contoso.onmicrosoft.com.`,
    );
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
    certificate: options.certificate as CertificateOptions | CertificateLoader,
    clientClaims:
      claims === undefined
        ? undefined
        : { claims: claims.claims, mergeWithDefaultClaims: claims.mergeWithDefaultClaims ?? true },
  };
}

function cacheIdentityOf(adapter: CacheAdapter, options: DistributedCacheOptions = {}): string {
  const keys = options.encryption?.keys ?? [];
  const keyIdentity = keys.map(({ id, key }) => {
    if (typeof key === "string") return `${String(id)}:${key}`;
    if (key instanceof Uint8Array) return `${String(id)}:${encodeBase64(key)}`;
    return `${String(id)}:#${typeof key === "object" && key !== null ? objectId(key) : ""}`;
  });
  return `${objectId(adapter)}\u0000${keyIdentity.join(",")}`;
}

/** The longest delay timers take (2^31-1 ms, about 24.8 days); a longer one would fire at once. */
const maxTimerMs = 2 ** 31 - 1;
/** Retries beyond this only lengthen an outage for the caller and the service. */
const maxRetries = 10;

function retryOf(
  retry: ConfidentialClientApplicationOptions["retry"],
  timeoutMs: number,
): Required<RetryOptions> {
  const given = retry === false ? { maxRetries: 0 } : (retry ?? {});
  const count = given.maxRetries ?? 1;
  if (!Number.isInteger(count) || count < 0 || count > maxRetries)
    throw invalidNumber("retry.maxRetries", `a whole number from 0 to ${maxRetries}`);
  const delayMs = given.delayMs ?? 1000;
  if (typeof delayMs !== "number" || !(delayMs >= 0 && delayMs <= maxTimerMs))
    throw invalidNumber("retry.delayMs", `a number of milliseconds from 0 to ${maxTimerMs}`);
  return {
    maxRetries: count,
    delayMs,
    attemptTimeoutMs: milliseconds(
      given.attemptTimeoutMs,
      count === 0 ? timeoutMs : timeoutMs / 2,
      "retry.attemptTimeoutMs",
    ),
  };
}

/** The L2 store timeout and lease duration are timers too, and a store call must fit in an acquisition. */
function checkCacheOptions(options: DistributedCacheOptions, timeoutMs: number): void {
  const storeTimeoutMs = milliseconds(options.timeoutMs, 1000, "cacheOptions.timeoutMs");
  if (typeof options.lease === "object" && options.lease !== null)
    milliseconds(options.lease.ttlMs, 1, "cacheOptions.lease.ttlMs");
  if (timeoutMs <= storeTimeoutMs)
    throw new ClientError(
      "invalid_configuration",
      `timeoutMs (${timeoutMs}) must be above the cache store timeout (cacheOptions.timeoutMs, ${storeTimeoutMs}): an acquisition that misses the store still needs time for the token request.`,
    );
}

/** A timer length in milliseconds: positive and at most 2^31-1. */
function milliseconds(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value > 0 && value <= maxTimerMs))
    throw invalidNumber(name, `a number of milliseconds above 0 and at most ${maxTimerMs}`);
  return value;
}

function invalidNumber(name: string, expected: string): ClientError {
  return new ClientError("invalid_configuration", `The option ${name} must be ${expected}.`);
}
