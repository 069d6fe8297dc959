// Fuzzing the inputs checked before any I/O: authority URLs, OIDC issuers, tenants and scopes.
// Each returns a valid value or throws a ClientError; what passes is safe to put in a URL path and
// a cache key; and the application surface (acquireTokenForClient, the constructor) never lets
// anything but a ClientError out for hostile input.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  assertRequestTenant,
  isTenantShaped,
  parseAuthority,
  parseOidcAuthority,
  tokenEndpointOf,
} from "../../src/authority/authority";
import { ClientError } from "../../src/errors";
import { ConfidentialClientApplication, EntraEdgeError } from "../../src/index";
import { validateScopes } from "../../src/request/scopes";
import { anyCodeUnits, onlyClientError, runs } from "./support";

const hosts = fc.constantFrom(
  "login.microsoftonline.com",
  "LOGIN.Windows.NET",
  "login.microsoftonline.us",
  "login.partner.microsoftonline.cn",
  "sts.windows.net",
  "localhost",
  "127.0.0.1",
  "127.1.2.3",
  "[::1]",
  "[::ffff:127.0.0.1]",
  "0.0.0.0",
  "evil.example",
  "xn--lgin-jua.example",
  "lögin.example",
  "login.microsoftonline.com.evil.example",
  "login.microsoftonline.com@evil.example",
  "login.microsoftonline.com%2F@evil.example",
  "",
  "%00",
  "a b",
);
const segments = fc.oneof(
  fc.constantFrom(
    "72f988bf-86f1-41af-91ab-2d7cd011db47",
    "contoso.onmicrosoft.com",
    "common",
    "organizations",
    "adfs",
    "ADFS",
    "..",
    ".",
    "%2e%2e",
    "%2F",
    "a|b",
    "a b",
    "tenant%7Cx",
    "v2.0",
    "oauth2",
    "é",
    "\u0000",
    "?x=1",
    "#f",
    "@",
  ),
  fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/),
  anyCodeUnits(12),
);
const authorityUrls = fc.oneof(
  fc
    .record({
      scheme: fc.constantFrom("https", "http", "HTTPS", "ftp", "javascript", "file", "ws", ""),
      userinfo: fc.constantFrom("", "user@", "user:pass@"),
      host: hosts,
      port: fc.constantFrom("", ":443", ":8443", ":0", ":99999", ":x"),
      path: fc.array(segments, { maxLength: 4 }),
      tail: fc.constantFrom("", "/", "//", "?", "?a=b", "#", "#frag", "\\", "%20"),
    })
    .map(
      ({ scheme, userinfo, host, port, path, tail }) =>
        `${scheme}${scheme === "" ? "" : "://"}${userinfo}${host}${port}${path.map((s) => `/${s}`).join("")}${tail}`,
    ),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  anyCodeUnits(60),
);

