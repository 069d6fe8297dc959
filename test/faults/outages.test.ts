// Serving through outages: a valid cached token (L1 or L2) is served while the identity provider
// fails; a failing proactive refresh never reaches the caller (it is only logged); an expired token
// is never served; a throttling block is shared through the L2 between instances.
import { describe, expect, it } from "vitest";
import { memoryCache } from "../../adapters/memory";
import {
  CacheLevel,
  ServiceError,
  ThrottledError,
  TokenSource,
  type AuthenticationResult,
  type ConfidentialClientApplication,
} from "../../src/index";
import { faults, type EmulatorFault } from "../../src/testing/index";
import {
  brokenStore,
  capturingLogger,
  clock,
  failureOf,
  graph,
  makeApp,
  mapStore,
  now,
  tenantA,
  tokenBody,
  useEmulator,
} from "./helpers";

const env = useEmulator({ refreshInSeconds: 1800 });
const source = (r: AuthenticationResult) => r.authenticationResultMetadata.tokenSource;

/** Acquires with a `waitUntil` and waits for the background work it was handed. */
async function acquireAndSettle(
  app: ConfidentialClientApplication,
): Promise<{ result: AuthenticationResult; background: number }> {
  const pending: Promise<unknown>[] = [];
  const result = await app.acquireTokenForClient(graph).withWaitUntil((p) => pending.push(p));
  // Background work must never reject (a rejection here would fail the test).
  await Promise.all(pending);
  return { result, background: pending.length };
}

