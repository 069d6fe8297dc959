/**
 * The token exchange audiences of workload identity federation, one per cloud: the default
 * audience of federated credentials, and the resources whose tokens the emulator issues in the
 * v2.0 shape (as Entra does for `api://AzureADTokenExchange`).
 *
 * @module
 */

import type { Cloud } from "./hosts";

const byInstance: Readonly<Record<string, string>> = {
  "microsoftonline.us": "api://AzureADTokenExchangeUSGov",
  "partner.microsoftonline.cn": "api://AzureADTokenExchangeChina",
};

const all = new Set([
  "api://azureadtokenexchange",
  "api://azureadtokenexchangeusgov",
  "api://azureadtokenexchangechina",
]);

/** The token exchange audience of `cloud`: `api://AzureADTokenExchange`, `…USGov` or `…China`. */
export function tokenExchangeAudience(cloud: Cloud): string {
  return byInstance[cloud.instanceName] ?? "api://AzureADTokenExchange";
}

/** Whether `resource` is a token exchange audience (any cloud, any case, one trailing `/`). */
export function isTokenExchangeResource(resource: string): boolean {
  return all.has(resource.toLowerCase().replace(/\/$/, ""));
}
