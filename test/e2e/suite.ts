/**
 * The end-to-end suite: the same scenarios, run in workerd, Deno, Bun, Node and Vercel's Edge
 * runtime against the **built** package. This module has no runtime import at all (only type
 * imports, erased): each runtime's entry imports `entra-edge`, `entra-edge/testing`,
 * `entra-edge/federation` and the adapters as a user would and
 * hands them in, with the key fixtures and the L2 stores that runtime has (memory everywhere,
 * plus Workers KV, Deno KV, Redis, or Upstash Redis over REST).
 *
 * Each result is printed by the entry as one JSON line (`resultLine`); `test/e2e/run.mjs`
 * collects them.
 *
 * @module
 */

import type * as Core from "../../src/index";
import type * as Testing from "../../src/testing/index";
import type * as Federation from "../../federation/index";

/** The built package, as imported by the runtime's entry. */
export interface E2eModules {
  readonly core: typeof Core;
  readonly testing: typeof Testing;
  readonly federation: typeof Federation;
}

/** Key material from `test/fixtures/keys`, read by each entry its own way. */
export interface E2eFixtures {
  /** `rsa.pkcs8.pem` */
  readonly rsaPkcs8Pem: string;
  /** `rsa.enc-default.pem`: encrypted PKCS#8 (PBES2, PBKDF2 + AES-256-CBC, OpenSSL 3 default) */
  readonly rsaEncryptedPkcs8Pem: string;
  /** Its password. */
  readonly rsaEncryptedPassword: string;
  /** `rsa.crt.pem` */
  readonly rsaCertificatePem: string;
  /** The `x5t#S256` of `rsa.crt.pem` (from `expected.json`). */
  readonly rsaX5tS256: string;
}

/** An L2 store of the runtime. */
export interface E2eStore {
  /** e.g. `memory`, `workers-kv`, `deno-kv`, `redis (Bun RedisClient)`. */
  readonly name: string;
  readonly adapter: Core.CacheAdapter;
}

/** What a runtime's entry hands to {@link runSuite}. */
export interface E2eContext {
  /** e.g. `node`, `deno`, `bun`, `workerd`. */
  readonly runtime: string;
  readonly modules: E2eModules;
  readonly fixtures: E2eFixtures;
  /** The runtime's L2 stores; one "L2" scenario each. */
  readonly stores: readonly E2eStore[];
}

/** The outcome of one scenario. */
export interface ScenarioResult {
  readonly name: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly error?: string;
}

/** `type` of the JSON lines the entries print. */
export const RESULT_LINE_TYPE = "entra-edge:e2e-result";

/** One result as the JSON line the runner collects. */
export function resultLine(runtime: string, result: ScenarioResult): string {
  return JSON.stringify({ type: RESULT_LINE_TYPE, runtime, ...result });
}

/** One scenario: throws on failure. */
interface Scenario {
  readonly name: string;
  run(context: E2eContext): Promise<void>;
}

const tenantA = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const tenantB = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";
const clientId = "11111111-2222-3333-4444-555555555555";
const secret = "Ab1~e2e.secret-value_0123456789";
const graph = ["https://graph.microsoft.com/.default"];
const tokenEndpoint = (tenant: string): string =>
  `https://login.microsoftonline.com/${tenant}/oauth2/v2.0/token`;

