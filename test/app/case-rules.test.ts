// Cache keys fold case only where the identity provider does: a generic OIDC server's client ids,
// issuer paths and scopes are exact (two of them never share a token), Entra's hosts, tenants,
// GUID client ids and `.default` resources are not; and the L1 fast path never serves a tenant
// that the slow path would refuse or key differently.
import { describe, expect, it } from "vitest";
import { memoryCache } from "../../adapters/memory";
import { applicationKeyPrefix, tokenCacheKey } from "../../src/cache/cache-key";
import { ClientError, ConfidentialClientApplicationBuilder, TokenSource } from "../../src/index";
import { scopesCacheKey } from "../../src/request/scopes";
import { builder, clientId, emulator, graph, secret, tenantA } from "./setup";

/** A generic OIDC server on a custom fetch that issues a distinct token per request and records who asked. */
function oidcServer() {
  const requests: { issuer: string; clientId: string; scope: string }[] = [];
  const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const discovery = url.pathname.match(/^(.*)\/\.well-known\/openid-configuration$/);
    if (discovery !== null) {
      const issuer = `${url.origin}${discovery[1]}`;
      return Response.json({ issuer, token_endpoint: `${issuer}/token` });
    }
    if (url.pathname.endsWith("/token")) {
      const form = new URLSearchParams(String(init?.body));
      const request = {
        issuer: `${url.origin}${url.pathname.slice(0, -"/token".length)}`,
        clientId: form.get("client_id") ?? "",
        scope: form.get("scope") ?? "",
      };
      requests.push(request);
      return Response.json({
        token_type: "Bearer",
        expires_in: 3600,
        access_token: `token-${requests.length}-${request.clientId}-${request.scope}`,
      });
    }
    throw new TypeError("fetch failed");
  }) as typeof fetch;
  return { fetcher, requests };
}

describe("cache key case rules", () => {
  it("keeps OIDC client ids apart that differ only in case (shared L2 too)", async () => {
    const server = oidcServer();
    const store = memoryCache();
    const app = (id: string) =>
      ConfidentialClientApplicationBuilder.create(id)
        .withClientSecret(secret)
        .withOidcAuthority("https://issuer.test/realms/prod")
        .withHttpClient(server.fetcher)
        .withCache(store)
        .withMemoryCache({ shared: false })
        .build();
    const upper = await app("Reporting").acquireTokenForClient(["orders:read"]);
    const lower = await app("reporting").acquireTokenForClient(["orders:read"]);
    expect(upper.accessToken).toContain("-Reporting-");
    expect(lower.accessToken).toContain("-reporting-");
    expect(lower.authenticationResultMetadata.tokenSource).toBe(TokenSource.IdentityProvider);
    expect(server.requests.map((request) => request.clientId)).toEqual(["Reporting", "reporting"]);
  });

  it("keeps OIDC issuer paths apart that differ only in case", async () => {
    const server = oidcServer();
    const store = memoryCache();
    const app = (issuer: string) =>
      ConfidentialClientApplicationBuilder.create("reporting")
        .withClientSecret(secret)
        .withOidcAuthority(issuer)
        .withHttpClient(server.fetcher)
        .withCache(store)
        .build();
    const prod = await app("https://issuer.test/realms/Prod").acquireTokenForClient(["api"]);
    const other = await app("https://issuer.test/realms/prod").acquireTokenForClient(["api"]);
    expect(prod.accessToken).not.toBe(other.accessToken);
    expect(server.requests.map((request) => request.issuer)).toEqual([
      "https://issuer.test/realms/Prod",
      "https://issuer.test/realms/prod",
    ]);
  });

  it("keeps OIDC scopes apart that differ only in case", async () => {
    const server = oidcServer();
    const app = ConfidentialClientApplicationBuilder.create("reporting")
      .withClientSecret(secret)
      .withOidcAuthority("https://issuer.test")
      .withHttpClient(server.fetcher)
      .withMemoryCache({ shared: false })
      .build();
    const admin = await app.acquireTokenForClient(["orders:Admin"]);
    const lower = await app.acquireTokenForClient(["orders:admin"]);
    const again = await app.acquireTokenForClient(["orders:Admin"]);
    expect(admin.accessToken).toContain("orders:Admin");
    expect(lower.accessToken).toContain("orders:admin");
    expect(again.accessToken).toBe(admin.accessToken);
    expect(server.requests).toHaveLength(2);
  });

  it("folds Entra's GUID client ids, hosts and .default resources as Entra does", () => {
    const entra = { kind: "entra", cacheEnvironment: "login.microsoftonline.com" } as const;
    expect(applicationKeyPrefix(entra, clientId.toUpperCase())).toBe(
      applicationKeyPrefix(entra, clientId),
    );
    expect(scopesCacheKey(["HTTPS://Graph.Microsoft.com/.default"], "entra")).toBe(
      "https://graph.microsoft.com/.default",
    );
    const oidc = { kind: "oidc", cacheEnvironment: "https://issuer.test" } as const;
    expect(applicationKeyPrefix(oidc, "Reporting")).not.toBe(
      applicationKeyPrefix(oidc, "reporting"),
    );
    expect(scopesCacheKey(["orders:Admin"], "oidc")).toBe("orders:Admin");
    // ASCII-only: the KELVIN SIGN stays itself instead of becoming "k".
    expect(scopesCacheKey(["https://\u212Aey.test/.default"], "entra")).toBe(
      "https://\u212Aey.test/.default",
    );
  });

  it("serves an Entra token to a case variant of its tenant and GUID client id", async () => {
    const entra = await emulator();
    const app = builder(entra.fetch).withClientSecret(secret).build();
    const first = await app.acquireTokenForClient(graph).withTenantId("contoso.onmicrosoft.com");
    const second = await app.acquireTokenForClient(graph).withTenantId("Contoso.OnMicrosoft.com");
    expect(second.accessToken).toBe(first.accessToken);
    expect(second.authenticationResultMetadata.tokenSource).toBe(TokenSource.Cache);
    expect(tokenCacheKey("", "Contoso.com", "s")).toBe(tokenCacheKey("", "contoso.com", "s"));
  });

  it("never serves a cached tenant's token to a Unicode look-alike from the fast path", async () => {
    const entra = await emulator({ tenants: [{ id: tenantA, domains: ["kontoso.com"] }] });
    const app = builder(entra.fetch).withClientSecret(secret).build();
    await app.acquireTokenForClient(graph).withTenantId("kontoso.com");
    await app.acquireTokenForClient(graph).withTenantId("kontoso.com"); // now on the fast path
    const lookAlike = app.acquireTokenForClient(graph).withTenantId("\u212Aontoso.com");
    await expect(lookAlike).rejects.toBeInstanceOf(ClientError);
    await expect(lookAlike).rejects.toMatchObject({ code: "invalid_tenant" });
  });
});
