/**
 * Which hosts the emulator answers on: every Entra ID alias host of the public and sovereign
 * clouds, their regional forms, loopback origins (so the emulator can sit behind a real socket),
 * and an optional ADFS host.
 *
 * @module
 */

/** One Entra ID cloud as instance discovery and the OpenID configuration describe it. */
export interface Cloud {
  /** The host MSAL sends requests to. */
  readonly preferredNetwork: string;
  /** The host MSAL writes into its cache `environment`. */
  readonly preferredCache: string;
  /** Every host of this cloud, `preferredNetwork` first. */
  readonly aliases: readonly string[];
  /** `cloud_instance_name` of the OpenID configuration. */
  readonly instanceName: string;
  /** `cloud_graph_host_name` of the OpenID configuration (Azure AD Graph). */
  readonly graphHost: string;
  /** `msgraph_host` of the OpenID configuration. */
  readonly msGraphHost: string;
}

/** The clouds in the order instance discovery lists them (docs/protocol.md §1.1, §6.1). */
export const CLOUDS: readonly Cloud[] = [
  {
    preferredNetwork: "login.microsoftonline.com",
    preferredCache: "login.windows.net",
    aliases: [
      "login.microsoftonline.com",
      "login.windows.net",
      "login.microsoft.com",
      "sts.windows.net",
    ],
    instanceName: "microsoftonline.com",
    graphHost: "graph.windows.net",
    msGraphHost: "graph.microsoft.com",
  },
  {
    preferredNetwork: "login.partner.microsoftonline.cn",
    preferredCache: "login.partner.microsoftonline.cn",
    aliases: ["login.partner.microsoftonline.cn", "login.chinacloudapi.cn"],
    instanceName: "partner.microsoftonline.cn",
    graphHost: "graph.chinacloudapi.cn",
    msGraphHost: "microsoftgraph.chinacloudapi.cn",
  },
  {
    preferredNetwork: "login.microsoftonline.de",
    preferredCache: "login.microsoftonline.de",
    aliases: ["login.microsoftonline.de"],
    instanceName: "microsoftonline.de",
    graphHost: "graph.cloudapi.de",
    msGraphHost: "graph.microsoft.de",
  },
  {
    preferredNetwork: "login.microsoftonline.us",
    preferredCache: "login.microsoftonline.us",
    aliases: ["login.microsoftonline.us", "login.usgovcloudapi.net"],
    instanceName: "microsoftonline.us",
    graphHost: "graph.windows.net",
    msGraphHost: "graph.microsoft.us",
  },
  {
    preferredNetwork: "login-us.microsoftonline.com",
    preferredCache: "login-us.microsoftonline.com",
    aliases: ["login-us.microsoftonline.com"],
    instanceName: "microsoftonline.us",
    graphHost: "graph.windows.net",
    msGraphHost: "graph.microsoft.com",
  },
];

/** The public cloud, which also describes loopback origins. */
const PUBLIC_CLOUD = CLOUDS[0] as Cloud;

/** The only public-cloud host with regional forms (`{region}.login.microsoft.com`). */
const PUBLIC_REGIONAL_BASE = "login.microsoft.com";

const LOOPBACK_HOSTNAMES = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** What a request's origin is, as far as the emulator is concerned. */
export type HostRole =
  /** An Entra ID host (alias, regional or loopback). */
  | {
      readonly kind: "entra";
      readonly cloud: Cloud;
      readonly region: string | undefined;
      readonly loopback: boolean;
    }
  /** The configured ADFS host. */
  | { readonly kind: "adfs" }
  /** Any other host: the emulator answers like an unresolvable name. */
  | { readonly kind: "unknown" };

/** Returns the cloud one of whose alias hosts is `host`, if any. */
export function cloudOfAlias(host: string): Cloud | undefined {
  return CLOUDS.find((cloud) => cloud.aliases.includes(host));
}

/** Whether `url` is a loopback origin (`127.0.0.1`, `localhost` or `[::1]`, any port, http or https). */
export function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTNAMES.has(url.hostname);
}

/**
 * Classifies the origin of `url`. Named Entra hosts only answer over `https:`; loopback origins
 * answer over `http:` and `https:` on any port. `adfsHost` (host and optional port, `https:`
 * unless it is a loopback host) wins over every other rule.
 */
export function classifyHost(url: URL, adfsHost: string | undefined): HostRole {
  if (
    adfsHost !== undefined &&
    url.host === adfsHost &&
    (url.protocol === "https:" || isLoopback(url))
  ) {
    return { kind: "adfs" };
  }
  if (isLoopback(url))
    return { kind: "entra", cloud: PUBLIC_CLOUD, region: undefined, loopback: true };
  if (url.protocol !== "https:" || url.port !== "") return { kind: "unknown" };
  const host = url.hostname;
  const cloud = cloudOfAlias(host);
  if (cloud) return { kind: "entra", cloud, region: undefined, loopback: false };
  const dot = host.indexOf(".");
  const region = host.slice(0, dot);
  const base = host.slice(dot + 1);
  if (dot > 0 && /^[a-z0-9]+$/.test(region)) {
    if (base === PUBLIC_REGIONAL_BASE)
      return { kind: "entra", cloud: PUBLIC_CLOUD, region, loopback: false };
    const sovereign = cloudOfAlias(base);
    if (sovereign && sovereign !== PUBLIC_CLOUD) {
      return { kind: "entra", cloud: sovereign, region, loopback: false };
    }
  }
  return { kind: "unknown" };
}