/** The scenarios, in order. The L2 scenarios are added per store by {@link runSuite}. */
export const scenarios: readonly Scenario[] = [
  {
    name: "client secret: token from the identity provider, verified by the emulator",
    async run(context) {
      const { core } = context.modules;
      const entra = await emulator(context);
      const app = builder(context, entra).withClientSecret(secret).withTenantId(tenantA).build();
      const result = await app.acquireTokenForClient(graph);
      const meta = result.authenticationResultMetadata;
      check(
        meta.tokenSource === core.TokenSource.IdentityProvider,
        `tokenSource ${meta.tokenSource}`,
      );
      check(meta.cacheLevel === core.CacheLevel.None, `cacheLevel ${meta.cacheLevel}`);
      check(result.tokenType === "Bearer", `tokenType ${result.tokenType}`);
      check(result.tenantId === tenantA, `tenantId ${result.tenantId}`);
      check(
        result.expiresOn.getTime() > Date.now() + 30 * 60_000,
        `expiresOn ${result.expiresOn.toISOString()}`,
      );
      check(meta.tokenEndpoint === tokenEndpoint(tenantA), `tokenEndpoint ${meta.tokenEndpoint}`);
      const claims = await entra.verifyAccessToken(result.accessToken, { tenantId: tenantA });
      check(
        claims.appid === clientId && claims.appidacr === "1",
        `claims ${JSON.stringify(claims)}`,
      );
      const [request] = entra.tokenRequests();
      check(request?.form["client_secret"] === secret, "the secret was sent as client_secret");
      check(request?.form["grant_type"] === "client_credentials", "grant_type");
      check(
        request?.headers["client-request-id"] === result.correlationId,
        "client-request-id is the correlation id",
      );
    },
  },
  {
    name: "certificate from encrypted PKCS#8: PS256 assertion with x5t#S256",
    async run(context) {
      const { core } = context.modules;
      const { fixtures } = context;
      const entra = await emulator(context);
      const app = builder(context, entra)
        .withCertificate({
          privateKey: fixtures.rsaEncryptedPkcs8Pem,
          password: fixtures.rsaEncryptedPassword,
          certificate: fixtures.rsaCertificatePem,
        })
        .withTenantId(tenantA)
        .build();
      const result = await app.acquireTokenForClient(graph);
      check(
        result.authenticationResultMetadata.tokenSource === core.TokenSource.IdentityProvider,
        "from the identity provider",
      );
      const [request] = entra.tokenRequests();
      check(
        request?.status === 200,
        `the emulator accepted the assertion (status ${String(request?.status)})`,
      );
      check(
        request?.form["client_assertion_type"] ===
          "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion_type",
      );
      check(request?.form["client_secret"] === undefined, "no client_secret");
      const assertion = request?.form["client_assertion"] ?? "";
      const header = decodeJwtPart(assertion, 0);
      check(header["alg"] === "PS256", `alg ${String(header["alg"])}`);
      check(header["x5t#S256"] === fixtures.rsaX5tS256, `x5t#S256 ${String(header["x5t#S256"])}`);
      check(header["x5c"] === undefined, "no x5c unless asked");
      const payload = decodeJwtPart(assertion, 1);
      check(payload["aud"] === tokenEndpoint(tenantA), `aud ${String(payload["aud"])}`);
      check(
        payload["iss"] === clientId && payload["sub"] === clientId,
        "iss and sub are the client id",
      );
      check(typeof payload["jti"] === "string", "jti");
      const claims = await entra.verifyAccessToken(result.accessToken, { tenantId: tenantA });
      check(claims.appidacr === "2", `appidacr ${String(claims.appidacr)} (certificate)`);
    },
  },
  {
    name: "client assertion callback: called once, only before a network request",
    async run(context) {
      const { fixtures } = context;
      const entra = await emulator(context);
      const key = await crypto.subtle.importKey(
        "pkcs8",
        pemBytes(fixtures.rsaPkcs8Pem),
        { name: "RSA-PSS", hash: "SHA-256" },
        false,
        ["sign"],
      );
      const calls: Core.ClientAssertionOptions[] = [];
      const app = builder(context, entra)
        .withClientAssertion(async (options) => {
          calls.push(options);
          return signAssertion(key, fixtures.rsaX5tS256, options.clientId, options.tokenEndpoint);
        })
        .withTenantId(tenantA)
        .build();
      const correlationId = "0f0f0f0f-0000-4000-8000-000000000001";
      const first = await app.acquireTokenForClient(graph).withCorrelationId(correlationId);
      const second = await app.acquireTokenForClient(graph);
      check(calls.length === 1, `callback called ${calls.length} times`);
      const [options] = calls;
      check(options?.clientId === clientId, "clientId");
      check(options?.tenantId === tenantA, `tenantId ${String(options?.tenantId)}`);
      check(
        options?.tokenEndpoint === tokenEndpoint(tenantA),
        `tokenEndpoint ${String(options?.tokenEndpoint)}`,
      );
      check(
        options?.correlationId === correlationId,
        `correlationId ${String(options?.correlationId)}`,
      );
      check(options?.signal instanceof AbortSignal, "signal is an AbortSignal");
      check(
        entra.tokenRequests()[0]?.status === 200,
        "the emulator accepted the callback's assertion",
      );
      check(second.accessToken === first.accessToken, "the second call came from the cache");
    },
  },
  {
    name: "tenant override: the request's tenant wins over the application's",
    async run(context) {
      const { core } = context.modules;
      const entra = await emulator(context);
      const app = builder(context, entra).withClientSecret(secret).withTenantId(tenantA).build();
      const a = await app.acquireTokenForClient(graph);
      const b = await app.acquireTokenForClient(graph).withTenantId(tenantB);
      const viaOptions = await app.acquireTokenForClient(graph, { tenantId: tenantB });
      check(
        a.tenantId === tenantA && b.tenantId === tenantB,
        `tenants ${a.tenantId}, ${b.tenantId}`,
      );
      check(
        b.authenticationResultMetadata.tokenSource === core.TokenSource.IdentityProvider,
        "tenant B's first token is not tenant A's",
      );
      check(
        b.authenticationResultMetadata.tokenEndpoint === tokenEndpoint(tenantB),
        `endpoint ${b.authenticationResultMetadata.tokenEndpoint}`,
      );
      check(
        viaOptions.accessToken === b.accessToken,
        "the options form reaches tenant B's cached token",
      );
      check(
        (await entra.verifyAccessToken(b.accessToken, { tenantId: tenantB })).tid === tenantB,
        "tid of B's token",
      );
      check(
        entra
          .tokenRequests()
          .map((r) => r.tenantId)
          .join() === `${tenantA},${tenantB}`,
        "one request per tenant",
      );
    },
  },
  {
    name: "cache hit on the second call (TokenSource.Cache, L1)",
    async run(context) {
      const { core } = context.modules;
      const entra = await emulator(context);
      const app = builder(context, entra).withClientSecret(secret).withTenantId(tenantA).build();
      const first = await app.acquireTokenForClient(graph);
      const second = await app.acquireTokenForClient(graph).executeAsync();
      const meta = second.authenticationResultMetadata;
      check(meta.tokenSource === core.TokenSource.Cache, `tokenSource ${meta.tokenSource}`);
      check(meta.cacheLevel === core.CacheLevel.L1Cache, `cacheLevel ${meta.cacheLevel}`);
      check(second.accessToken === first.accessToken, "the same token");
      check(entra.tokenRequests().length === 1, `${entra.tokenRequests().length} token requests`);
      const forced = await app.acquireTokenForClient(graph).withForceRefresh(true);
      check(
        forced.authenticationResultMetadata.tokenSource === core.TokenSource.IdentityProvider,
        "forceRefresh goes to the identity provider",
      );
      const statistics = app.getCacheStatistics();
      check(
        statistics.l1Hits === 1 && statistics.networkRequests === 2,
        `statistics ${JSON.stringify(statistics)}`,
      );
    },
  },
  {
    name: "single flight: 100 concurrent cold calls make 1 token request",
    async run(context) {
      const entra = await emulator(context);
      const app = builder(context, entra).withClientSecret(secret).withTenantId(tenantA).build();
      const results = await Promise.all(
        Array.from({ length: 100 }, () => app.acquireTokenForClient(graph).executeAsync()),
      );
      check(entra.tokenRequests().length === 1, `${entra.tokenRequests().length} token requests`);
      check(
        new Set(results.map((r) => r.accessToken)).size === 1,
        "every caller got the same token",
      );
    },
  },
  {
    name: "429 → ThrottledError (a ServiceError) with retryAfterMs, no request while blocked",
    async run(context) {
      const { core, testing } = context.modules;
      const entra = await emulator(context);
      const app = builder(context, entra).withClientSecret(secret).withTenantId(tenantA).build();
      entra.injectFault(testing.faults.throttled(30, { match: { kind: "token" } }));
      const first = await rejectionOf(app.acquireTokenForClient(graph));
      check(first instanceof core.ThrottledError, `a ThrottledError: ${String(first)}`);
      check(
        first instanceof core.ServiceError && first instanceof core.EntraEdgeError,
        "extends ServiceError and EntraEdgeError",
      );
      const error = first as Core.ThrottledError;
      check(
        error.code === "throttled" && error.name === "ThrottledError",
        `code ${error.code}, name ${error.name}`,
      );
      check(error.status === 429, `status ${error.status}`);
      check(
        error.retryAfterMs !== undefined &&
          error.retryAfterMs > 25_000 &&
          error.retryAfterMs <= 30_000,
        `retryAfterMs ${String(error.retryAfterMs)}`,
      );
      check(entra.tokenRequests().length === 1, "429 is not retried");
      const second = await rejectionOf(app.acquireTokenForClient(graph));
      check(second instanceof core.ThrottledError, `still throttled: ${String(second)}`);
      check(
        (second as Core.ThrottledError).retryAfterMs! <= error.retryAfterMs!,
        "the wait only shrinks",
      );
      check(
        entra.tokenRequests().length === 1,
        `no network call while blocked (${entra.tokenRequests().length} requests)`,
      );
      const other = await app.acquireTokenForClient(graph).withTenantId(tenantB);
      check(
        other.tenantId === tenantB && entra.tokenRequests().length === 2,
        "another tenant is not blocked",
      );
    },
  },
  {
    name: "authorized fetch: a claims challenge and a revoked token each retried once, body intact; two gateways sharing an L2 refresh once",
    async run(context) {
      const { core, testing } = context.modules;
      const tenant = crypto.randomUUID();
      const entra = await emulator(context, [tenant]);
      const api = testing.createProtectedResource(entra, {
        audience: "https://graph.microsoft.com",
      });
      const store = context.stores[0];
      check(store !== undefined, "a store");
      const gateway = () =>
        core.createAuthorizedFetch(
          builder(context, entra)
            .withClientSecret(secret)
            .withTenantId(tenant)
            .withCache(store.adapter, { lease: true })
            .build(),
          { scopes: graph, fetch: api.fetch },
        );
      const [one, two] = [gateway(), gateway()];
      const statuses = () => api.requests.map((request) => request.status).join();
      check((await one("https://graph.microsoft.com/v1.0/users")).status === 200, "first call");
      check((await two("https://graph.microsoft.com/v1.0/users")).status === 200, "L2 token");
      check(entra.tokenRequests().length === 1, `${entra.tokenRequests().length} token requests`);

      api.revoke(api.requests[0]?.token ?? "");
      const [a, b] = await Promise.all([
        one("https://graph.microsoft.com/x", { method: "POST", body: "one" }),
        two("https://graph.microsoft.com/x", {
          method: "POST",
          body: new URLSearchParams({ b: "2" }),
        }),
      ]);
      check(a.status === 200 && b.status === 200, `after revocation: ${statuses()}`);
      check(
        entra.tokenRequests().length === 2,
        `${entra.tokenRequests().length} token requests after revocation`,
      );
      check(
        api.requests.filter((request) => request.body === "b=2").length === 2,
        "the form body was sent twice, intact",
      );

      api.requireAuthenticationContext("c1");
      const challenged = await one("https://graph.microsoft.com/y", {
        method: "PUT",
        body: "claims",
      });
      const answer = (await challenged.json()) as { acrs?: string[]; body?: string };
      check(
        challenged.status === 200 && answer.acrs?.[0] === "c1",
        `claims challenge: ${statuses()}`,
      );
      check(answer.body === "claims", "the body after the claims challenge");
      const claimsRequest = entra.tokenRequests().at(-1);
      check(claimsRequest?.form["claims"]?.includes('"acrs"') === true, "claims sent to Entra");
    },
  },
  {
    name: "request options: extra form fields (own cache entry), extra headers and onBeforeTokenRequest on the wire",
    async run(context) {
      const { core } = context.modules;
      const entra = await emulator(context);
      const seen: string[] = [];
      const app = builder(context, entra)
        .withClientSecret(secret)
        .withTenantId(tenantA)
        .withOnBeforeTokenRequest(async ({ requestUri, headers, bodyParameters }) => {
          seen.push(headers.get("client-request-id") ?? "");
          requestUri.searchParams.set("slice", "e2e");
          headers.set("x-hook", "1");
          bodyParameters.set("hook_field", "2");
        })
        .build();
      const plain = await app.acquireTokenForClient(graph);
      const extra = await app
        .acquireTokenForClient(graph)
        .withExtraBodyParameters({ fmi_path: "e2e/path" })
        .withExtraHttpHeaders({ "x-extra": "3" });
      const again = await app.acquireTokenForClient(graph, {
        extraBodyParameters: { fmi_path: "e2e/path" },
      });
      check(extra.accessToken !== plain.accessToken, "extra form fields get their own token");
      check(again.accessToken === extra.accessToken, "and their own cache entry");
      check(
        again.authenticationResultMetadata.tokenSource === core.TokenSource.Cache,
        "served from the cache",
      );
      const requests = entra.tokenRequests();
      check(requests.length === 2, `${requests.length} token requests`);
      const second = requests[1];
      check(second?.form["fmi_path"] === "e2e/path", "fmi_path in the form");
      check(second?.headers["x-extra"] === "3", "the extra header");
      check(second?.headers["x-hook"] === "1", "the hook's header");
      check(second?.form["hook_field"] === "2", "the hook's form field");
      check(new URL(second?.url ?? "").searchParams.get("slice") === "e2e", "the hook's query");
      check(
        seen.join() === [plain.correlationId, extra.correlationId].join(),
        `the hook saw each client-request-id (${seen.join()})`,
      );
      const refused = await rejectionOf(
        app.acquireTokenForClient(graph, { extraBodyParameters: { client_secret: "x" } }),
      );
      check(
        refused instanceof core.ClientError && refused.code === "invalid_body_parameters",
        `client_secret refused: ${String(refused)}`,
      );
    },
  },
  {
    name: "sha256 refresh: two applications sharing an L2 refresh a rejected token with one request",
    async run(context) {
      const { core } = context.modules;
      const store = context.stores[0];
      check(store !== undefined, "a store");
      const tenant = crypto.randomUUID();
      const entra = await emulator(context, [tenant]);
      const make = () => storeSharingApp(context, entra, tenant, store);
      const apps = [make(), make()];
      const first = await apps[0]!.acquireTokenForClient(graph);
      await apps[1]!.acquireTokenForClient(graph);
      const hash = await sha256Hex(first.accessToken);
      const unrelated = await apps[0]!.acquireTokenForClient(graph, {
        accessTokenSha256ToRefresh: await sha256Hex("another token"),
      });
      check(unrelated.accessToken === first.accessToken, "another hash: the cached token");
      const results = await Promise.all(
        apps.flatMap((app) =>
          [1, 2, 3].map(() =>
            app.acquireTokenForClient(graph).withAccessTokenSha256ToRefresh(hash).executeAsync(),
          ),
        ),
      );
      check(
        entra.tokenRequests().length === 2,
        `${entra.tokenRequests().length} token requests (1 + 1 refresh)`,
      );
      check(new Set(results.map((r) => r.accessToken)).size === 1, "one new token for all");
      check(results[0]?.accessToken !== first.accessToken, "not the rejected token");
      check(
        results.some((r) => r.authenticationResultMetadata.tokenSource === core.TokenSource.Cache),
        "the other application took it from L2",
      );
    },
  },
  {
    name: "certificate rotation: the loader is called again after AADSTS700027, once",
    async run(context) {
      const { core } = context.modules;
      const { fixtures } = context;
      const entra = await emulator(context);
      let calls = 0;
      const called = (): number => calls;
      let upload = false;
      const app = builder(context, entra)
        .withCertificate(async () => {
          calls++;
          // The new certificate is uploaded to the app registration as the store rotates.
          if (upload) await entra.addCertificate(clientId, fixtures.rsaCertificatePem);
          return { privateKey: fixtures.rsaPkcs8Pem, certificate: fixtures.rsaCertificatePem };
        })
        .withTenantId(tenantA)
        .build();
      check(called() === 0, "not called at build");
      await app.acquireTokenForClient(graph);
      check(called() === 1, `called at the first request (${called()})`);
      await entra.removeCertificate(clientId, fixtures.rsaCertificatePem);
      upload = true;
      const rotated = await app.acquireTokenForClient(graph).withTenantId(tenantB);
      check(rotated.tenantId === tenantB, "a token after the rotation");
      check(called() === 2, `called again after the refusal (${called()})`);
      await entra.removeCertificate(clientId, fixtures.rsaCertificatePem);
      upload = false;
      const refused = await rejectionOf(app.acquireTokenForClient(graph).withForceRefresh());
      check(
        refused instanceof core.ServiceError && refused.errorCodes.includes(700027),
        `a second refusal is the ServiceError: ${String(refused)}`,
      );
      check(called() === 3, `one reload per acquisition, no loop (${called()})`);
      const statuses = entra
        .tokenRequests()
        .map((r) => r.status)
        .join();
      check(statuses === "200,401,200,401,401", `statuses ${statuses}`);
    },
  },
  {
    name: "secretless (entra-edge/federation): another application's token as the assertion, for two tenants",
    async run(context) {
      const { core, testing, federation } = context.modules;
      const brokerId = "99999999-8888-4777-8666-555555555555";
      const brokerObjectId = "44444444-3333-4222-8111-000000000000";
      const entra = await testing.createEntraEmulator({
        tenants: [tenantA, tenantB],
        apps: [
          { clientId: brokerId, secrets: [secret], servicePrincipalId: brokerObjectId },
          {
            clientId,
            federatedCredentials: [
              {
                issuer: `https://login.microsoftonline.com/${tenantA}/v2.0`,
                subject: brokerObjectId,
              },
            ],
          },
        ],
      });
      const broker = core.ConfidentialClientApplicationBuilder.create(brokerId)
        .withClientSecret(secret)
        .withTenantId(tenantA)
        .withHttpClient(entra.fetch as typeof fetch)
        .withMemoryCache({ shared: false })
        .build();
      const app = builder(context, entra)
        .withClientAssertion(federation.entraTokenAssertion(broker))
        .build();
      for (const tenant of [tenantA, tenantB]) {
        const result = await app.acquireTokenForClient(graph).withTenantId(tenant);
        check(result.tenantId === tenant, `tenantId ${result.tenantId}`);
      }
      const requests = entra.tokenRequests();
      check(
        requests.map((r) => r.clientId).join() === [brokerId, clientId, clientId].join(),
        `token requests by ${requests.map((r) => r.clientId).join()}: one for the broker`,
      );
      check(
        requests[1]?.form["client_assertion"] === requests[2]?.form["client_assertion"],
        "one assertion for both tenants",
      );
      const missing = await rejectionOf(
        federation.vercelOidcToken(() => null)({
          clientId,
          tokenEndpoint: tokenEndpoint(tenantA),
          tenantId: tenantA,
          claims: undefined,
          correlationId: "00000000-0000-4000-8000-000000000000",
          signal: new AbortController().signal,
        }),
      );
      check(
        missing instanceof core.ClientError,
        `a Vercel function with no token: ${describe(missing)}`,
      );
    },
  },
];

