/**
 * The issuers of the tokens the emulator itself issues, so that one app's token can be another
 * app's federated assertion (app-to-app federation) and be checked with the emulator's own keys:
 * `https://sts.windows.net/{tenant}/` (v1) and `{Entra host or loopback origin}/{tenant}/v2.0`.
 *
 * @module
 */

import type { Directory } from "./directory";
import { cloudOfAlias, isLoopback } from "./hosts";

/** `iss` of Entra v1 access tokens for `tenantId`. */
export function entraIssuer(tenantId: string): string {
  return `https://sts.windows.net/${tenantId}/`;
}

/** `iss` of Entra v2 access tokens for `tenantId`, on the Entra origin `origin`. */
export function entraV2Issuer(origin: string, tenantId: string): string {
  return `${origin}/${tenantId}/v2.0`;
}

/** Whether `issuer` is a v1 or v2 issuer of a configured tenant. */
export function isOwnIssuer(issuer: string, directory: Directory): boolean {
  const v1 = /^https:\/\/sts\.windows\.net\/([^/]+)\/$/.exec(issuer);
  if (v1) return directory.lookupTenant(v1[1] as string).kind === "tenant";
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return false;
  }
  const path = /^\/([0-9a-fA-F-]{36})\/v2\.0$/.exec(url.pathname);
  const entraOrigin =
    isLoopback(url) ||
    (url.protocol === "https:" && url.port === "" && !!cloudOfAlias(url.hostname));
  return (
    path !== null &&
    entraOrigin &&
    issuer === entraV2Issuer(url.origin, path[1] as string) &&
    directory.lookupTenant(path[1] as string).kind === "tenant"
  );
}
