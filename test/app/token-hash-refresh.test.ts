// withAccessTokenSha256ToRefresh: the cached token a resource rejected is bypassed once, by one
// request however many callers and instances (own L1, one L2) present its hash.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { memoryCache } from "../../adapters/memory";
import { CacheLevel, ClientError, TokenSource, type CacheAdapter } from "../../src/index";
import { builder, emulator, graph, secret, tenantA } from "./setup";

const sha256 = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");

const app = (fetcher: typeof fetch, cache?: CacheAdapter, lease = false) => {
  const b = builder(fetcher).withClientSecret(secret).withTenantId(tenantA);
  return (cache === undefined ? b : b.withCache(cache, { lease })).build();
};

describe("withAccessTokenSha256ToRefresh", () => {
  it("bypasses the cached token with that hash, and serves one with another hash", async () => {
    const entra = await emulator();
    const client = app(entra.fetch);
    const first = await client.acquireTokenForClient(graph);
    const unrelated = await client
      .acquireTokenForClient(graph)
      .withAccessTokenSha256ToRefresh(sha256("some other token"));
    expect(unrelated.accessToken).toBe(first.accessToken);
    expect(unrelated.authenticationResultMetadata.tokenSource).toBe(TokenSource.Cache);
    expect(entra.tokenRequests()).toHaveLength(1);

    const refreshed = await client
      .acquireTokenForClient(graph)
      .withAccessTokenSha256ToRefresh(sha256(first.accessToken));
    expect(refreshed.authenticationResultMetadata.tokenSource).toBe(TokenSource.IdentityProvider);
    expect(refreshed.accessToken).not.toBe(first.accessToken);
    expect(entra.tokenRequests()).toHaveLength(2);
    // The new token is cached; the old hash no longer matches anything.
    const again = await client.acquireTokenForClient(graph, {
      accessTokenSha256ToRefresh: sha256(first.accessToken).toUpperCase(),
    });
    expect(again.accessToken).toBe(refreshed.accessToken);
    expect((await client.acquireTokenForClient(graph)).accessToken).toBe(refreshed.accessToken);
    expect(entra.tokenRequests()).toHaveLength(2);
  });

  it("without a cached token is a normal acquisition", async () => {
    const entra = await emulator();
    const result = await app(entra.fetch).acquireTokenForClient(graph, {
      accessTokenSha256ToRefresh: sha256("never issued"),
    });
    expect(result.authenticationResultMetadata.tokenSource).toBe(TokenSource.IdentityProvider);
    expect(entra.tokenRequests()).toHaveLength(1);
  });

  it("shares one request among concurrent callers that present the same hash", async () => {
    const entra = await emulator();
    const client = app(entra.fetch);
    const first = await client.acquireTokenForClient(graph);
    const hash = sha256(first.accessToken);
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        client.acquireTokenForClient(graph, { accessTokenSha256ToRefresh: hash }),
      ),
    );
    expect(entra.tokenRequests()).toHaveLength(2);
    expect(new Set(results.map((result) => result.accessToken)).size).toBe(1);
    expect(results[0]?.accessToken).not.toBe(first.accessToken);
  });

  it("refuses a malformed hash and a hash with forceRefresh, before any request", async () => {
    const entra = await emulator();
    const client = app(entra.fetch);
    for (const hash of ["abc", sha256("x").slice(1), `${sha256("x").slice(2)}zz`, "", 42]) {
      expect(() =>
        client.acquireTokenForClient(graph).withAccessTokenSha256ToRefresh(hash as string),
      ).toThrow(ClientError);
      await expect(
        client.acquireTokenForClient(graph, { accessTokenSha256ToRefresh: hash as string }),
      ).rejects.toMatchObject({ code: "invalid_token_hash" });
    }
    await expect(
      client
        .acquireTokenForClient(graph)
        .withForceRefresh()
        .withAccessTokenSha256ToRefresh(sha256("x")),
    ).rejects.toMatchObject({ name: "ClientError", code: "invalid_configuration" });
    expect(entra.tokenRequests()).toHaveLength(0);
  });

  it("with claims: sends them only when the cached token is the rejected one", async () => {
    const entra = await emulator();
    const client = app(entra.fetch);
    const claims = '{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}';
    const first = await client.acquireTokenForClient(graph);
    const other = await client.acquireTokenForClient(graph, {
      claims,
      accessTokenSha256ToRefresh: sha256("a token refreshed elsewhere"),
    });
    expect(other.accessToken).toBe(first.accessToken);
    expect(entra.tokenRequests()).toHaveLength(1);
    const fresh = await client.acquireTokenForClient(graph, {
      claims,
      accessTokenSha256ToRefresh: sha256(first.accessToken),
    });
    expect(fresh.accessToken).not.toBe(first.accessToken);
    expect(entra.tokenRequests()[1]?.form["claims"]).toBe(claims);
  });

  it("never serves the rejected token from L2 to an instance that does not hold it", async () => {
    const entra = await emulator();
    const store = memoryCache();
    const first = await app(entra.fetch, store).acquireTokenForClient(graph);
    const fresh = await app(entra.fetch, store)
      .acquireTokenForClient(graph)
      .withAccessTokenSha256ToRefresh(sha256(first.accessToken));
    expect(fresh.authenticationResultMetadata.tokenSource).toBe(TokenSource.IdentityProvider);
    expect(fresh.accessToken).not.toBe(first.accessToken);
    // ... and the new token is what the store holds now.
    const third = await app(entra.fetch, store).acquireTokenForClient(graph);
    expect(third.accessToken).toBe(fresh.accessToken);
    expect(third.authenticationResultMetadata.cacheLevel).toBe(CacheLevel.L2Cache);
  });
});