/** The L2 scenario for one store: a second application with its own L1 reads the first one's token from the store. */
function l2Scenario(store: E2eStore): Scenario {
  return {
    name: `L2 ${store.name}: a second application (own L1) gets the token from L2`,
    async run(context) {
      const { core } = context.modules;
      // A fresh tenant per run, so that nothing left in a store from an earlier run can answer.
      const tenant = crypto.randomUUID();
      const entra = await emulator(context, [tenant]);
      const make = () => storeSharingApp(context, entra, tenant, store);
      const first = await make().acquireTokenForClient(graph);
      check(
        first.authenticationResultMetadata.tokenSource === core.TokenSource.IdentityProvider,
        "first from the identity provider",
      );
      const pending: Promise<unknown>[] = [];
      const second = await make()
        .acquireTokenForClient(graph)
        .withWaitUntil((promise) => pending.push(promise));
      await Promise.all(pending);
      const meta = second.authenticationResultMetadata;
      check(meta.tokenSource === core.TokenSource.Cache, `tokenSource ${meta.tokenSource}`);
      check(meta.cacheLevel === core.CacheLevel.L2Cache, `cacheLevel ${meta.cacheLevel}`);
      check(second.accessToken === first.accessToken, "the same token");
      check(second.tenantId === tenant, `tenantId ${second.tenantId}`);
      check(entra.tokenRequests().length === 1, `${entra.tokenRequests().length} token requests`);
    },
  };
}