function isLoopbackHost(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

describe("authorities", () => {
  it("parseAuthority: an Authority whose parts are safe, or a ClientError", async () => {
    await fc.assert(
      fc.asyncProperty(authorityUrls, async (value) => {
        const outcome = await onlyClientError(() => parseAuthority(value));
        if (outcome instanceof ClientError) {
          expect(["invalid_authority", "insecure_authority", "invalid_tenant"]).toContain(
            outcome.code,
          );
          return;
        }
        const origin = new URL(outcome.origin);
        expect(
          origin.protocol === "https:" ||
            (origin.protocol === "http:" && isLoopbackHost(origin.hostname)),
        ).toBe(true);
        expect(origin.username + origin.password).toBe("");
        expect(outcome.cacheEnvironment).toBe(outcome.cacheEnvironment.toLowerCase());
        if (outcome.kind === "entra") {
          const tenant = outcome.tenant as string;
          expect(isTenantShaped(tenant)).toBe(true);
          expect(outcome.canonical).toBe(`${outcome.origin}/${tenant}`);
          // The token endpoint is on the authority's host, with the tenant as one path segment.
          const endpoint = new URL(tokenEndpointOf(outcome, tenant));
          expect(endpoint.origin).toBe(outcome.origin);
          expect(endpoint.pathname).toBe(`/${tenant}/oauth2/v2.0/token`);
        } else {
          expect(outcome.kind).toBe("adfs");
          expect(new URL(tokenEndpointOf(outcome, undefined)).pathname).toBe("/adfs/oauth2/token");
        }
      }),
      { numRuns: runs.cheap },
    );
  });

  it("parseOidcAuthority: a normalised issuer whose discovery URL stays on its origin, or a ClientError", async () => {
    await fc.assert(
      fc.asyncProperty(authorityUrls, async (value) => {
        const outcome = await onlyClientError(() => parseOidcAuthority(value));
        if (outcome instanceof ClientError) {
          expect(["invalid_authority", "insecure_authority"]).toContain(outcome.code);
          return;
        }
        const issuer = outcome.issuer as string;
        expect(issuer).not.toMatch(/\/$/);
        expect(issuer).not.toMatch(/[?#]/);
        expect(outcome.cacheEnvironment).toBe(issuer);
        const discovery = new URL(`${issuer}/.well-known/openid-configuration`);
        expect(discovery.origin).toBe(outcome.origin);
        expect(discovery.pathname.endsWith("/.well-known/openid-configuration")).toBe(true);
      }),
      { numRuns: runs.cheap },
    );
  });
});

describe("tenants", () => {
  const tenants = fc.oneof(
    fc.uuid().map((id) => id.toUpperCase()),
    fc.uuid(),
    fc.domain(),
    fc.constantFrom(
      "common",
      "Common",
      "ORGANIZATIONS",
      "consumers",
      "",
      "-a",
      "a-",
      ".a",
      "a.",
      "a..b",
      "a|b",
      "a%7Cb",
      "a b",
      "a/b",
      "a\\b",
      "é.com",
      "a\u0000",
      "\u212Aelvin",
      "x".repeat(255),
      "x".repeat(256),
    ),
    fc.stringMatching(/^[A-Za-z0-9._|% -]{0,30}$/),
    anyCodeUnits(30),
  );

  it("assertRequestTenant: passes only tenant-shaped, non-reserved names that are safe in a URL path and a cache key", async () => {
    await fc.assert(
      fc.asyncProperty(tenants, async (tenant) => {
        const outcome = await onlyClientError(() => assertRequestTenant(tenant));
        if (outcome instanceof ClientError) {
          expect(outcome.code).toBe("invalid_tenant");
          return;
        }
        expect(isTenantShaped(tenant)).toBe(true);
        expect(["common", "organizations", "consumers"]).not.toContain(tenant.toLowerCase());
        expect(tenant).toMatch(/^[A-Za-z0-9._-]{1,255}$/);
        expect(encodeURIComponent(tenant)).toBe(tenant);
        expect(tenant).not.toContain("|");
      }),
      { numRuns: runs.cheap },
    );
  });

  it("GUIDs and DNS names always pass", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uuid(),
          fc.domain().filter((d) => d.length <= 255),
        ),
        (tenant) => {
          expect(() => assertRequestTenant(tenant)).not.toThrow();
        },
      ),
      { numRuns: runs.cheap },
    );
  });
});