describe("a proactive refresh failing while the cached token is valid", () => {
  it.each<[string, EmulatorFault[]]>([
    ["5xx twice", [faults.serverError(500, { times: 2 })]],
    ["network reset twice", [faults.network({ times: 2 })]],
    ["an invalid token response", [{ type: "body", body: tokenBody({ expires_in: "soon" }) }]],
    ["truncated JSON", [faults.truncated()]],
    ["an HTML 502 page twice", [faults.html(502, { times: 2 })]],
    [
      "an Entra 401",
      [
        {
          type: "error",
          status: 401,
          error: "invalid_client",
          code: 7000222,
          message: "The provided client secret keys are expired.",
        },
      ],
    ],
  ])(
    "%s: the cached token is served, the failure only logged; the next refresh succeeds",
    async (_name, injected) => {
      const { entra } = env;
      const logger = capturingLogger();
      const app = makeApp(entra, { logger, logging: { level: "warning" } });
      const first = await app.acquireTokenForClient(graph);
      expect(first.refreshOn?.getTime()).toBe(clock.now + 1800_000);
      clock.now += 1801_000;
      for (const fault of injected) entra.injectFault(fault);
      const faultRequests = injected.reduce((n, f) => n + (f.times ?? 1), 0);

      const { result, background } = await acquireAndSettle(app);
      expect(background).toBe(1);
      expect(source(result)).toBe(TokenSource.Cache);
      expect(result.accessToken).toBe(first.accessToken);
      expect(entra.tokenRequests()).toHaveLength(1 + faultRequests);
      expect(
        logger.lines.some((l) => l.level === "warn" && /Background refresh failed/.test(l.message)),
      ).toBe(true);

      // Still served while valid; the next refresh (fault gone) brings a new token.
      const { result: again } = await acquireAndSettle(app);
      expect(again.accessToken).toBe(first.accessToken);
      expect(entra.tokenRequests()).toHaveLength(2 + faultRequests);
      const renewed = await app.acquireTokenForClient(graph);
      expect(source(renewed)).toBe(TokenSource.Cache);
      expect(renewed.accessToken).not.toBe(first.accessToken);
    },
  );

  it("a throttled refresh keeps serving the cached token and sends nothing until Retry-After passes", async () => {
    const { entra } = env;
    const app = makeApp(entra);
    const first = await app.acquireTokenForClient(graph);
    clock.now += 1801_000;
    entra.injectFault(faults.throttled(60));
    expect((await acquireAndSettle(app)).result.accessToken).toBe(first.accessToken);
    expect(entra.tokenRequests()).toHaveLength(2);
    for (let i = 0; i < 5; i++) {
      clock.now += 10_000;
      const { result } = await acquireAndSettle(app);
      expect(result.accessToken).toBe(first.accessToken);
    }
    expect(entra.tokenRequests(), "no request during the block").toHaveLength(2);
    clock.now += 10_000;
    await acquireAndSettle(app);
    expect(entra.tokenRequests()).toHaveLength(3);
    expect((await app.acquireTokenForClient(graph)).accessToken).not.toBe(first.accessToken);
  });

  it("without waitUntil a failing background refresh is still contained (no unhandled rejection)", async () => {
    const { entra } = env;
    const app = makeApp(entra);
    const first = await app.acquireTokenForClient(graph);
    clock.now += 1801_000;
    entra.injectFault(faults.serverError(503, { times: 2 }));
    expect((await app.acquireTokenForClient(graph)).accessToken).toBe(first.accessToken);
    const deadline = Date.now() + 2000;
    while (entra.tokenRequests().length < 3 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    expect(entra.tokenRequests()).toHaveLength(3);
    expect((await app.acquireTokenForClient(graph)).accessToken).toBe(first.accessToken);
  });

  it("with a throwing L2 too, the cached token is served and both failures only reported", async () => {
    const { entra } = env;
    const events: unknown[] = [];
    const app = makeApp(entra, {
      cache: brokenStore("throws"),
      cacheOptions: { timeoutMs: 50, onCacheError: (e) => void events.push(e) },
    });
    const first = await app.acquireTokenForClient(graph);
    clock.now += 1801_000;
    entra.injectFault(faults.serverError(500, { times: 2 }));
    expect((await acquireAndSettle(app)).result.accessToken).toBe(first.accessToken);
    expect(events.length).toBeGreaterThan(0);
  });
});

describe("serving and not serving through outages", () => {
  it("a failed forced refresh does not evict the valid cached token", async () => {
    const { entra } = env;
    const app = makeApp(entra);
    const first = await app.acquireTokenForClient(graph);
    entra.injectFault(faults.serverError(500, { times: 2 }));
    await expect(app.acquireTokenForClient(graph).withForceRefresh()).rejects.toBeInstanceOf(
      ServiceError,
    );
    const after = await app.acquireTokenForClient(graph);
    expect(source(after)).toBe(TokenSource.Cache);
    expect(after.accessToken).toBe(first.accessToken);
    expect(entra.tokenRequests()).toHaveLength(3);
  });

  it("an expired token is never served: the outage error surfaces, and the next success replaces the token", async () => {
    const { entra } = env;
    const app = makeApp(entra);
    const first = await app.acquireTokenForClient(graph);
    clock.now = first.expiresOn.getTime() - 299_000; // inside the 5-minute margin
    entra.injectFault(faults.serverError(503, { times: 2 }));
    const error = await failureOf(app.acquireTokenForClient(graph));
    expect(error).toMatchObject({ name: "ServiceError", status: 503 });
    const renewed = await app.acquireTokenForClient(graph);
    expect(source(renewed)).toBe(TokenSource.IdentityProvider);
    expect(renewed.accessToken).not.toBe(first.accessToken);
  });

  it("a new instance with a cold L1 is served from L2 while the identity provider is down", async () => {
    const { entra } = env;
    const store = mapStore();
    const first = await makeApp(entra, { cache: store }).acquireTokenForClient(graph);
    entra.injectFault(faults.serverError(503, { times: Infinity }));
    const second = makeApp(entra, { cache: store });
    const served = await second.acquireTokenForClient(graph);
    expect(served.authenticationResultMetadata).toMatchObject({
      tokenSource: TokenSource.Cache,
      cacheLevel: CacheLevel.L2Cache,
    });
    expect(served.accessToken).toBe(first.accessToken);
    expect(entra.tokenRequests()).toHaveLength(1);
    entra.clearFaults();
  });

  it("with a shared L2, a throttling block is shared across instances", async () => {
    const { entra } = env;
    const store = memoryCache({ now });
    const one = makeApp(entra, { cache: store });
    const two = makeApp(entra, { cache: store });
    entra.injectFault(faults.throttled(60));
    await expect(one.acquireTokenForClient(graph)).rejects.toBeInstanceOf(ThrottledError);
    expect(entra.tokenRequests()).toHaveLength(1);
    const error = await two.acquireTokenForClient(graph).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error, "the second instance must honour the block recorded by the first").toBeInstanceOf(
      ThrottledError,
    );
    expect(error).toMatchObject({ retryAfterMs: 60_000 });
    expect(
      entra.tokenRequests(),
      "no request from the second instance during the block",
    ).toHaveLength(1);
    clock.now += 60_000;
    await expect(two.acquireTokenForClient(graph)).resolves.toMatchObject({ tenantId: tenantA });
  });
});