describe("a revocation seen by instances sharing an L2", () => {
  it("costs one request: the others find the new token in L2", async () => {
    const entra = await emulator();
    const store = memoryCache();
    const instances = Array.from({ length: 4 }, () => app(entra.fetch, store));
    const tokens = [];
    for (const instance of instances) tokens.push(await instance.acquireTokenForClient(graph));
    expect(new Set(tokens.map((token) => token.accessToken)).size).toBe(1);
    expect(entra.tokenRequests()).toHaveLength(1);
    const rejected = sha256(tokens[0]?.accessToken as string);
    const refreshed = [];
    for (const instance of instances) {
      refreshed.push(
        await instance.acquireTokenForClient(graph, { accessTokenSha256ToRefresh: rejected }),
      );
    }
    expect(entra.tokenRequests()).toHaveLength(2);
    expect(new Set(refreshed.map((result) => result.accessToken)).size).toBe(1);
    expect(refreshed[0]?.accessToken).not.toBe(tokens[0]?.accessToken);
    expect(refreshed.slice(1).map((r) => r.authenticationResultMetadata.cacheLevel)).toEqual([
      CacheLevel.L2Cache,
      CacheLevel.L2Cache,
      CacheLevel.L2Cache,
    ]);
  });

  it.each([
    ["lease off (taken for the refresh anyway)", false],
    ["lease on", true],
  ])("costs one request when every instance presents the hash at once, %s", async (_, lease) => {
    const entra = await emulator();
    const store = memoryCache();
    const instances = Array.from({ length: 5 }, () => app(entra.fetch, store, lease));
    const tokens = [];
    for (const instance of instances) tokens.push(await instance.acquireTokenForClient(graph));
    const before = entra.tokenRequests().length;
    const rejected = sha256(tokens[0]?.accessToken as string);
    // Every instance holds the rejected token in L1 (the first from its request, the others from L2).
    for (const instance of instances)
      expect(
        (await instance.acquireTokenForClient(graph)).authenticationResultMetadata.cacheLevel,
      ).toBe(CacheLevel.L1Cache);
    const results = await Promise.all(
      instances.flatMap((instance) =>
        Array.from({ length: 10 }, () =>
          instance
            .acquireTokenForClient(graph)
            .withAccessTokenSha256ToRefresh(rejected)
            .executeAsync(),
        ),
      ),
    );
    expect(entra.tokenRequests().length - before).toBe(1);
    expect(new Set(results.map((result) => result.accessToken)).size).toBe(1);
    expect(results[0]?.accessToken).not.toBe(tokens[0]?.accessToken);
  });
});
