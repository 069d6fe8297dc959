/**
 * msal-node's configuration object, the subset that matters for the client credentials flow,
 * turned into entra-edge options: moving from `@azure/msal-node` is an import change.
 *
 * @module
 */

import type { ConfidentialClientApplicationOptions } from "../options";
import type { CertificateOptions } from "../credentials/certificate";
import type { ClientAssertion } from "../credentials/client-assertion";
import { ClientError } from "../errors";
import type { Logger, LogLevel } from "../logger";

/**
 * The msal-node `Configuration` fields entra-edge understands.
 *
 * @example
 * ```ts
 * const app = new ConfidentialClientApplication({
 *   auth: { clientId, authority: `https://login.microsoftonline.com/${tenantId}`, clientSecret },
 * });
 * ```
 */
export interface MsalNodeConfiguration {
  auth: {
    clientId: string;
    authority?: string;
    clientSecret?: string;
    clientCertificate?: {
      thumbprint?: string;
      thumbprintSha256?: string;
      privateKey: string;
      x5c?: string;
    };
    clientAssertion?: ClientAssertion;
    clientCapabilities?: string[];
    /** Accepted for compatibility: entra-edge builds Entra endpoints by template and trusts the configured host. */
    knownAuthorities?: string[];
    /** Accepted for compatibility (see `knownAuthorities`). */
    cloudDiscoveryMetadata?: string;
    /** Accepted for compatibility (see `knownAuthorities`). */
    authorityMetadata?: string;
    azureCloudOptions?: { azureCloudInstance: string; tenant?: string };
  };
  system?: {
    loggerOptions?: {
      /** Receives msal's log level (Error 0 ... Trace 4), the line, and whether it holds personal data. */
      loggerCallback?: (level: number, message: string, containsPii: boolean) => void;
      piiLoggingEnabled?: boolean;
      logLevel?: number;
    };
  };
  /** msal-node cache options (plugins) are not used: use `withCache` adapters instead. */
  cache?: unknown;
}

/** Whether `options` is an msal-node configuration rather than entra-edge options. */
export function isMsalNodeConfiguration(options: object): options is MsalNodeConfiguration {
  return "auth" in options && typeof (options as { auth: unknown }).auth === "object";
}

const msalCloudHosts: Record<string, string> = {
  "https://login.microsoftonline.com": "AzurePublic",
  "https://login.chinacloudapi.cn": "AzureChina",
  "https://login.microsoftonline.us": "AzureUsGovernment",
  "https://login.microsoftonline.de": "AzureGermany",
};

/** Converts an msal-node configuration. @throws ClientError for fields it cannot honour. */
export function fromMsalNodeConfiguration(
  configuration: MsalNodeConfiguration,
): ConfidentialClientApplicationOptions {
  const auth = configuration.auth;
  const options: ConfidentialClientApplicationOptions = { clientId: auth.clientId };
  if (
    auth.azureCloudOptions !== undefined &&
    auth.azureCloudOptions.azureCloudInstance !== "None"
  ) {
    const origin = auth.azureCloudOptions.azureCloudInstance;
    options.authority = `${origin.replace(/\/+$/, "")}/${auth.azureCloudOptions.tenant ?? "organizations"}`;
    if (msalCloudHosts[origin.replace(/\/+$/, "")] === undefined) {
      throw new ClientError(
        "invalid_authority",
        `Unknown azureCloudInstance ${JSON.stringify(origin)}: use an AzureCloudInstance URL or authority.`,
      );
    }
  } else if (auth.authority !== undefined) {
    options.authority = auth.authority;
  } else {
    options.authority = "https://login.microsoftonline.com/common";
  }
  if (auth.clientSecret !== undefined) options.clientSecret = auth.clientSecret;
  if (auth.clientAssertion !== undefined) options.clientAssertion = auth.clientAssertion;
  if (auth.clientCertificate !== undefined)
    options.certificate = certificateOf(auth.clientCertificate);
  if (auth.clientCapabilities !== undefined) options.clientCapabilities = auth.clientCapabilities;
  const logger = configuration.system?.loggerOptions;
  if (logger?.loggerCallback !== undefined) {
    options.logger = callbackLogger(logger.loggerCallback);
    options.logging = {
      level: levelOf(logger.logLevel),
      piiLoggingEnabled: logger.piiLoggingEnabled ?? false,
    };
  }
  return options;
}

function certificateOf(
  certificate: NonNullable<MsalNodeConfiguration["auth"]["clientCertificate"]>,
): CertificateOptions {
  // With the chain (x5c), the certificate itself is known: check the key against it and send it.
  if (certificate.x5c !== undefined)
    return { privateKey: certificate.privateKey, certificate: certificate.x5c, sendX5c: true };
  return {
    privateKey: certificate.privateKey,
    ...(certificate.thumbprintSha256 === undefined
      ? {}
      : { thumbprintSha256: certificate.thumbprintSha256 }),
    ...(certificate.thumbprint === undefined ? {} : { thumbprint: certificate.thumbprint }),
  };
}

/** msal's LogLevel numbers: Error 0, Warning 1, Info 2, Verbose 3, Trace 4. */
function levelOf(level: number | undefined): LogLevel {
  if (level === undefined || level === 2) return "info";
  if (level <= 0) return "error";
  if (level === 1) return "warning";
  return "verbose";
}

function callbackLogger(
  callback: (level: number, message: string, containsPii: boolean) => void,
): Logger {
  return {
    error: (message) => callback(0, message, false),
    warn: (message) => callback(1, message, false),
    info: (message) => callback(2, message, false),
    debug: (message) => callback(3, message, false),
  };
}
