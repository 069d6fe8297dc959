// Deadlines and cancellation under faults: the caller's AbortSignal and the per-acquisition
// deadline cut the wait (discovery, assertion callback, token request, cache I/O), an aborted
// caller does not lose the token for others, and a hung part never poisons its request key.
import { describe, expect, it } from "vitest";
import {
  ConfidentialClientApplication,
  NetworkError,
  ServiceError,
  ThrottledError,
  TokenSource,
} from "../../src/index";
import { faults } from "../../src/testing/index";
import {
  brokenStore,
  clientId,
  failureOf,
  graph,
  makeApp,
  now,
  secret,
  tenantA,
  useEmulator,
  within,
} from "./helpers";

const env = useEmulator();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await sleep(5);
  }
}

describe("caller AbortSignal", () => {
  it("aborting during a slow response fails at once with NetworkError aborted; the shared request still caches its token", async () => {
    const { entra } = env;
    const app = makeApp(entra);
    entra.injectFault(faults.delay(300));
    const controller = new AbortController();
    const started = Date.now();
    const pending = app
      .acquireTokenForClient(graph)
      .withAbortSignal(controller.signal)
      .executeAsync();
    setTimeout(() => controller.abort(new Error("client went away")), 20);
    const error = await failureOf(pending);
    expect(Date.now() - started).toBeLessThan(250);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({
      code: "aborted",
      cause: expect.objectContaining({ message: "client went away" }),
    });
    // Nothing lost: the request goes on and fills the cache.
    await until(() => entra.tokenRequests()[0]?.status === 200);
    await sleep(5);
    const cached = await app.acquireTokenForClient(graph);
    expect(cached.authenticationResultMetadata.tokenSource).toBe(TokenSource.Cache);
    expect(entra.tokenRequests()).toHaveLength(1);
  });

  it("aborting during the retry pause fails at once; the retry still happens and its token is cached", async () => {
    const { entra } = env;
    const app = makeApp(entra, { retry: { delayMs: 200 } });
    entra.injectFault(faults.serverError(503));
    const controller = new AbortController();
    const pending = app
      .acquireTokenForClient(graph)
      .withAbortSignal(controller.signal)
      .executeAsync();
    await until(
      () => entra.tokenRequests().length === 1 && entra.tokenRequests()[0]?.status === 503,
    );
    const started = Date.now();
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "NetworkError", code: "aborted" });
    expect(Date.now() - started).toBeLessThan(100);
    await until(() => entra.tokenRequests()[1]?.status === 200);
    await sleep(5);
    expect((await app.acquireTokenForClient(graph)).authenticationResultMetadata.tokenSource).toBe(
      TokenSource.Cache,
    );
    expect(entra.tokenRequests()).toHaveLength(2);
  });

  it("a waiter without a signal gets the token after the retry while an aborted waiter gives up", async () => {
    const { entra } = env;
    const app = makeApp(entra);
    entra.injectFault(faults.serverError(500));
    entra.injectFault(faults.delay(100));
    const controller = new AbortController();
    const aborted = app
      .acquireTokenForClient(graph)
      .withAbortSignal(controller.signal)
      .executeAsync();
    const patient = app.acquireTokenForClient(graph).executeAsync();
    setTimeout(() => controller.abort(), 30);
    await expect(aborted).rejects.toMatchObject({ name: "NetworkError", code: "aborted" });
    await expect(patient).resolves.toMatchObject({ tenantId: tenantA, tokenType: "Bearer" });
    expect(entra.tokenRequests()).toHaveLength(2);
  });

  it("an already aborted signal fails at once and sends nothing", async () => {
    const { entra } = env;
    const app = makeApp(entra);
    const error = await failureOf(
      app.acquireTokenForClient(graph).withAbortSignal(AbortSignal.abort()),
    );
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ code: "aborted" });
    await sleep(20);
    expect(
      entra.tokenRequests(),
      "no token request for a caller that had already given up",
    ).toHaveLength(0);
  });

  it("aborting while an L2 store hangs fails at once", async () => {
    const { entra } = env;
    const app = makeApp(entra, { cache: brokenStore("hangs"), cacheOptions: { timeoutMs: 5000 } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const error = await within(
      failureOf(app.acquireTokenForClient(graph).withAbortSignal(controller.signal)),
      1000,
    );
    expect(error).toMatchObject({ name: "NetworkError", code: "aborted" });
  });
});