describe("scopes", () => {
  const resources = fc.constantFrom(
    "https://graph.microsoft.com",
    "https://GRAPH.microsoft.com",
    "api://11111111-2222-3333-4444-555555555555",
    "https://management.azure.com/",
    "a|b",
    "%2F",
    "é",
    "",
  );
  const scope = fc.oneof(
    resources.map((r) => `${r}/.default`),
    fc.constantFrom(
      "openid",
      "profile",
      "offline_access",
      "OpenID",
      ".default",
      "/.default",
      "User.Read",
      "https://graph.microsoft.com/User.Read",
      "a b/.default",
      "x/.default\n",
      "\u00a0/.default",
      "\u200b/.default",
    ),
    anyCodeUnits(20),
    anyCodeUnits(12).map((s) => `${s}/.default`),
  );
  const scopeInputs = fc.oneof(
    { weight: 5, arbitrary: fc.array(scope, { maxLength: 5 }) },
    { weight: 1, arbitrary: fc.array(fc.oneof(scope, fc.anything()), { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.anything() },
  );

  it.each(["entra", "adfs", "oidc"] as const)(
    "validateScopes (%s): valid scopes or a ClientError invalid_scopes",
    async (kind) => {
      await fc.assert(
        fc.asyncProperty(scopeInputs, async (input) => {
          const outcome = await onlyClientError(() => validateScopes(input, kind));
          if (outcome instanceof ClientError) {
            expect(outcome.code).toBe("invalid_scopes");
            return;
          }
          expect(outcome.length).toBeGreaterThan(0);
          for (const s of outcome) {
            expect(typeof s).toBe("string");
            expect(s).not.toBe("");
            expect(s).not.toMatch(/\s/);
            expect(input as unknown[]).toContain(s);
          }
          if (kind !== "oidc") {
            for (const s of outcome) expect(s.endsWith("/.default")).toBe(true);
            expect(
              new Set(outcome.map((s) => s.slice(0, -"/.default".length).toLowerCase())).size,
            ).toBe(1);
            expect(outcome.map((s) => s.toLowerCase())).not.toContain("openid");
          }
        }),
        { numRuns: runs.cheap },
      );
    },
  );
});

describe("the application surface", () => {
  const tenantA = "72f988bf-86f1-41af-91ab-2d7cd011db47";
  const fetcher = (async () =>
    Response.json({
      token_type: "Bearer",
      expires_in: 3599,
      access_token: "opaque",
    })) as typeof fetch;
  const app = new ConfidentialClientApplication({
    clientId: "11111111-2222-3333-4444-555555555555",
    tenantId: tenantA,
    clientSecret: "s",
    fetch: fetcher,
    memoryCache: { shared: false },
    retry: false,
  });
  const scopeArrays = fc.oneof(
    fc.array(
      fc.oneof(
        fc.constant("https://graph.microsoft.com/.default"),
        fc.anything(),
        anyCodeUnits(10),
      ),
      { maxLength: 4 },
    ),
    fc.tuple(
      fc.constant("https://graph.microsoft.com/.default"),
      fc.oneof(
        fc.constant(null),
        fc.constant(undefined),
        fc.integer(),
        fc.object(),
        fc.constant("https://graph.microsoft.com/.default"),
      ),
    ),
    fc.anything(),
  );
  const tenantValues = fc.oneof(
    fc.constant(undefined),
    fc.constant(tenantA),
    fc.anything(),
    anyCodeUnits(20),
    fc.integer(),
    fc.constantFrom("common", "a|b", "Contoso.onmicrosoft.com"),
  );

  it("acquireTokenForClient with hostile scopes and tenants: a result or a ClientError, never a TypeError", async () => {
    await fc.assert(
      fc.asyncProperty(scopeArrays, tenantValues, async (scopes, tenantId) => {
        await onlyClientError(() =>
          app
            .acquireTokenForClient(scopes as string[], { tenantId: tenantId as string })
            .executeAsync(),
        );
      }),
      { numRuns: runs.medium },
    );
  });

  it("a regional endpoint on a loopback IP authority with extra query parameters fails as a typed error, not a TypeError", async () => {
    // "https://westus.127.0.0.1:8080/..." is not a URL: the region must be refused, as a ClientError.
    const outcome = await Promise.resolve()
      .then(() =>
        new ConfidentialClientApplication({
          clientId: "11111111-2222-3333-4444-555555555555",
          authority: `http://127.0.0.1:8080/${tenantA}`,
          azureRegion: "westus",
          clientSecret: "s",
          fetch: fetcher,
          memoryCache: { shared: false },
          retry: false,
        })
          .acquireTokenForClient(["https://graph.microsoft.com/.default"])
          .withExtraQueryParameters({ dc: "x" })
          .executeAsync(),
      )
      .then(
        (result) => result,
        (error: unknown) => error,
      );
    expect(outcome).toBeInstanceOf(EntraEdgeError);
    expect(outcome).toMatchObject({ code: "invalid_region" });
  });

  it("the constructor with hostile client ids and tenants: an application or a ClientError", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(anyCodeUnits(40), fc.anything()),
        fc.oneof(fc.constant(undefined), anyCodeUnits(20), fc.anything()),
        async (clientId, tenantId) => {
          await onlyClientError(
            () =>
              new ConfidentialClientApplication({
                clientId: clientId as string,
                tenantId: tenantId as string,
                clientSecret: "s",
                fetch: fetcher,
                memoryCache: { shared: false },
              }),
          );
        },
      ),
      { numRuns: runs.medium },
    );
  });
});
