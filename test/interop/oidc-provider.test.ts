// Interoperability with a real OpenID Connect server: oidc-provider (npm) on a loopback port,
// reached through withOidcAuthority(issuer). Covers client_secret_post and private_key_jwt with
// RS256, PS256 and ES256 assertions, JWT access tokens for a resource indicator derived from the
// "{resource}/.default" scope, cache hits, forced refreshes (a fresh jti each time), a wrong
// secret, a discovery document without token_endpoint, and discovery fetched only once.
import { createHash, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importX509,
  jwtVerify,
  type JWK,
} from "jose";
import { errors as oidcErrors, Provider } from "oidc-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ClientError,
  ConfidentialClientApplicationBuilder,
  ServiceError,
  TokenSource,
  type CertificateOptions,
} from "../../src/index";

const keys = (name: string): string =>
  readFileSync(join(import.meta.dirname, "../fixtures/keys", name), "utf8");

const resource = "https://api.example.test";
const otherResource = "https://other.example.test";
const scopes = [`${resource}/.default`];
const otherScopes = [`${otherResource}/.default`];
const resources = new Set([resource, otherResource]);
const secret = "oidc-provider-interop-secret-0123456789abcdef";

const rsaKey = keys("rsa.pkcs8.pem");
const rsaCert = keys("rsa.crt.pem");
const ecKey = keys("ec256.pkcs8.pem");
const ecCert = keys("ec256.crt.pem");

/** The `x5t` header of a certificate: base64url SHA-1 of its DER. */
const x5tOf = (pem: string): string =>
  createHash("sha1").update(new X509Certificate(pem).raw).digest("base64url");

/** A public JWK of a certificate's key, as a client registers it in its `jwks`. */
async function certificateJwk(pem: string, alg: "RS256" | "ES256"): Promise<JWK> {
  const jwk = await exportJWK(await importX509(pem, alg, { extractable: true }));
  return { ...jwk, kid: x5tOf(pem), use: "sig" };
}

/** One token request as it went on the wire. */
interface SentRequest {
  readonly url: string;
  readonly form: URLSearchParams;
}

/** A fetch that records discovery and token requests before passing them on. */
function recordingFetch() {
  const discovery: string[] = [];
  const tokenRequests: SentRequest[] = [];
  const fetcher: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (new URL(url).pathname.endsWith("/.well-known/openid-configuration")) discovery.push(url);
    if (init?.method === "POST")
      tokenRequests.push({ url, form: new URLSearchParams(String(init.body)) });
    return fetch(input, init);
  };
  return { fetcher, discovery, tokenRequests };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (server === undefined) return resolve();
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** Errors oidc-provider reports as its own fault (500s): none may happen. */
const serverErrors: unknown[] = [];
/** Client authentication failures the providers saw, for diagnosis of a failing case. */
const authErrors: string[] = [];

interface RunningProvider {
  readonly issuer: string;
  readonly server: Server;
}

/**
 * Starts oidc-provider on a free loopback port. With `mountPath` the issuer has a path (as a
 * Keycloak realm does) and the provider is mounted there, as express/connect mount it.
 */
