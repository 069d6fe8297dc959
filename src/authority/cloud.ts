/**
 * The Entra ID clouds: their host aliases, the host MSAL sends requests to (`preferred_network`)
 * and the name MSAL writes in its caches (`preferred_cache`). Aliases of one cloud are one cloud:
 * a token fetched through `login.windows.net` is a cache hit for `login.microsoftonline.com`.
 *
 * @module
 */

/**
 * The Azure clouds, named as in MSAL.NET's `AzureCloudInstance`.
 *
 * @example
 * ```ts
 * ConfidentialClientApplicationBuilder.create(clientId)
 *   .withAuthority(AzureCloudInstance.AzureUsGovernment, tenantId)
 * ```
 */
export const AzureCloudInstance = {
  /** Microsoft Entra ID, public cloud: `login.microsoftonline.com`. */
  AzurePublic: "AzurePublic",
  /** Microsoft Azure operated by 21Vianet: `login.partner.microsoftonline.cn`. */
  AzureChina: "AzureChina",
  /** Azure Government: `login.microsoftonline.us`. */
  AzureUsGovernment: "AzureUsGovernment",
  /** The retired Azure Germany cloud: `login.microsoftonline.de` (legacy). */
  AzureGermany: "AzureGermany",
} as const;

/** One of {@link AzureCloudInstance}'s values. */
export type AzureCloudInstance = (typeof AzureCloudInstance)[keyof typeof AzureCloudInstance];

/** What entra-edge knows about one Entra cloud. */
export interface EntraCloud {
  /** The host requests are sent to (MSAL's `preferred_network`). */
  readonly networkHost: string;
  /** The host MSAL writes as `environment` in its caches (MSAL's `preferred_cache`). */
  readonly cacheHost: string;
  /** Every host that names this cloud. */
  readonly aliases: readonly string[];
  /** Host used for regional endpoints: `{region}.{regionalHost}`. */
  readonly regionalHost: string;
}

const clouds: readonly EntraCloud[] = [
  {
    networkHost: "login.microsoftonline.com",
    cacheHost: "login.windows.net",
    aliases: [
      "login.microsoftonline.com",
      "login.windows.net",
      "login.microsoft.com",
      "sts.windows.net",
    ],
    regionalHost: "login.microsoft.com",
  },
  {
    networkHost: "login.partner.microsoftonline.cn",
    cacheHost: "login.partner.microsoftonline.cn",
    aliases: ["login.partner.microsoftonline.cn", "login.chinacloudapi.cn"],
    regionalHost: "login.partner.microsoftonline.cn",
  },
  {
    networkHost: "login.microsoftonline.de",
    cacheHost: "login.microsoftonline.de",
    aliases: ["login.microsoftonline.de"],
    regionalHost: "login.microsoftonline.de",
  },
  {
    networkHost: "login.microsoftonline.us",
    cacheHost: "login.microsoftonline.us",
    aliases: ["login.microsoftonline.us", "login.usgovcloudapi.net"],
    regionalHost: "login.microsoftonline.us",
  },
  {
    networkHost: "login-us.microsoftonline.com",
    cacheHost: "login-us.microsoftonline.com",
    aliases: ["login-us.microsoftonline.com"],
    regionalHost: "login-us.microsoftonline.com",
  },
];

const cloudByAlias = new Map<string, EntraCloud>(
  clouds.flatMap((cloud) => cloud.aliases.map((alias) => [alias, cloud] as const)),
);

/** The known Entra cloud a host belongs to, or `undefined` for any other host. */
export function cloudOfHost(host: string): EntraCloud | undefined {
  return cloudByAlias.get(host.toLowerCase());
}

/** The network host of a named cloud instance. */
export function hostOfCloudInstance(instance: AzureCloudInstance): string {
  switch (instance) {
    case "AzurePublic":
      return "login.microsoftonline.com";
    case "AzureChina":
      return "login.partner.microsoftonline.cn";
    case "AzureUsGovernment":
      return "login.microsoftonline.us";
    case "AzureGermany":
      return "login.microsoftonline.de";
  }
}

/** Every known cloud, for MSAL-compatible instance metadata. */
export function knownClouds(): readonly EntraCloud[] {
  return clouds;
}
