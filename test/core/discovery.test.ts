// OIDC discovery: a token_endpoint on another origin than the issuer is refused unless the user
// opted in (credentials go only where the user said), and the document is read with the 1 MiB cap.
import { describe, expect, it } from "vitest";
import {
  ClientError,
  ConfidentialClientApplication,
  ConfidentialClientApplicationBuilder,
} from "../../src/index";
import { DiscoveryCache } from "../../src/authority/discovery";

const issuer = "https://issuer.test/realms/r";
const correlationId = "c0ffee00-0000-4000-8000-000000000000";
const clientId = "11111111-2222-3333-4444-555555555555";
const secret = "Ab1~oidc.secret-value_0123456789";
const scopes = ["api://resource/.default"];

/** A fetch answering discovery with `document` and any token endpoint with a token; records every URL and body. */
function server(document: unknown | (() => Response)) {
  const calls: { url: string; body: string | undefined }[] = [];
  const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, body: init?.body === undefined ? undefined : String(init.body) });
    if (url === `${issuer}/.well-known/openid-configuration`)
      return typeof document === "function"
        ? (document as () => Response)()
        : Response.json(document);
    return Response.json({ token_type: "Bearer", expires_in: 3600, access_token: "opaque" });
  }) as typeof fetch;
  return { calls, fetcher };
}

const lookUp = (cache: DiscoveryCache, fetcher: typeof fetch, allow?: boolean) =>
  cache.tokenEndpoint(
    issuer,
    fetcher,
    new AbortController().signal,
    Date.now(),
    correlationId,
    allow === undefined ? undefined : { allowTokenEndpointOnOtherOrigin: allow },
  );

describe("OIDC discovery: the token endpoint's origin", () => {
  it.each([
    ["another host", "https://tokens.evil.test/token"],
    ["a subdomain", "https://login.issuer.test/token"],
    ["another port", "https://issuer.test:8443/realms/r/token"],
    ["http on loopback for an https issuer", "http://127.0.0.1/token"],
  ])("%s: ClientError cross_origin_token_endpoint, nothing sent there", async (_name, endpoint) => {
    const { calls, fetcher } = server({ issuer, token_endpoint: endpoint });
    const error = await lookUp(new DiscoveryCache(), fetcher).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientError);
    expect(error).toMatchObject({ code: "cross_origin_token_endpoint", correlationId });
    expect((error as Error).message).toContain("allowTokenEndpointOnOtherOrigin");
    expect(calls.map((c) => c.url)).toEqual([`${issuer}/.well-known/openid-configuration`]);
  });

  it("the same origin (other path, explicit default port) is accepted without opting in", async () => {
    for (const endpoint of [
      `${issuer}/protocol/openid-connect/token`,
      "https://issuer.test:443/oauth/token",
      "https://ISSUER.test/token",
    ]) {
      const { fetcher } = server({ issuer, token_endpoint: endpoint });
      await expect(lookUp(new DiscoveryCache(), fetcher)).resolves.toBe(new URL(endpoint).href);
    }
  });

  it("with the opt-in the other origin is used; the check runs per call, so a shared cache answers each caller by its own option", async () => {
    const { calls, fetcher } = server({ issuer, token_endpoint: "https://tokens.other.test/t" });
    const cache = new DiscoveryCache();
    await expect(lookUp(cache, fetcher, true)).resolves.toBe("https://tokens.other.test/t");
    await expect(lookUp(cache, fetcher)).rejects.toMatchObject({
      code: "cross_origin_token_endpoint",
    });
    await expect(lookUp(cache, fetcher, false)).rejects.toBeInstanceOf(ClientError);
    await expect(lookUp(cache, fetcher, true)).resolves.toBe("https://tokens.other.test/t");
    expect(calls).toHaveLength(1);
  });

  it("through the builder: refused by default, no credential sent; allowed with withOidcAuthority(issuer, { allowTokenEndpointOnOtherOrigin: true })", async () => {
    const foreign = "https://tokens.other.test/token";
    const refused = server({ issuer, token_endpoint: foreign });
    const app = ConfidentialClientApplicationBuilder.create(clientId)
      .withClientSecret(secret)
      .withOidcAuthority(issuer)
      .withHttpClient(refused.fetcher)
      .withMemoryCache({ shared: false })
      .build();
    await expect(app.acquireTokenForClient(scopes)).rejects.toMatchObject({
      name: "ClientError",
      code: "cross_origin_token_endpoint",
    });
    expect(refused.calls.some((c) => c.url.startsWith(foreign))).toBe(false);
    expect(refused.calls.some((c) => c.body?.includes("client_secret"))).toBe(false);

    const allowed = server({ issuer, token_endpoint: foreign });
    const optedIn = ConfidentialClientApplicationBuilder.create(clientId)
      .withClientSecret(secret)
      .withOidcAuthority(issuer, { allowTokenEndpointOnOtherOrigin: true })
      .withHttpClient(allowed.fetcher)
      .withMemoryCache({ shared: false })
      .build();
    await expect(optedIn.acquireTokenForClient(scopes)).resolves.toMatchObject({
      accessToken: "opaque",
    });
    expect(allowed.calls.at(-1)?.url).toBe(foreign);

    // The options object takes it as well; anything but a boolean is a ClientError.
    const fromOptions = new ConfidentialClientApplication({
      clientId,
      clientSecret: secret,
      oidcIssuer: issuer,
      allowTokenEndpointOnOtherOrigin: true,
      fetch: server({ issuer, token_endpoint: foreign }).fetcher,
      memoryCache: { shared: false },
    });
    await expect(fromOptions.acquireTokenForClient(scopes)).resolves.toMatchObject({
      accessToken: "opaque",
    });
    expect(
      () =>
        new ConfidentialClientApplication({
          clientId,
          clientSecret: secret,
          oidcIssuer: issuer,
          allowTokenEndpointOnOtherOrigin: "yes" as unknown as boolean,
        }),
    ).toThrow(ClientError);
  });
});

describe("OIDC discovery: the body cap", () => {
  it("a 5 MB discovery document is a ClientError discovery_failed; the stream is cancelled past 1 MiB", async () => {
    const document = JSON.stringify({
      issuer,
      token_endpoint: `${issuer}/token`,
      padding: "x".repeat(5 * 1024 * 1024),
    });
    const bytes = new TextEncoder().encode(document);
    let pulled = 0;
    let cancelled = false;
    const { fetcher } = server(
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            pull(controller) {
              const offset = pulled * 65536;
              if (offset >= bytes.length) return controller.close();
              pulled++;
              controller.enqueue(bytes.subarray(offset, offset + 65536));
            },
            cancel() {
              cancelled = true;
            },
          }),
          { status: 200, headers: { "content-type": "application/json" } },
        ),
    );
    const error = await lookUp(new DiscoveryCache(), fetcher).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientError);
    expect(error).toMatchObject({ code: "discovery_failed" });
    expect((error as Error).message).toContain("1 MiB");
    expect(pulled * 65536).toBeLessThan(1.5 * 1024 * 1024);
    expect(cancelled).toBe(true);
  });

  it("a document with an oversized content-length is refused without reading it", async () => {
    let pulled = 0;
    const { fetcher } = server(
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            pull(controller) {
              pulled++;
              controller.enqueue(new Uint8Array(65536));
            },
          }),
          { status: 200, headers: { "content-length": String(50 * 1024 * 1024) } },
        ),
    );
    await expect(lookUp(new DiscoveryCache(), fetcher)).rejects.toMatchObject({
      code: "discovery_failed",
    });
    expect(pulled).toBeLessThanOrEqual(1);
  });
});
