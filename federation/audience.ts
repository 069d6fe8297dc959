/**
 * The audience Entra expects in a federated token, by the cloud of the token endpoint the
 * assertion is sent to: `api://AzureADTokenExchange` in the public cloud (and for any host that
 * is not an Entra cloud), `api://AzureADTokenExchangeUSGov` in Azure Government,
 * `api://AzureADTokenExchangeChina` in Azure operated by 21Vianet.
 *
 * @module
 */

import { cloudOfHost, knownClouds, type EntraCloud } from "../src/authority/cloud";

const publicAudience = "api://AzureADTokenExchange";

const audienceByNetworkHost: Readonly<Record<string, string>> = {
  "login.microsoftonline.us": "api://AzureADTokenExchangeUSGov",
  "login-us.microsoftonline.com": "api://AzureADTokenExchangeUSGov",
  "login.partner.microsoftonline.cn": "api://AzureADTokenExchangeChina",
};

/** The cloud of a host: an alias, or a regional host `{region}.{regional host of the cloud}`. */
function cloudOf(host: string): EntraCloud | undefined {
  const lower = host.toLowerCase();
  const alias = cloudOfHost(lower);
  if (alias !== undefined) return alias;
  const regional = lower.slice(lower.indexOf(".") + 1);
  return knownClouds().find((cloud) => cloud.regionalHost === regional);
}

/** The default audience of a federated token sent to `tokenEndpoint`. */
export function defaultAudience(tokenEndpoint: string): string {
  let host: string;
  try {
    host = new URL(tokenEndpoint).hostname;
  } catch {
    return publicAudience;
  }
  const cloud = cloudOf(host);
  return (cloud && audienceByNetworkHost[cloud.networkHost]) ?? publicAudience;
}
