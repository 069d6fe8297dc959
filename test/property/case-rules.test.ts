// Properties of the cache keys' case rules and of tenants on both paths: generic OIDC ids and
// scopes that differ in any way (case included) never share a key; Entra's GUID client ids and
// `.default` scopes that differ only in ASCII case always do; and a tenant string, through the
// application options or a request (fast path or slow), is either refused with a ClientError or
// served exactly the token of the tenant it names, never another's.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applicationKeyPrefix } from "../../src/cache/cache-key";
import { ClientError, ConfidentialClientApplication } from "../../src/index";
import { scopesCacheKey } from "../../src/request/scopes";
import { runs } from "./support";

/** Letters with awkward case behaviour: ASCII, KELVIN SIGN, dotted/dotless i, sharp s, long s. */
const letters = fc.constantFrom(..."aAkKzZiI\u212A\u0130\u0131\u00DF\u017F-._:/0".split(""));
const word = fc.string({ unit: letters, minLength: 1, maxLength: 12 });

/** Random ASCII case changes of `value`. */
const caseVariant = (value: string) =>
  fc
    .array(fc.boolean(), { minLength: value.length, maxLength: value.length })
    .map((flips) =>
      [...value]
        .map((c, i) => (flips[i] === true && /[a-z]/i.test(c) ? swapAsciiCase(c) : c))
        .join(""),
    );
const swapAsciiCase = (c: string) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase());
const asciiFold = (value: string) => value.replace(/[A-Z]/g, (c) => c.toLowerCase());

const guid = fc.uuid().chain((id) => caseVariant(id).map((variant) => [id, variant] as const));

describe("cache key case rules (properties)", () => {
  it("keeps generic OIDC client ids and scopes apart whenever they differ", () => {
    const oidc = { kind: "oidc", cacheEnvironment: "https://issuer.test/realms/Prod" } as const;
    fc.assert(
      fc.property(word, word, (a, b) => {
        expect(applicationKeyPrefix(oidc, a) === applicationKeyPrefix(oidc, b)).toBe(a === b);
        expect(scopesCacheKey([a], "oidc") === scopesCacheKey([b], "oidc")).toBe(a === b);
      }),
      { numRuns: runs.cheap },
    );
  });

  it("folds only ASCII case of Entra .default scopes and GUID client ids", () => {
    const entra = { kind: "entra", cacheEnvironment: "login.microsoftonline.com" } as const;
    fc.assert(
      fc.property(word, word, guid, (a, b, [id, variant]) => {
        const scope = (resource: string) => [`https://${resource}/.default`];
        expect(scopesCacheKey(scope(a), "entra") === scopesCacheKey(scope(b), "entra")).toBe(
          asciiFold(a) === asciiFold(b),
        );
        expect(applicationKeyPrefix(entra, id)).toBe(applicationKeyPrefix(entra, variant));
      }),
      { numRuns: runs.cheap },
    );
  });
});

/** Tenant-like strings: valid domains and GUIDs, their case variants, and hostile look-alikes. */
const tenantStrings = fc.oneof(
  fc.constantFrom("kontoso.com", "Kontoso.COM", "tenant-b.com", "common", "organizations"),
  word,
  fc
    .tuple(word, fc.constantFrom("/../", "/./", "%2F", "?", "#", "|", "\\"), word)
    .map(([a, s, b]) => a + s + b),
  fc.string({ maxLength: 20 }),
);

/** A fake identity provider that issues `token-for-{tenant in the URL}`. */
function tenantEchoingFetch(sent: string[]): typeof fetch {
  return (async (input: RequestInfo | URL) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const tenant = decodeURIComponent(url.pathname.split("/")[1] ?? "");
    sent.push(tenant);
    return Response.json({
      token_type: "Bearer",
      expires_in: 3600,
      access_token: `token-for-${asciiFold(tenant)}`,
    });
  }) as typeof fetch;
}

describe("tenants on the application and request paths (properties)", () => {
  it("refuses or keeps an application tenant exactly, never resolving it to another", () => {
    fc.assert(
      fc.property(tenantStrings, (tenantId) => {
        try {
          const app = new ConfidentialClientApplication({
            clientId: "c",
            clientSecret: "s",
            tenantId,
          });
          expect(app.authority.tenant).toBe(tenantId);
        } catch (error) {
          expect(error).toBeInstanceOf(ClientError);
        }
      }),
      { numRuns: runs.cheap },
    );
  });

  it("serves a request only the token of the tenant it names, on both paths", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(tenantStrings, { minLength: 1, maxLength: 8 }), async (tenants) => {
        const sent: string[] = [];
        const app = new ConfidentialClientApplication({
          clientId: "11111111-2222-3333-4444-555555555555",
          clientSecret: "s",
          fetch: tenantEchoingFetch(sent),
          memoryCache: { shared: false },
          retry: false,
        });
        // Twice each: the second of a valid tenant is an L1 hit on the fast path.
        for (const tenant of [...tenants, ...tenants]) {
          try {
            const result = await app.acquireTokenForClient(
              ["https://graph.microsoft.com/.default"],
              {
                tenantId: tenant,
              },
            );
            expect(result.accessToken).toBe(`token-for-${asciiFold(tenant)}`);
            expect(asciiFold(result.tenantId ?? "")).toBe(asciiFold(tenant));
          } catch (error) {
            expect(error).toBeInstanceOf(ClientError);
          }
        }
        for (const tenant of sent) expect(tenant).toMatch(/^[A-Za-z0-9._-]+$/);
      }),
      { numRuns: runs.costly },
    );
  });
});
