/**
 * MSAL's unified cache JSON for app tokens, both ways: `serialize()` writes what msal-node,
 * MSAL.NET and MSAL Python read (`Account`, `IdToken`, `AccessToken`, `RefreshToken`,
 * `AppMetadata`), and `deserialize()` reads app tokens they wrote, so a cache can move between
 * them. MSAL names the public cloud by its cache alias (`login.windows.net`); every alias of one
 * cloud is one cloud here.
 *
 * @module
 */

import * as v from "valibot";
import { tokenEndpointOf, type Authority } from "../authority/authority";
import { hasBodyParameters, tokenCacheKey } from "../cache/cache-key";
import type { CachedToken } from "../cache/cached-token";
import type { MemoryTokenCache } from "../cache/memory-token-cache";
import { cloudOfHost } from "../authority/cloud";
import { ClientError } from "../errors";
import { scopesCacheKey } from "../request/scopes";

/**
 * msal-node's `TokenCache` surface for app tokens.
 *
 * @example
 * ```ts
 * await redis.set("msal-cache", app.getTokenCache().serialize());
 * app.getTokenCache().deserialize(await redis.get("msal-cache"));
 * ```
 */
export interface TokenCacheSerializer {
  /** The in-memory app tokens as MSAL unified cache JSON. */
  serialize(): string;
  /**
   * Loads app tokens of this client from MSAL unified cache JSON (msal-node, MSAL.NET, MSAL
   * Python); others (user tokens, other clients, other clouds, expired ones) are skipped.
   * @throws ClientError `invalid_cache_record` when `json` is not a cache document.
   */
  deserialize(json: string): void;
}

/** Seconds as MSAL writes them: a string of digits (MSAL.NET and Python may write numbers). */
const seconds = v.pipe(
  v.union([v.string(), v.number()]),
  v.transform(Number),
  v.number(),
  v.finite(),
);

const accessTokenEntity = v.looseObject({
  home_account_id: v.optional(v.string()),
  environment: v.string(),
  credential_type: v.string(),
  client_id: v.string(),
  secret: v.pipe(v.string(), v.nonEmpty()),
  realm: v.optional(v.string()),
  target: v.string(),
  cached_at: v.optional(seconds),
  expires_on: seconds,
  extended_expires_on: v.optional(seconds),
  ext_expires_on: v.optional(seconds),
  refresh_on: v.optional(seconds),
  token_type: v.optional(v.string()),
});

const cacheDocument = v.looseObject({ AccessToken: v.optional(v.record(v.string(), v.unknown())) });

/** The serializer over one application's L1. */
export function tokenCacheSerializer(
  l1: MemoryTokenCache,
  authority: Authority,
  clientId: string,
  now: () => number,
): TokenCacheSerializer {
  const environment =
    authority.kind === "entra"
      ? (cloudOfHost(authority.host)?.cacheHost ?? authority.host)
      : authority.host;
  return {
    serialize() {
      const accessTokens: Record<string, unknown> = {};
      for (const [cacheKey, token] of l1.entries()) {
        // MSAL's cache JSON has no place for extra body parameters: such a token would be read
        // back as one acquired without them.
        if (token.tokenType !== "Bearer" || hasBodyParameters(cacheKey)) continue;
        const realm = token.tenantId ?? "";
        const target = token.scopes.join(" ");
        const key = ["", environment, "accesstoken", clientId, realm, target, ""]
          .join("-")
          .toLowerCase();
        accessTokens[key] = {
          home_account_id: "",
          environment,
          credential_type: "AccessToken",
          client_id: clientId,
          secret: token.accessToken,
          realm,
          target,
          cached_at: secondsOf(token.cachedAt),
          expires_on: secondsOf(token.expiresOn),
          extended_expires_on: secondsOf(token.extendedExpiresOn),
          ...(Number.isFinite(token.refreshOn) ? { refresh_on: secondsOf(token.refreshOn) } : {}),
          token_type: "Bearer",
        };
      }
      return JSON.stringify({
        Account: {},
        IdToken: {},
        AccessToken: accessTokens,
        RefreshToken: {},
        AppMetadata: {},
      });
    },

    deserialize(json) {
      let document: unknown;
      try {
        document = JSON.parse(json);
      } catch {
        throw new ClientError(
          "invalid_cache_record",
          "The token cache is not JSON: pass the string an MSAL serialize() returned.",
        );
      }
      const parsed = v.safeParse(cacheDocument, document);
      if (!parsed.success)
        throw new ClientError(
          "invalid_cache_record",
          "The token cache is not an MSAL cache document (no AccessToken map).",
        );
      const current = now();
      for (const value of Object.values(parsed.output.AccessToken ?? {})) {
        const entity = v.safeParse(accessTokenEntity, value);
        if (!entity.success) continue;
        const token = entity.output;
        if (!isAppToken(token, clientId, environment)) continue;
        const expiresOn = token.expires_on * 1000;
        if (expiresOn <= current) continue;
        const scopes = token.target.split(" ").filter((scope) => scope !== "");
        const tenant = authority.kind === "entra" ? token.realm : undefined;
        const cached: CachedToken = {
          accessToken: token.secret,
          tokenType: "Bearer",
          expiresOn,
          extendedExpiresOn:
            (token.extended_expires_on ?? token.ext_expires_on ?? token.expires_on) * 1000,
          refreshOn: token.refresh_on === undefined ? Infinity : token.refresh_on * 1000,
          cachedAt: (token.cached_at ?? current / 1000) * 1000,
          scopes,
          tenantId: tenant,
          tokenEndpoint: tokenEndpointOf(authority, tenant),
        };
        l1.set(tokenCacheKey("", tenant, scopesCacheKey(scopes, authority.kind)), cached, current);
      }
    },
  };
}

function isAppToken(
  token: v.InferOutput<typeof accessTokenEntity>,
  clientId: string,
  environment: string,
): boolean {
  return (
    (token.home_account_id ?? "") === "" &&
    token.credential_type.toLowerCase() === "accesstoken" &&
    token.client_id.toLowerCase() === clientId.toLowerCase() &&
    (token.token_type === undefined || token.token_type.toLowerCase() === "bearer") &&
    sameCloud(token.environment, environment) &&
    (token.realm === undefined || /^[A-Za-z0-9._-]+$/.test(token.realm))
  );
}

function sameCloud(a: string, b: string): boolean {
  if (a.toLowerCase() === b.toLowerCase()) return true;
  const cloud = cloudOfHost(a);
  return cloud !== undefined && cloud === cloudOfHost(b);
}

function secondsOf(ms: number): string {
  return String(Math.floor(ms / 1000));
}