/**
 * Runs every scenario (and one L2 scenario per store) one after another; never throws. Calls
 * `onResult` as each finishes, so that a runtime that dies half-way still reports the rest.
 */
export async function runSuite(
  context: E2eContext,
  onResult: (result: ScenarioResult) => void = () => {},
): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const scenario of [...scenarios, ...context.stores.map(l2Scenario)]) {
    const started = Date.now();
    let result: ScenarioResult;
    try {
      await scenario.run(context);
      result = { name: scenario.name, ok: true, ms: Date.now() - started };
    } catch (error) {
      result = { name: scenario.name, ok: false, ms: Date.now() - started, error: describe(error) };
    }
    results.push(result);
    onResult(result);
  }
  return results;
}

// --- Helpers ---

type EmulatorOf = Awaited<ReturnType<typeof Testing.createEntraEmulator>>;

function emulator(
  context: Pick<E2eContext, "modules" | "fixtures">,
  tenants: readonly string[] = [tenantA, tenantB],
): Promise<EmulatorOf> {
  return context.modules.testing.createEntraEmulator({
    tenants,
    apps: [{ clientId, secrets: [secret], certificates: [context.fixtures.rsaCertificatePem] }],
  });
}

/** A builder wired to the emulator with its own L1, so that scenarios never share tokens. */
function builder(
  context: Pick<E2eContext, "modules">,
  entra: EmulatorOf,
): Core.ConfidentialClientApplicationBuilder {
  return context.modules.core.ConfidentialClientApplicationBuilder.create(clientId)
    .withHttpClient(entra.fetch as typeof fetch)
    .withMemoryCache({ shared: false })
    .withRetry({ delayMs: 10 });
}

