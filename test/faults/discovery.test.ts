// A generic OIDC issuer whose discovery document is missing, broken or unreachable: a typed error
// before any token request, no failure cached, and success once the document is right.
import { describe, expect, it } from "vitest";
import {
  ClientError,
  ConfidentialClientApplicationBuilder,
  EntraEdgeError,
  NetworkError,
  TokenSource,
} from "../../src/index";
import { clientId, failureOf, secret } from "./helpers";

const issuer = "https://issuer.test";
const scopes = ["api://resource/.default"];
const goodDocument = { issuer, token_endpoint: `${issuer}/oauth2/token` };

type Answer = () => Response | Promise<Response>;

/** An OIDC server on a custom fetch: discovery answers with `discovery()`, the token endpoint with a token. */
function oidcServer(discovery: Answer) {
  const calls = { discovery: 0, token: 0, forms: [] as URLSearchParams[] };
  let answer = discovery;
  const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.href === `${issuer}/.well-known/openid-configuration`) {
      calls.discovery++;
      return answer();
    }
    if (url.href === goodDocument.token_endpoint) {
      calls.token++;
      calls.forms.push(new URLSearchParams(String(init?.body)));
      return Response.json({
        token_type: "Bearer",
        expires_in: 3600,
        access_token: `opaque-token-${calls.token}`,
      });
    }
    throw new TypeError("fetch failed");
  }) as typeof fetch;
  const app = ConfidentialClientApplicationBuilder.create(clientId)
    .withClientSecret(secret)
    .withOidcAuthority(issuer)
    .withHttpClient(fetcher)
    .withMemoryCache({ shared: false })
    .withRetry({ delayMs: 10 })
    .build();
  return { app, calls, fix: () => void (answer = () => Response.json(goodDocument)) };
}

const json =
  (body: unknown, status = 200) =>
  () =>
    Response.json(body, { status });

describe("OIDC discovery faults", () => {
  it.each([
    ["missing token_endpoint", json({ issuer })],
    ["an empty token_endpoint", json({ issuer, token_endpoint: "" })],
    ["a numeric token_endpoint", json({ issuer, token_endpoint: 42 })],
    ["a null token_endpoint", json({ issuer, token_endpoint: null })],
    ["an array instead of a document", json([goodDocument])],
    [
      "an HTML page",
      () =>
        new Response("<html>not found</html>", {
          status: 200,
          headers: { "content-type": "text/html" },
        }),
    ],
    [
      "a truncated document",
      () =>
        new Response('{"issuer":"https://issuer.test","token_endp', {
          status: 200,
          headers: { "content-type": "application/json" },
        }),
    ],
    ["an empty body", () => new Response(null, { status: 200 })],
    ["HTTP 404", json({ error: "not_found" }, 404)],
    [
      "another issuer",
      json({ issuer: "https://evil.test", token_endpoint: `${issuer}/oauth2/token` }),
    ],
  ])(
    "%s: ClientError discovery_failed before any token request; a later acquisition rediscovers and succeeds",
    async (_name, answer) => {
      const { app, calls, fix } = oidcServer(answer);
      const error = await failureOf(app.acquireTokenForClient(scopes));
      expect(error).toBeInstanceOf(ClientError);
      expect(error).toMatchObject({
        code: "discovery_failed",
        message: expect.stringContaining("withOidcAuthority"),
      });
      expect(calls).toMatchObject({ discovery: 1, token: 0 });
      // The failure is not cached: once the document is right, discovery runs again and the token comes.
      fix();
      const result = await app.acquireTokenForClient(scopes);
      expect(result.accessToken).toBe("opaque-token-1");
      expect(calls).toMatchObject({ discovery: 2, token: 1 });
      expect(calls.forms[0]?.get("client_secret")).toBe(secret);
      // Both the token and the endpoint are kept: no more requests.
      expect(
        (await app.acquireTokenForClient(scopes)).authenticationResultMetadata.tokenSource,
      ).toBe(TokenSource.Cache);
      await app.acquireTokenForClient(scopes, { forceRefresh: true });
      expect(calls).toMatchObject({ discovery: 2, token: 2 });
    },
  );

  it("a token_endpoint over plain http (not loopback) is refused with a ClientError", async () => {
    const { app, calls } = oidcServer(
      json({ issuer, token_endpoint: "http://issuer.test/oauth2/token" }),
    );
    const error = await failureOf(app.acquireTokenForClient(scopes));
    expect(error).toBeInstanceOf(ClientError);
    expect((error as ClientError).code).toMatch(/^(insecure_authority|discovery_failed)$/);
    expect(calls.token).toBe(0);
  });

  it("HTTP 503 from discovery is a typed error, not cached", async () => {
    const { app, calls, fix } = oidcServer(() => new Response("busy", { status: 503 }));
    const error = await failureOf(app.acquireTokenForClient(scopes));
    expect(error).toBeInstanceOf(EntraEdgeError);
    expect(calls.token).toBe(0);
    fix();
    await expect(app.acquireTokenForClient(scopes)).resolves.toMatchObject({
      accessToken: "opaque-token-1",
    });
  });

  it("an unreachable discovery endpoint is a NetworkError, not cached", async () => {
    const { app, calls, fix } = oidcServer(() =>
      Promise.reject(
        new TypeError("fetch failed", {
          cause: Object.assign(new Error("ECONNRESET"), { code: "ECONNRESET" }),
        }),
      ),
    );
    const error = await failureOf(app.acquireTokenForClient(scopes));
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ code: "network_error" });
    expect(calls.token).toBe(0);
    fix();
    await expect(app.acquireTokenForClient(scopes)).resolves.toMatchObject({
      accessToken: "opaque-token-1",
    });
  });

  it("concurrent first acquisitions (distinct resources) share one failing discovery fetch", async () => {
    const { app, calls } = oidcServer(json({ issuer }));
    const settled = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        app.acquireTokenForClient([`api://resource-${i}/.default`]).executeAsync(),
      ),
    );
    expect(
      settled.every(
        (s) => s.status === "rejected" && (s.reason as ClientError).code === "discovery_failed",
      ),
    ).toBe(true);
    expect(calls.discovery).toBe(1);
  });
});
