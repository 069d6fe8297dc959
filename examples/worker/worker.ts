/**
 * Example Worker: acquires an app-only token for a downstream API on each request, per customer
 * tenant, with a shared L2 cache and `ctx.waitUntil` for deferred cache writes and background
 * refreshes. The L2 is the `TokenCacheDurableObject` namespace when `TOKEN_CACHE` is bound (as in
 * wrangler.toml), with the refresh lease: isolates that miss at once make one token request per
 * tenant between them; without that binding it is Workers KV (`TOKENS`), eventually consistent and
 * without a lease.
 *
 * `/gateway/<path>` is a tiny API gateway: it forwards the request to `DOWNSTREAM_URL` with the
 * application's token (`createAuthorizedFetch`), which answers a claims challenge or a rejected
 * token with one retry.
 *
 * Without Entra credentials in `env` it runs against the built-in Entra emulator, so it works
 * offline: `npm start` runs it in workerd and prints where each token came from. The gateway's
 * downstream is then the emulator's protected resource, which asks for an authentication context
 * (a claims challenge) so the retry shows.
 */
import {
  ConfidentialClientApplicationBuilder,
  createAuthorizedFetch,
  type ConfidentialClientApplication,
} from "entra-edge";
import { workersKvCache, type KvNamespaceLike } from "entra-edge/adapters/workers-kv";
import {
  TokenCacheDurableObject,
  durableObjectCache,
  type DurableObjectNamespaceLike,
} from "entra-edge/adapters/durable-object";
import {
  createEntraEmulator,
  createProtectedResource,
  type ProtectedResource,
} from "entra-edge/testing";

// The Durable Object class behind `TOKEN_CACHE`, exported unchanged (wrangler.toml binds it).
export { TokenCacheDurableObject };

interface Env {
  /** Durable Object namespace bound to `TokenCacheDurableObject` (SQLite-backed): preferred. */
  TOKEN_CACHE?: DurableObjectNamespaceLike;
  /** Workers KV namespace: the L2 when `TOKEN_CACHE` is not bound. */
  TOKENS?: KvNamespaceLike;
  ENTRA_CLIENT_ID?: string;
  ENTRA_TENANT_ID?: string;
  ENTRA_CLIENT_SECRET?: string;
  ENTRA_CERTIFICATE_PEM?: string;
  ENTRA_PRIVATE_KEY_PEM?: string;
  DOWNSTREAM_SCOPE?: string;
  /** The API behind `/gateway/`, e.g. `https://graph.microsoft.com`. */
  DOWNSTREAM_URL?: string;
}

interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

/** Demo tenants and app of the emulator (used only when no real credentials are configured). */
const demo = {
  clientId: "11111111-2222-3333-4444-555555555555",
  secret: "emulator-demo-secret",
  tenants: ["72f988bf-86f1-41af-91ab-2d7cd011db47", "f8cdef31-a31e-4b4a-93e4-5f571e91255a"],
};
let emulator: ReturnType<typeof createEntraEmulator> | undefined;
let demoApi: Promise<ProtectedResource> | undefined;

const startEmulator = () =>
  (emulator ??= createEntraEmulator({
    tenants: demo.tenants,
    apps: [{ clientId: demo.clientId, secrets: [demo.secret] }],
  }));

/**
 * The emulator's fetch, defined once: applications share their state only when they use the same
 * `fetch` (a new closure per request would give each request an L1 of its own).
 */
const emulatorFetch: typeof fetch = async (input, init) =>
  (await startEmulator()).fetch(input, init);

/** The gateway's demo downstream API: it requires the authentication context "c1". */
const demoApiFetch = async (request: Request): Promise<Response> => {
  const api = await (demoApi ??= startEmulator().then((entra) => {
    const resource = createProtectedResource(entra);
    resource.requireAuthenticationContext("c1");
    return resource;
  }));
  return api.fetch(request);
};