describe("the acquisition deadline", () => {
  it("a hung assertion callback ends in request_timeout at the deadline, and does not poison the request key", async () => {
    const { entra } = env;
    let hang = true;
    let seen: AbortSignal | undefined;
    const assertion = ({ signal }: { signal: AbortSignal }): Promise<string> => {
      seen = signal;
      return hang ? new Promise<string>(() => undefined) : Promise.resolve("a.b.c");
    };
    const app = new ConfidentialClientApplication({
      clientId,
      tenantId: tenantA,
      clientAssertion: assertion,
      fetch: entra.fetch,
      now,
      memoryCache: { shared: false },
      timeoutMs: 200,
    });
    const error = await within(failureOf(app.acquireTokenForClient(graph)), 1500);
    expect(error).toMatchObject({ name: "NetworkError", code: "request_timeout" });
    expect(seen?.aborted).toBe(true);
    expect(entra.tokenRequests()).toHaveLength(0);
    // The key is not stuck on the hung attempt: the next acquisition calls the callback again.
    hang = false;
    const next = await within(failureOf(app.acquireTokenForClient(graph)), 1500);
    expect(next).toBeInstanceOf(ServiceError); // "a.b.c" is refused by the emulator, but it was sent
    expect(entra.tokenRequests()).toHaveLength(1);
  });

  it("a fetch that ignores its signal still ends in request_timeout at the deadline", async () => {
    const hangingFetch = (() => new Promise<Response>(() => undefined)) as typeof fetch;
    const app = new ConfidentialClientApplication({
      clientId,
      tenantId: tenantA,
      clientSecret: secret,
      fetch: hangingFetch,
      now,
      memoryCache: { shared: false },
      timeoutMs: 200,
    });
    const error = await within(failureOf(app.acquireTokenForClient(graph)), 1500);
    expect(error).toMatchObject({ name: "NetworkError", code: "request_timeout" });
  });

  it("a discovery fetch that ignores its signal still ends in request_timeout at the deadline", async () => {
    const hangingFetch = (() => new Promise<Response>(() => undefined)) as typeof fetch;
    const app = new ConfidentialClientApplication({
      clientId,
      oidcIssuer: "https://issuer.test",
      clientSecret: secret,
      fetch: hangingFetch,
      now,
      memoryCache: { shared: false },
      timeoutMs: 200,
    });
    const error = await within(
      failureOf(app.acquireTokenForClient(["api://resource/.default"])),
      1500,
    );
    expect(error).toMatchObject({ name: "NetworkError", code: "request_timeout" });
  });

  it("a response body that stalls ends in request_timeout at the deadline", async () => {
    const stalling = (async () =>
      new Response(new ReadableStream({ start() {} }), {
        status: 200,
        headers: { "content-type": "application/json" },
      })) as typeof fetch;
    const app = new ConfidentialClientApplication({
      clientId,
      tenantId: tenantA,
      clientSecret: secret,
      fetch: stalling,
      now,
      memoryCache: { shared: false },
      timeoutMs: 200,
      retry: false,
    });
    const error = await within(failureOf(app.acquireTokenForClient(graph)), 1500);
    expect(error).toMatchObject({ name: "NetworkError", code: "request_timeout" });
  });

  it("the deadline covers L2 I/O: a store slower than the deadline does not hold the caller past it", async () => {
    const { entra } = env;
    // The store timeout must stay below the acquisition's (checked at build): the read times out
    // at 250 ms, and the throttle-marker read that follows meets the deadline.
    const app = makeApp(entra, {
      timeoutMs: 300,
      cache: brokenStore("hangs"),
      cacheOptions: { timeoutMs: 250 },
    });
    const started = Date.now();
    await within(
      app.acquireTokenForClient(graph).then(
        () => undefined,
        (error: unknown) =>
          expect(error).toMatchObject({ name: "NetworkError", code: "request_timeout" }),
      ),
      1500,
    );
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

describe("single flight under faults", () => {
  it("concurrent callers share one retried request and its error", async () => {
    const { entra } = env;
    const app = makeApp(entra);
    entra.injectFault(faults.serverError(503, { times: 2 }));
    const settled = await Promise.allSettled(
      Array.from({ length: 20 }, () => app.acquireTokenForClient(graph).executeAsync()),
    );
    expect(entra.tokenRequests()).toHaveLength(2);
    for (const outcome of settled) {
      expect(outcome.status).toBe("rejected");
      expect((outcome as PromiseRejectedResult).reason).toMatchObject({
        name: "ServiceError",
        status: 503,
      });
    }
    const recovered = await Promise.all(
      Array.from({ length: 20 }, () => app.acquireTokenForClient(graph).executeAsync()),
    );
    expect(new Set(recovered.map((r) => r.accessToken)).size).toBe(1);
    expect(entra.tokenRequests()).toHaveLength(3);
  });

  it("concurrent callers share one 429 and are then blocked without requests", async () => {
    const { entra } = env;
    const app = makeApp(entra);
    entra.injectFault(faults.throttled(30));
    const settled = await Promise.allSettled(
      Array.from({ length: 20 }, () => app.acquireTokenForClient(graph).executeAsync()),
    );
    expect(
      settled.every((s) => s.status === "rejected" && s.reason instanceof ThrottledError),
    ).toBe(true);
    const blocked = await Promise.allSettled(
      Array.from({ length: 20 }, () => app.acquireTokenForClient(graph).executeAsync()),
    );
    expect(
      blocked.every(
        (s) =>
          s.status === "rejected" &&
          s.reason instanceof ThrottledError &&
          s.reason.retryAfterMs === 30_000,
      ),
    ).toBe(true);
    expect(entra.tokenRequests()).toHaveLength(1);
  });
});
