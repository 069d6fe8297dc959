// Extra form fields and extra headers of a token request (MSAL.NET's WithExtraBodyParameters and
// WithExtraHttpHeaders): on the wire, refused where they would replace what the library sends,
// and the form fields part of the L1 and L2 cache keys.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { memoryCache } from "../../adapters/memory";
import { ClientError, TokenSource, type CacheAdapter } from "../../src/index";
import { bodyParametersKey } from "../../src/request/extra-parameters";
import { builder, emulator, graph, rejectionOf, secret, tenantA } from "./setup";

const app = (fetcher: typeof fetch, cache?: CacheAdapter) => {
  const b = builder(fetcher).withClientSecret(secret).withTenantId(tenantA);
  return (cache === undefined ? b : b.withCache(cache)).build();
};

describe("extra body parameters", () => {
  it("are sent in the form, from the builder and from the options form", async () => {
    const entra = await emulator();
    const client = app(entra.fetch);
    await client.acquireTokenForClient(graph).withExtraBodyParameters({ fmi_path: "a/b" });
    await client.acquireTokenForClient(graph, { extraBodyParameters: { attributes: "x y" } });
    const [first, second] = entra.tokenRequests();
    expect(first?.form).toMatchObject({ fmi_path: "a/b", grant_type: "client_credentials" });
    expect(second?.form["attributes"]).toBe("x y");
    expect(second?.form["fmi_path"]).toBeUndefined();
    expect(first?.status).toBe(200);
  });

  it("separate L1 entries: two values two tokens, none never served an extra's token", async () => {
    const entra = await emulator();
    const client = app(entra.fetch);
    const withA = await client.acquireTokenForClient(graph).withExtraBodyParameters({ p: "a" });
    const plain = await client.acquireTokenForClient(graph);
    const withB = await client.acquireTokenForClient(graph, { extraBodyParameters: { p: "b" } });
    expect(entra.tokenRequests()).toHaveLength(3);
    expect(new Set([withA.accessToken, plain.accessToken, withB.accessToken]).size).toBe(3);
    for (const [extra, expected] of [
      [{ p: "a" }, withA],
      [undefined, plain],
      [{ p: "b" }, withB],
    ] as const) {
      const again = await client.acquireTokenForClient(graph, { extraBodyParameters: extra });
      expect(again.accessToken).toBe(expected.accessToken);
      expect(again.authenticationResultMetadata.tokenSource).toBe(TokenSource.Cache);
    }
    // The order of the fields does not matter; adding one does.
    const both = await client.acquireTokenForClient(graph, {
      extraBodyParameters: { q: "1", p: "a" },
    });
    expect(both.authenticationResultMetadata.tokenSource).toBe(TokenSource.IdentityProvider);
    const swapped = await client
      .acquireTokenForClient(graph)
      .withExtraBodyParameters({ p: "a" })
      .withExtraBodyParameters({ q: "1" });
    expect(swapped.accessToken).toBe(both.accessToken);
    expect(entra.tokenRequests()).toHaveLength(4);
  });

  it("separate L2 entries: another instance gets the token of its own fields only", async () => {
    const entra = await emulator();
    const store = memoryCache();
    const first = await app(entra.fetch, store)
      .acquireTokenForClient(graph)
      .withExtraBodyParameters({ fmi_path: "x" });
    const other = app(entra.fetch, store);
    const plain = await other.acquireTokenForClient(graph);
    expect(plain.authenticationResultMetadata.tokenSource).toBe(TokenSource.IdentityProvider);
    expect(plain.accessToken).not.toBe(first.accessToken);
    const otherValue = await other
      .acquireTokenForClient(graph)
      .withExtraBodyParameters({ fmi_path: "y" });
    expect(otherValue.authenticationResultMetadata.tokenSource).toBe(TokenSource.IdentityProvider);
    const same = await app(entra.fetch, store)
      .acquireTokenForClient(graph)
      .withExtraBodyParameters({ fmi_path: "x" });
    expect(same.authenticationResultMetadata.cacheLevel).toBe("L2Cache");
    expect(same.accessToken).toBe(first.accessToken);
    expect(entra.tokenRequests()).toHaveLength(3);
  });

  it.each([
    "client_id",
    "grant_type",
    "scope",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
    "client_assertion_anything",
    "claims",
    "Client_Id",
    "SCOPE",
    "",
  ])("refuses the library's own name %j with a ClientError, before any request", async (name) => {
    const entra = await emulator();
    const client = app(entra.fetch);
    const thrown = await rejectionOf(() =>
      client.acquireTokenForClient(graph).withExtraBodyParameters({ [name]: "x" }),
    );
    expect(thrown).toBeInstanceOf(ClientError);
    expect(thrown).toMatchObject({ code: "invalid_body_parameters" });
    await expect(
      client.acquireTokenForClient(graph, { extraBodyParameters: { [name]: "x" } }),
    ).rejects.toMatchObject({ code: "invalid_body_parameters" });
    expect(entra.tokenRequests()).toHaveLength(0);
  });

  it("refuses values that are not strings, and a value that is not a record", async () => {
    const entra = await emulator();
    const client = app(entra.fetch);
    await expect(
      client.acquireTokenForClient(graph, {
        extraBodyParameters: { n: 1 } as unknown as Record<string, string>,
      }),
    ).rejects.toMatchObject({ code: "invalid_body_parameters" });
    expect(
      await rejectionOf(() =>
        client
          .acquireTokenForClient(graph)
          .withExtraBodyParameters(["a"] as unknown as Record<string, string>),
      ),
    ).toMatchObject({ code: "invalid_body_parameters" });
    expect(entra.tokenRequests()).toHaveLength(0);
  });

  it("are never exported in MSAL's cache JSON, where they would be read back as plain tokens", async () => {
    const entra = await emulator();
    const client = app(entra.fetch);
    await client.acquireTokenForClient(graph).withExtraBodyParameters({ fmi_path: "x" });
    expect(Object.keys(JSON.parse(client.getTokenCache().serialize()).AccessToken)).toEqual([]);
    await client.acquireTokenForClient(graph);
    expect(Object.keys(JSON.parse(client.getTokenCache().serialize()).AccessToken)).toHaveLength(1);
  });

  it("key equal sets of fields alike and different sets apart (property)", () => {
    const record = fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), {
      maxKeys: 4,
    });
    fc.assert(
      fc.property(record, record, (a, b) => {
        const same =
          JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
        expect(bodyParametersKey(a) === bodyParametersKey(b)).toBe(same);
        expect(bodyParametersKey(a)).not.toMatch(/[\s|]/);
      }),
    );
  });
});