/** `/gateway/<path>`: the request, without the caller's credentials, sent on with the app's token. */
async function forward(
  request: Request,
  env: Env,
  app: ConfidentialClientApplication,
  tenantId: string,
): Promise<Response> {
  const url = new URL(request.url);
  const api = createAuthorizedFetch(app, {
    scopes: [env.DOWNSTREAM_SCOPE ?? "https://graph.microsoft.com/.default"],
    tenantId,
    ...(env.ENTRA_CLIENT_ID === undefined ? { fetch: demoApiFetch } : {}),
  });
  const headers = new Headers(request.headers);
  for (const name of ["authorization", "cookie", "host"]) headers.delete(name);
  // Buffered, so that a retry after a 401 can send the body again.
  const body = ["GET", "HEAD"].includes(request.method) ? undefined : await request.arrayBuffer();
  const downstream = env.DOWNSTREAM_URL ?? "https://graph.microsoft.com";
  return api(`${downstream}${url.pathname.slice("/gateway".length)}${url.search}`, {
    method: request.method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
}

function application(env: Env, isolated: boolean): ConfidentialClientApplication {
  const builder =
    env.ENTRA_CLIENT_ID === undefined
      ? ConfidentialClientApplicationBuilder.create(demo.clientId)
          .withClientSecret(demo.secret)
          .withHttpClient(emulatorFetch)
      : real(env);
  // Built per request: equal applications share their L1 cache and key, so this costs microseconds
  // (both adapter factories return the adapter they made before for the same binding).
  if (env.TOKEN_CACHE !== undefined) {
    // Strongly consistent, with the lease: one token request per tenant across isolates, and the
    // isolates waiting on it are woken as soon as the token is written.
    builder.withCache(durableObjectCache(env.TOKEN_CACHE), { lease: true });
  } else if (env.TOKENS !== undefined) {
    builder.withCache(workersKvCache(env.TOKENS));
  }
  return builder.withMemoryCache({ shared: !isolated }).build();
}

function real(env: Env): ConfidentialClientApplicationBuilder {
  const builder = ConfidentialClientApplicationBuilder.create(
    env.ENTRA_CLIENT_ID as string,
  ).withTenantId(env.ENTRA_TENANT_ID ?? "organizations");
  if (env.ENTRA_CERTIFICATE_PEM !== undefined && env.ENTRA_PRIVATE_KEY_PEM !== undefined) {
    return builder.withCertificate({
      privateKey: env.ENTRA_PRIVATE_KEY_PEM,
      certificate: env.ENTRA_CERTIFICATE_PEM,
    });
  }
  return builder.withClientSecret(env.ENTRA_CLIENT_SECRET ?? "");
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url);
    const tenantId = url.searchParams.get("tenant") ?? env.ENTRA_TENANT_ID ?? demo.tenants[0]!;
    // ?isolated=1 stands for another isolate: its own empty L1, the same L2 (Durable Object or KV).
    const app = application(env, url.searchParams.get("isolated") === "1");
    const started = Date.now();
    try {
      if (url.pathname.startsWith("/gateway/")) return await forward(request, env, app, tenantId);
      const result = await app
        .acquireTokenForClient([env.DOWNSTREAM_SCOPE ?? "https://graph.microsoft.com/.default"])
        .withTenantId(tenantId)
        .withWaitUntil(ctx.waitUntil.bind(ctx));
      // A real Worker would now call the downstream API with `Authorization: Bearer ${result.accessToken}`.
      const meta = result.authenticationResultMetadata;
      return Response.json({
        tenant: tenantId,
        store: env.TOKEN_CACHE !== undefined ? "durable-object" : "workers-kv",
        tokenSource: meta.tokenSource,
        cacheLevel: meta.cacheLevel,
        cacheRefreshReason: meta.cacheRefreshReason,
        durationTotalInMs: meta.durationTotalInMs,
        durationInHttpInMs: meta.durationInHttpInMs,
        workerMs: Date.now() - started,
        expiresOn: result.expiresOn,
        tokenPreview: `${result.accessToken.slice(0, 12)}…`,
        statistics: app.getCacheStatistics(),
      });
    } catch (error) {
      const body =
        error instanceof Error
          ? { error: error.name, code: (error as { code?: string }).code, message: error.message }
          : { error: "unknown" };
      return Response.json(body, { status: 502 });
    }
  },
};