/** An application with its own L1 over `store`'s L2, for `tenant`, with the secret. */
function storeSharingApp(
  context: Pick<E2eContext, "modules">,
  entra: EmulatorOf,
  tenant: string,
  store: E2eStore,
): Core.ConfidentialClientApplication {
  return builder(context, entra)
    .withClientSecret(secret)
    .withTenantId(tenant)
    .withCache(store.adapter)
    .build();
}

/** What `promise` rejects with, or `undefined` when it resolves. */
async function rejectionOf(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error;
  }
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

function describe(error: unknown): string {
  if (error instanceof Error)
    return `${error.name}: ${error.message}${error.stack ? `\n${error.stack.split("\n").slice(1, 6).join("\n")}` : ""}`;
  return String(error);
}

function base64UrlDecode(text: string): Uint8Array {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4)), (c) =>
    c.charCodeAt(0),
  );
}

function base64UrlEncode(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function decodeJwtPart(jwt: string, index: 0 | 1): Record<string, unknown> {
  const part = jwt.split(".")[index];
  check(part !== undefined && part !== "", `a compact JWT: ${jwt.slice(0, 20)}…`);
  return JSON.parse(new TextDecoder().decode(base64UrlDecode(part))) as Record<string, unknown>;
}

/** Lowercase hex SHA-256 of `text`'s UTF-8 bytes, as `withAccessTokenSha256ToRefresh` takes it. */
async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)),
  );
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function pemBytes(pem: string): Uint8Array<ArrayBuffer> {
  const body = pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  const bytes = Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
  return bytes;
}

/** A PS256 client assertion signed here with `crypto.subtle`, as a user's callback (or KMS) would. */
async function signAssertion(
  key: CryptoKey,
  x5tS256: string,
  client: string,
  audience: string,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: object): string =>
    base64UrlEncode(new TextEncoder().encode(JSON.stringify(value)));
  const input = `${encode({ alg: "PS256", typ: "JWT", "x5t#S256": x5tS256 })}.${encode({ aud: audience, iss: client, sub: client, jti: crypto.randomUUID(), nbf: now, iat: now, exp: now + 600 })}`;
  const signature = await crypto.subtle.sign(
    { name: "RSA-PSS", saltLength: 32 },
    key,
    new TextEncoder().encode(input),
  );
  return `${input}.${base64UrlEncode(new Uint8Array(signature))}`;
}