describe("extra HTTP headers", () => {
  it("are sent on the token request and are not part of the cache key", async () => {
    const entra = await emulator();
    const client = app(entra.fetch);
    const first = await client
      .acquireTokenForClient(graph)
      .withExtraHttpHeaders({ "x-gateway": "eu-1", "X-Trace": "abc" });
    await client.acquireTokenForClient(graph, {
      extraHttpHeaders: { "x-gateway": "eu-2" },
      forceRefresh: true,
    });
    const [request, forced] = entra.tokenRequests();
    expect(request?.headers).toMatchObject({ "x-gateway": "eu-1", "x-trace": "abc" });
    expect(request?.headers["client-request-id"]).toBe(first.correlationId);
    expect(forced?.headers["x-gateway"]).toBe("eu-2");
    const cached = await client.acquireTokenForClient(graph, {
      extraHttpHeaders: { "x-gateway": "eu-3" },
    });
    expect(cached.authenticationResultMetadata.tokenSource).toBe(TokenSource.Cache);
    const plain = await client.acquireTokenForClient(graph);
    expect(plain.accessToken).toBe(cached.accessToken);
    expect(entra.tokenRequests()).toHaveLength(2);
  });

  it.each([
    "content-type",
    "Content-Type",
    "accept",
    "client-request-id",
    "return-client-request-id",
    "x-client-SKU",
    "x-client-current-telemetry",
    "x-client-anything",
    "x-ms-lib-capability",
    "authorization",
    "host",
    "content-length",
    "bad header",
  ])("refuses %j with a ClientError, before any request", async (name) => {
    const entra = await emulator();
    const client = app(entra.fetch);
    expect(
      await rejectionOf(() =>
        client.acquireTokenForClient(graph).withExtraHttpHeaders({ [name]: "v" }),
      ),
    ).toMatchObject({ name: "ClientError", code: "invalid_http_headers" });
    await expect(
      client.acquireTokenForClient(graph, { extraHttpHeaders: { [name]: "v" } }),
    ).rejects.toMatchObject({ code: "invalid_http_headers" });
    expect(entra.tokenRequests()).toHaveLength(0);
  });

  it("refuses a value with CR or LF, or that is not a string", async () => {
    const entra = await emulator();
    const client = app(entra.fetch);
    for (const value of ["a\r\nx-injected: 1", "a\nb", 3]) {
      await expect(
        client.acquireTokenForClient(graph, {
          extraHttpHeaders: { "x-test": value as string },
        }),
      ).rejects.toMatchObject({ code: "invalid_http_headers" });
    }
    expect(entra.tokenRequests()).toHaveLength(0);
  });
});