async function startProvider(mountPath = ""): Promise<RunningProvider> {
  // The port must be known before the provider exists (the issuer names it), so listen first.
  let handler: ((request: IncomingMessage, response: ServerResponse) => void) | undefined;
  const server = createServer((request, response) => {
    const url = request.url ?? "/";
    if (handler === undefined || !url.startsWith(`${mountPath}/`)) {
      response.writeHead(404).end();
      return;
    }
    if (mountPath !== "") {
      (request as IncomingMessage & { originalUrl?: string }).originalUrl = url;
      request.url = url.slice(mountPath.length);
    }
    handler(request, response);
  });
  const issuer = `http://127.0.0.1:${await listen(server)}${mountPath}`;

  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const signingKey = {
    ...(await exportJWK(privateKey)),
    kid: "interop-signing",
    alg: "RS256",
    use: "sig",
  };
  const rsaJwk = await certificateJwk(rsaCert, "RS256");
  const ecJwk = await certificateJwk(ecCert, "ES256");
  const base = { grant_types: ["client_credentials"], response_types: [], redirect_uris: [] };

  const provider = new Provider(issuer, {
    clients: [
      {
        ...base,
        client_id: "secret-client",
        client_secret: secret,
        token_endpoint_auth_method: "client_secret_post",
      },
      // One client per signing algorithm, each pinned to it: the server refuses any other alg.
      {
        ...base,
        client_id: "rs256-client",
        token_endpoint_auth_method: "private_key_jwt",
        token_endpoint_auth_signing_alg: "RS256",
        jwks: { keys: [rsaJwk] },
      },
      {
        ...base,
        client_id: "ps256-client",
        token_endpoint_auth_method: "private_key_jwt",
        token_endpoint_auth_signing_alg: "PS256",
        jwks: { keys: [rsaJwk] },
      },
      {
        ...base,
        client_id: "es256-client",
        token_endpoint_auth_method: "private_key_jwt",
        token_endpoint_auth_signing_alg: "ES256",
        jwks: { keys: [ecJwk] },
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: ["interop-cookie-key-not-used-by-this-grant"] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // The client credentials request carries only scope=<resource>/.default (as Entra's
        // does), no resource parameter: the resource indicator is read from the scope.
        defaultResource(ctx: { oidc: { params: { scope?: string } } }) {
          const fromScope = (ctx.oidc.params.scope ?? "")
            .split(" ")
            .filter((scope) => scope.endsWith("/.default"))
            .map((scope) => scope.slice(0, -"/.default".length));
          return fromScope.length === 1 ? fromScope[0] : undefined;
        },
        getResourceServerInfo(_ctx: unknown, indicator: string) {
          if (!resources.has(indicator))
            throw new oidcErrors.InvalidTarget(`unknown resource ${indicator}`);
          return {
            scope: `${indicator}/.default`,
            audience: indicator,
            accessTokenTTL: 3600,
            accessTokenFormat: "jwt",
            jwt: { sign: { alg: "RS256" } },
          };
        },
        useGrantedResource: () => false,
      },
    },
    ttl: {
      ClientCredentials: (_ctx: unknown, token: { resourceServer?: { accessTokenTTL?: number } }) =>
        token.resourceServer?.accessTokenTTL ?? 600,
    },
  });
  provider.on("server_error", (_ctx, error) => serverErrors.push(error));
  provider.on("grant.error", (_ctx, error) => {
    const { error_description: description, error_detail: detail } = error as {
      error_description?: string;
      error_detail?: string;
    };
    authErrors.push(`${description ?? String(error)}${detail === undefined ? "" : ` (${detail})`}`);
  });
  handler = provider.callback();
  return { issuer, server };
}

let root: RunningProvider | undefined;
let realm: RunningProvider | undefined;
let fakeServer: Server | undefined;
/** The issuer of the provider mounted at the root. */
let issuer: string;
let fakeIssuer: string;

beforeAll(async () => {
  [root, realm] = await Promise.all([startProvider(), startProvider("/realms/interop")]);
  issuer = root.issuer;

  // A server whose discovery document has everything but a token_endpoint.
  fakeServer = createServer((request, response) => {
    if (request.url === "/.well-known/openid-configuration") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          issuer: fakeIssuer,
          jwks_uri: `${fakeIssuer}/jwks`,
          grant_types_supported: ["client_credentials"],
        }),
      );
      return;
    }
    response.writeHead(404).end();
  });
  fakeIssuer = `http://127.0.0.1:${await listen(fakeServer)}`;
});

afterAll(async () => {
  await Promise.all([close(root?.server), close(realm?.server), close(fakeServer)]);
});

interface CredentialCase {
  readonly name: string;
  readonly clientId: string;
  readonly secret?: string;
  readonly certificate?: CertificateOptions;
  /** The alg the assertion must be signed with; undefined for client_secret_post. */
  readonly alg?: "RS256" | "PS256" | "ES256";
  readonly certPem?: string;
}

const cases: CredentialCase[] = [
  { name: "client_secret_post", clientId: "secret-client", secret },
  {
    name: "private_key_jwt RS256 (RSA key, OIDC default)",
    clientId: "rs256-client",
    certificate: { privateKey: rsaKey, certificate: rsaCert },
    alg: "RS256",
    certPem: rsaCert,
  },
  {
    name: "private_key_jwt PS256 (algorithm: PS256)",
    clientId: "ps256-client",
    certificate: { privateKey: rsaKey, certificate: rsaCert, algorithm: "PS256" },
    alg: "PS256",
    certPem: rsaCert,
  },
  {
    name: "private_key_jwt ES256 (EC P-256 key)",
    clientId: "es256-client",
    certificate: { privateKey: ecKey, certificate: ecCert },
    alg: "ES256",
    certPem: ecCert,
  },
];

function appFor(credential: CredentialCase, fetcher: typeof fetch, authority = issuer) {
  const builder = ConfidentialClientApplicationBuilder.create(credential.clientId)
    .withOidcAuthority(authority)
    .withHttpClient(fetcher)
    .withMemoryCache({ shared: false })
    .withRetry(false);
  if (credential.secret !== undefined) builder.withClientSecret(credential.secret);
  if (credential.certificate !== undefined) builder.withCertificate(credential.certificate);
  return builder.build();
}

describe("entra-edge against oidc-provider", () => {
  it.each(cases)(
    "$name: token from the provider, then the cache; JWT verifies; forceRefresh twice",
    async (credential) => {
      const { fetcher, tokenRequests } = recordingFetch();
      const app = appFor(credential, fetcher);
      const tokenEndpoint = `${issuer}/token`;

      const authErrorsBefore = authErrors.length;
      const first = await app
        .acquireTokenForClient(scopes)
        .executeAsync()
        .catch((error: unknown) => {
          throw new Error(
            `${String(error)}; oidc-provider said: ${authErrors.slice(authErrorsBefore).join(" | ")}`,
            { cause: error },
          );
        });
      expect(first.authenticationResultMetadata.tokenSource).toBe(TokenSource.IdentityProvider);
      expect(first.authenticationResultMetadata.tokenEndpoint).toBe(tokenEndpoint);
      expect(first.tokenType.toLowerCase()).toBe("bearer");
      expect(first.expiresOn.getTime()).toBeGreaterThan(Date.now());
      expect(tokenRequests).toHaveLength(1);

      const second = await app.acquireTokenForClient(scopes);
      expect(second.authenticationResultMetadata.tokenSource).toBe(TokenSource.Cache);
      expect(second.accessToken).toBe(first.accessToken);
      expect(tokenRequests).toHaveLength(1);

      // The access token is the provider's JWT for the resource.
      const jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));
      const { payload, protectedHeader } = await jwtVerify(first.accessToken, jwks, {
        issuer,
        audience: resource,
        typ: "at+jwt",
      });
      expect(protectedHeader.alg).toBe("RS256");
      expect(payload["client_id"]).toBe(credential.clientId);
      expect(payload["scope"]).toBe(scopes[0]);
      expect(first.scopes).toEqual(scopes);
      // expires_in (3600 s, the resource server's accessTokenTTL) agrees with the JWT's exp.
      expect(
        Math.abs(first.expiresOn.getTime() / 1000 - (payload.exp as number)),
      ).toBeLessThanOrEqual(5);

      const third = await app.acquireTokenForClient(scopes, { forceRefresh: true });
      const fourth = await app.acquireTokenForClient(scopes).withForceRefresh(true);
      for (const result of [third, fourth]) {
        expect(result.authenticationResultMetadata.tokenSource).toBe(TokenSource.IdentityProvider);
        await jwtVerify(result.accessToken, jwks, { issuer, audience: resource });
      }
      expect(new Set([first.accessToken, third.accessToken, fourth.accessToken]).size).toBe(3);
      expect(tokenRequests).toHaveLength(3);
      const fifth = await app.acquireTokenForClient(scopes);
      expect(fifth.authenticationResultMetadata.tokenSource).toBe(TokenSource.Cache);
      expect(fifth.accessToken).toBe(fourth.accessToken);

      // What went on the wire.
      for (const { url, form } of tokenRequests) {
        expect(url).toBe(tokenEndpoint);
        expect(form.get("grant_type")).toBe("client_credentials");
        expect(form.get("client_id")).toBe(credential.clientId);
        expect(form.get("scope")).toBe(scopes[0]);
      }
      if (credential.alg === undefined) {
        for (const { form } of tokenRequests) {
          expect(form.get("client_secret")).toBe(secret);
          expect(form.has("client_assertion")).toBe(false);
        }
        return;
      }
      const jtis = new Set<unknown>();
      for (const { form } of tokenRequests) {
        expect(form.get("client_secret")).toBeNull();
        expect(form.get("client_assertion_type")).toBe(
          "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        );
        const assertion = form.get("client_assertion") ?? "";
        const header = decodeProtectedHeader(assertion);
        const claims = decodeJwt(assertion);
        expect(header.alg).toBe(credential.alg);
        expect(header.x5t).toBe(x5tOf(credential.certPem as string));
        expect(header["x5t#S256"]).toBeUndefined();
        expect(claims.aud).toBe(tokenEndpoint);
        expect(claims.iss).toBe(credential.clientId);
        expect(claims.sub).toBe(credential.clientId);
        expect(typeof claims.jti).toBe("string");
        expect(typeof claims.exp).toBe("number");
        jtis.add(claims.jti);
      }
      expect(jtis.size).toBe(tokenRequests.length);
    },
  );

  it.each(cases)(
    "$name: an issuer with a path (a Keycloak-style realm), given with a trailing slash",
    async (credential) => {
      const realmIssuer = (realm as RunningProvider).issuer;
      const { fetcher, discovery, tokenRequests } = recordingFetch();
      const app = appFor(credential, fetcher, `${realmIssuer}/`);
      const first = await app.acquireTokenForClient(scopes);
      expect(first.authenticationResultMetadata.tokenSource).toBe(TokenSource.IdentityProvider);
      expect(first.authenticationResultMetadata.tokenEndpoint).toBe(`${realmIssuer}/token`);
      expect(discovery).toEqual([`${realmIssuer}/.well-known/openid-configuration`]);
      await jwtVerify(first.accessToken, createRemoteJWKSet(new URL(`${realmIssuer}/jwks`)), {
        issuer: realmIssuer,
        audience: resource,
      });
      const refreshed = await app.acquireTokenForClient(scopes, { forceRefresh: true });
      expect(refreshed.authenticationResultMetadata.tokenSource).toBe(TokenSource.IdentityProvider);
      expect(
        (await app.acquireTokenForClient(scopes)).authenticationResultMetadata.tokenSource,
      ).toBe(TokenSource.Cache);
      if (credential.alg !== undefined) {
        for (const { form } of tokenRequests)
          expect(decodeJwt(form.get("client_assertion") ?? "").aud).toBe(`${realmIssuer}/token`);
      }
    },
  );

  it("a wrong client secret is a ServiceError invalid_client", async () => {
    const { fetcher, tokenRequests } = recordingFetch();
    const wrong = "definitely-not-the-secret-0123456789";
    const app = appFor({ name: "wrong", clientId: "secret-client", secret: wrong }, fetcher);
    const error = await app.acquireTokenForClient(scopes).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ServiceError);
    const serviceError = error as ServiceError;
    expect([400, 401]).toContain(serviceError.status);
    expect(serviceError.error).toBe("invalid_client");
    expect(serviceError.message).not.toContain(wrong);
    expect(JSON.stringify(serviceError)).not.toContain(wrong);
    expect(tokenRequests).toHaveLength(1);
  });

  it("a private_key_jwt client signing with another client's key is refused with invalid_client", async () => {
    const { fetcher } = recordingFetch();
    // es256-client is registered with the EC key; an RSA assertion must not pass.
    const app = appFor(
      {
        name: "wrong key",
        clientId: "es256-client",
        certificate: { privateKey: rsaKey, certificate: rsaCert },
      },
      fetcher,
    );
    const error = await app.acquireTokenForClient(scopes).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).error).toBe("invalid_client");
  });

  // The two checks below show that the passing cases above mean something: this server enforces
  // the registered alg and refuses a replayed assertion.
  it("the server enforces the pinned alg: the PS256 client refuses the RS256 default", async () => {
    const { fetcher } = recordingFetch();
    const app = appFor(
      {
        name: "rs256 for ps256 client",
        clientId: "ps256-client",
        certificate: { privateKey: rsaKey, certificate: rsaCert },
      },
      fetcher,
    );
    const before = authErrors.length;
    const error = await app.acquireTokenForClient(scopes).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).error).toBe("invalid_client");
    expect(authErrors.slice(before).join(" ")).toContain("alg mismatch");
  });

  it("the server refuses a replayed assertion (so a fresh jti per request is needed)", async () => {
    const { fetcher, tokenRequests } = recordingFetch();
    const app = appFor(cases[1] as CredentialCase, fetcher);
    await app.acquireTokenForClient(scopes);
    const sent = tokenRequests[0] as SentRequest;
    const before = authErrors.length;
    const replay = await fetch(sent.url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: sent.form.toString(),
    });
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { error?: string }).error).toBe("invalid_client");
    expect(authErrors.slice(before).join(" ")).toContain("must only be used once");
  });

  it("a discovery document without token_endpoint is a ClientError discovery_failed", async () => {
    const { fetcher, discovery, tokenRequests } = recordingFetch();
    const app = appFor(cases[0] as CredentialCase, fetcher, fakeIssuer);
    const error = await app.acquireTokenForClient(scopes).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ClientError);
    expect((error as ClientError).code).toBe("discovery_failed");
    expect((error as ClientError).message).toContain("token_endpoint");
    expect(discovery).toEqual([`${fakeIssuer}/.well-known/openid-configuration`]);
    expect(tokenRequests).toHaveLength(0);
  });

  it("discovery is fetched once for many acquisitions", async () => {
    const { fetcher, discovery, tokenRequests } = recordingFetch();
    const app = appFor(cases[1] as CredentialCase, fetcher);

    // Concurrent first calls: one discovery, one token request (single flight).
    const concurrent = await Promise.all(
      Array.from({ length: 8 }, () => app.acquireTokenForClient(scopes).executeAsync()),
    );
    expect(new Set(concurrent.map((result) => result.accessToken)).size).toBe(1);
    expect(discovery).toHaveLength(1);
    expect(tokenRequests).toHaveLength(1);

    // Another resource, cache hits and forced refreshes: still no second discovery.
    const other = await app.acquireTokenForClient(otherScopes);
    expect(other.authenticationResultMetadata.tokenSource).toBe(TokenSource.IdentityProvider);
    await jwtVerify(other.accessToken, createRemoteJWKSet(new URL(`${issuer}/jwks`)), {
      issuer,
      audience: otherResource,
    });
    for (let i = 0; i < 5; i++) {
      expect(
        (await app.acquireTokenForClient(scopes)).authenticationResultMetadata.tokenSource,
      ).toBe(TokenSource.Cache);
      expect(
        (await app.acquireTokenForClient(otherScopes)).authenticationResultMetadata.tokenSource,
      ).toBe(TokenSource.Cache);
    }
    for (let i = 0; i < 3; i++) await app.acquireTokenForClient(scopes, { forceRefresh: true });

    expect(discovery).toEqual([`${issuer}/.well-known/openid-configuration`]);
    expect(tokenRequests).toHaveLength(5);
    expect(
      new Set(tokenRequests.map(({ form }) => decodeJwt(form.get("client_assertion") ?? "").jti))
        .size,
    ).toBe(5);
  });

  it("the provider reported no server errors", () => {
    expect(serverErrors).toEqual([]);
  });
});
