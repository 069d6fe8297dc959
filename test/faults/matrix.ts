// The fault matrix as data: what the emulator does, what the caller must get, how many
// token requests it takes, and whether the request key is then blocked. `runCase` plays one case
// against a fresh application (optionally with a broken L2) and checks that nothing was lost.
import { expect } from "vitest";
import {
  CacheLevel,
  EntraEdgeError,
  NetworkError,
  ServiceError,
  ThrottledError,
  TokenSource,
  type AuthenticationResult,
  type CacheAdapter,
  type CacheErrorEvent,
  type ConfidentialClientApplicationOptions,
} from "../../src/index";
import { faults, type EmulatorFault, type EntraEmulator } from "../../src/testing/index";
import {
  arm,
  clock,
  failureOf,
  fakeAccessToken,
  graph,
  httpDate,
  makeApp,
  start,
  tenantA,
  tenantB,
  tokenBody,
} from "./helpers";

type ErrorClass = typeof ServiceError | typeof ThrottledError | typeof NetworkError;

export interface FaultCase {
  readonly name: string;
  /** Faults queued before the acquisition (the clock is at `start`). */
  readonly faults: readonly EmulatorFault[];
  readonly options?: Partial<ConfidentialClientApplicationOptions>;
  /** Token requests the acquisition makes (retries included). */
  readonly requests: number;
  readonly outcome:
    | { readonly token: true; readonly check?: (result: AuthenticationResult) => void }
    | {
        readonly error: ErrorClass;
        readonly fields: Readonly<Record<string, unknown>>;
        /** The request key is blocked this long; `undefined`: not blocked. */
        readonly blockedMs?: number;
        readonly message?: RegExp;
      };
}

const entraError = (
  status: number,
  error: string,
  code: number,
  headers?: Record<string, string>,
): EmulatorFault => ({
  type: "error",
  status,
  error,
  code,
  message: "There was an error issuing a token or an issue with our sign-in service.",
  ...(headers === undefined ? {} : { headers }),
});

const plain429 = (headers?: Record<string, string>): EmulatorFault => ({
  status: 429,
  body: "Too Many Requests",
  contentType: "text/plain",
  ...(headers === undefined ? {} : { headers }),
});

const badBody = (fields: Record<string, unknown>): EmulatorFault => ({
  type: "body",
  body: tokenBody(fields),
});

const invalidResponse = (message: RegExp) => ({
  error: ServiceError,
  fields: { code: "invalid_token_response", status: 200 },
  message,
});

const serverStatuses = [500, 502, 503, 504] as const;
const oauthErrorOf = (status: number) =>
  status === 503 || status === 504 ? "temporarily_unavailable" : "server_error";

export const faultCases: readonly FaultCase[] = [
  // 5xx without Retry-After: one retry.
  ...serverStatuses.map((status): FaultCase => ({
    name: `HTTP ${status} once, then success (one retry)`,
    faults: [faults.serverError(status)],
    requests: 2,
    outcome: { token: true },
  })),
  {
    name: "HTML 502 page once, then success",
    faults: [faults.html(502)],
    requests: 2,
    outcome: { token: true },
  },
  {
    name: "HTTP 503 with an empty body once, then success",
    faults: [{ status: 503, body: "" }],
    requests: 2,
    outcome: { token: true },
  },
  ...serverStatuses.map((status): FaultCase => ({
    name: `HTTP ${status} twice: ServiceError after two requests, no block`,
    faults: [faults.serverError(status, { times: 2 })],
    requests: 2,
    outcome: {
      error: ServiceError,
      fields: {
        code: "service_error",
        status,
        error: oauthErrorOf(status),
        errorCodes: [50000],
        retryAfterMs: undefined,
      },
      message: /try again shortly/,
    },
  })),
  {
    name: "HTML 502 page twice: ServiceError naming the content type, never a JSON crash",
    faults: [faults.html(502, { times: 2 })],
    requests: 2,
    outcome: {
      error: ServiceError,
      fields: { code: "service_error", status: 502, error: undefined, errorCodes: [] },
      message: /text\/html/,
    },
  },
  {
    name: "HTML 403 page from a gateway: ServiceError, no retry on 4xx",
    faults: [faults.html(403)],
    requests: 1,
    outcome: {
      error: ServiceError,
      fields: { code: "service_error", status: 403, errorCodes: [] },
      message: /text\/html/,
    },
  },
  {
    name: "Entra 400 error: ServiceError with its AADSTS code and advice, no retry",
    faults: [
      {
        type: "error",
        status: 400,
        error: "invalid_request",
        code: 90002,
        message: "Tenant 'x' not found.",
      },
    ],
    requests: 1,
    outcome: {
      error: ServiceError,
      fields: { code: "service_error", status: 400, error: "invalid_request", errorCodes: [90002] },
      message: /check the tenant/,
    },
  },

  // Retry-After on a 5xx: throttled, no retry, blocked.
  {
    name: "HTTP 503 with Retry-After: 5: ThrottledError, no retry, blocked 5 s",
    faults: [faults.serverError(503, { retryAfter: 5 })],
    requests: 1,
    outcome: {
      error: ThrottledError,
      fields: { code: "throttled", status: 503, errorCodes: [50000], retryAfterMs: 5000 },
      blockedMs: 5000,
    },
  },
  {
    name: "HTTP 500 with Retry-After as an HTTP date 7 s ahead: blocked 7 s",
    faults: [entraError(500, "server_error", 50000, { "retry-after": httpDate(start + 7000) })],
    requests: 1,
    outcome: {
      error: ThrottledError,
      fields: { code: "throttled", status: 500, retryAfterMs: 7000 },
      blockedMs: 7000,
    },
  },
  {
    name: "HTML 503 page with Retry-After: 30: ThrottledError, blocked 30 s",
    faults: [{ ...faults.html(503), headers: { "Retry-After": "30" } }],
    requests: 1,
    outcome: {
      error: ThrottledError,
      fields: { code: "throttled", status: 503, retryAfterMs: 30_000 },
      blockedMs: 30_000,
      message: /text\/html/,
    },
  },

  // 429.
  {
    name: "429 with Retry-After: 3 (plain text): ThrottledError, blocked until the clock moves 3 s",
    faults: [faults.throttled(3)],
    requests: 1,
    outcome: {
      error: ThrottledError,
      fields: { code: "throttled", status: 429, error: "throttled", retryAfterMs: 3000 },
      blockedMs: 3000,
    },
  },
  ...["retry-after", "RETRY-AFTER", "rEtRy-AfTeR"].map((header): FaultCase => ({
    name: `429 with the header spelt ${header}`,
    faults: [plain429({ [header]: "3" })],
    requests: 1,
    outcome: {
      error: ThrottledError,
      fields: { code: "throttled", status: 429, retryAfterMs: 3000 },
      blockedMs: 3000,
    },
  })),
  {
    name: "429 with Retry-After as an HTTP date 10 s ahead",
    faults: [plain429({ "Retry-After": httpDate(start + 10_000) })],
    requests: 1,
    outcome: {
      error: ThrottledError,
      fields: { code: "throttled", status: 429, retryAfterMs: 10_000 },
      blockedMs: 10_000,
    },
  },
  {
    name: "429 with Retry-After: 7200 is capped at one hour",
    faults: [plain429({ "Retry-After": "7200" })],
    requests: 1,
    outcome: {
      error: ThrottledError,
      fields: { code: "throttled", status: 429, retryAfterMs: 3_600_000 },
      blockedMs: 3_600_000,
    },
  },
  {
    name: "429 with an Entra JSON body and Retry-After: 2",
    faults: [entraError(429, "temporarily_unavailable", 50196, { "Retry-After": "2" })],
    requests: 1,
    outcome: {
      error: ThrottledError,
      fields: { code: "throttled", status: 429, errorCodes: [50196], retryAfterMs: 2000 },
      blockedMs: 2000,
    },
  },
  {
    name: "429 plain text without Retry-After: ThrottledError, no retry, nothing to wait for",
    faults: [plain429()],
    requests: 1,
    outcome: {
      error: ThrottledError,
      fields: { code: "throttled", status: 429, error: "throttled", retryAfterMs: undefined },
    },
  },
  {
    name: "429 with an unreadable Retry-After: ThrottledError without retryAfterMs",
    faults: [plain429({ "Retry-After": "soon" })],
    requests: 1,
    outcome: {
      error: ThrottledError,
      fields: { code: "throttled", status: 429, retryAfterMs: undefined },
    },
  },
  {
    name: "429 with a Retry-After date in the past: retryAfterMs 0, not blocked",
    faults: [plain429({ "Retry-After": httpDate(start - 60_000) })],
    requests: 1,
    outcome: { error: ThrottledError, fields: { code: "throttled", status: 429, retryAfterMs: 0 } },
  },
  {
    name: "HTTP 500 then 429 Retry-After: 3 on the retry: blocked after two requests",
    faults: [faults.serverError(500), faults.throttled(3)],
    requests: 2,
    outcome: {
      error: ThrottledError,
      fields: { code: "throttled", status: 429, retryAfterMs: 3000 },
      blockedMs: 3000,
    },
  },

  // Bodies that are not token responses.
  {
    name: "200 with an empty body: invalid_token_response, no retry",
    faults: [{ type: "body", body: "" }],
    requests: 1,
    outcome: invalidResponse(/not JSON/),
  },
  {
    name: "200 with truncated JSON: invalid_token_response",
    faults: [faults.truncated()],
    requests: 1,
    outcome: invalidResponse(/not JSON/),
  },
  {
    name: "200 with an HTML body: invalid_token_response",
    faults: [{ type: "body", body: "<html><body>Sign in</body></html>", contentType: "text/html" }],
    requests: 1,
    outcome: invalidResponse(/not JSON/),
  },
  {
    name: "expires_in missing",
    faults: [badBody({ expires_in: undefined })],
    requests: 1,
    outcome: invalidResponse(/expires_in/),
  },
  {
    name: "expires_in negative",
    faults: [badBody({ expires_in: -1 })],
    requests: 1,
    outcome: invalidResponse(/expires_in/),
  },
  {
    name: "expires_in huge (1e12 s)",
    faults: [badBody({ expires_in: 1e12 })],
    requests: 1,
    outcome: invalidResponse(/expires_in/),
  },
  {
    name: "expires_in over one year",
    faults: [badBody({ expires_in: 365 * 24 * 3600 + 1 })],
    requests: 1,
    outcome: invalidResponse(/expires_in/),
  },
  {
    name: "expires_in a non-numeric string",
    faults: [badBody({ expires_in: "soon" })],
    requests: 1,
    outcome: invalidResponse(/expires_in/),
  },
  {
    name: "expires_in null",
    faults: [badBody({ expires_in: null })],
    requests: 1,
    outcome: invalidResponse(/expires_in/),
  },
  {
    name: "access_token missing",
    faults: [badBody({ access_token: undefined })],
    requests: 1,
    outcome: invalidResponse(/access_token/),
  },
  {
    name: "expires_in a numeric string is accepted",
    faults: [badBody({ expires_in: "3599", ext_expires_in: "7199" })],
    requests: 1,
    outcome: {
      token: true,
      check: (result) => {
        expect(result.accessToken).toBe(fakeAccessToken);
        expect(result.expiresOn.getTime()).toBe(start + 3599_000);
        expect(result.extendedExpiresOn.getTime()).toBe(start + 7199_000);
      },
    },
  },

  // The network.
  {
    name: "network reset once, then success (one retry)",
    faults: [faults.network()],
    requests: 2,
    outcome: { token: true },
  },
  {
    name: "network reset twice: NetworkError network_error after two requests",
    faults: [faults.network({ times: 2 })],
    requests: 2,
    outcome: {
      error: NetworkError,
      fields: { code: "network_error" },
      message: /could not be reached/,
    },
  },
  {
    name: "network reset then 503 Retry-After: 5: blocked after two requests",
    faults: [faults.network(), faults.serverError(503, { retryAfter: 5 })],
    requests: 2,
    outcome: {
      error: ThrottledError,
      fields: { code: "throttled", status: 503, retryAfterMs: 5000 },
      blockedMs: 5000,
    },
  },
  {
    name: "slow response past the timeout (withTimeout(200), 1 s delay): request_timeout, retried once",
    faults: [faults.delay(1000, { times: 2 })],
    options: { timeoutMs: 200 },
    requests: 2,
    outcome: { error: NetworkError, fields: { code: "request_timeout" }, message: /timed out/ },
  },
];

/** An L2 to combine with a case, and the `onCacheError` reason it must report. */
export interface L2Setup {
  readonly adapter: CacheAdapter;
  readonly reason: CacheErrorEvent["reason"];
  /** The store timeout; default 50 ms. */
  readonly timeoutMs?: number;
}

const source = (result: AuthenticationResult): string =>
  result.authenticationResultMetadata.tokenSource;

/**
 * Plays `testCase`: a token for tenant B is cached first; the fault hits tenant A's acquisition;
 * then the same request is retried (blocked or not), other keys go on, and tenant B's token is
 * still served from the cache.
 */
export async function runCase(
  entra: EntraEmulator,
  testCase: FaultCase,
  l2?: L2Setup,
): Promise<void> {
  const events: CacheErrorEvent[] = [];
  const app = makeApp(entra, {
    ...testCase.options,
    ...(l2 === undefined
      ? {}
      : {
          cache: l2.adapter,
          cacheOptions: {
            timeoutMs: l2.timeoutMs ?? 50,
            onCacheError: (event: CacheErrorEvent) => void events.push(event),
          },
        }),
  });
  const count = (): number => entra.tokenRequests().length;

  let cachedB = await app.acquireTokenForClient(graph, { tenantId: tenantB });
  expect(count()).toBe(1);

  for (const fault of testCase.faults) entra.injectFault(fault);
  const before = count();
  const outcome = await app.acquireTokenForClient(graph).then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );
  expect(count() - before, "token requests of the faulted acquisition").toBe(testCase.requests);

  if ("token" in testCase.outcome) {
    if ("error" in outcome) throw outcome.error;
    const result = outcome.result;
    expect(source(result)).toBe(TokenSource.IdentityProvider);
    expect(result.tenantId).toBe(tenantA);
    testCase.outcome.check?.(result);
    // Nothing lost: the token was cached.
    const again = await app.acquireTokenForClient(graph);
    expect(source(again)).toBe(TokenSource.Cache);
    expect(again.authenticationResultMetadata.cacheLevel).toBe(CacheLevel.L1Cache);
    expect(again.accessToken).toBe(result.accessToken);
    expect(count() - before).toBe(testCase.requests);
  } else {
    if (!("error" in outcome))
      throw new Error(`expected ${testCase.outcome.error.name}, got a token`);
    const expected = testCase.outcome;
    const error = outcome.error as EntraEdgeError;
    expect(error).toBeInstanceOf(expected.error);
    expect(error.constructor, "exact error class").toBe(expected.error);
    expect(error.name).toBe(expected.error.name);
    expect(error).toMatchObject(expected.fields);
    for (const [field, value] of Object.entries(expected.fields)) {
      if (value === undefined)
        expect((error as unknown as Record<string, unknown>)[field], field).toBeUndefined();
    }
    if (expected.message !== undefined) expect(error.message).toMatch(expected.message);
    expect(error.message).not.toContain(fakeAccessToken.slice(0, 40));
    expect(error.correlationId).toEqual(expect.any(String));

    const afterFault = count();
    if (expected.blockedMs !== undefined) {
      // Blocked: fails at once, without a network call, counting down with the clock.
      const blocked = await failureOf(app.acquireTokenForClient(graph));
      expect(blocked).toBeInstanceOf(ThrottledError);
      expect(blocked).toMatchObject({
        code: "throttled",
        status: (error as ServiceError).status,
        retryAfterMs: expected.blockedMs,
      });
      clock.now += expected.blockedMs - 1;
      await expect(app.acquireTokenForClient(graph)).rejects.toMatchObject({
        name: "ThrottledError",
        retryAfterMs: 1,
      });
      expect(count(), "no network call during the block").toBe(afterFault);
      // Even a forced refresh of the blocked key waits.
      await expect(app.acquireTokenForClient(graph, { forceRefresh: true })).rejects.toBeInstanceOf(
        ThrottledError,
      );
      expect(count(), "no network call during the block").toBe(afterFault);
      // Other keys are not blocked: another resource of the same tenant, and another tenant, go to the network.
      const other = await app.acquireTokenForClient(arm);
      expect(source(other)).toBe(TokenSource.IdentityProvider);
      const forcedB = await app.acquireTokenForClient(graph, {
        tenantId: tenantB,
        forceRefresh: true,
      });
      expect(source(forcedB)).toBe(TokenSource.IdentityProvider);
      cachedB = forcedB;
      expect(count()).toBe(afterFault + 2);
      clock.now += 1;
    }
    // Once the fault is gone (and any block has passed), the same request succeeds with one request.
    const beforeRecovery = count();
    const recovered = await app.acquireTokenForClient(graph);
    expect(source(recovered)).toBe(TokenSource.IdentityProvider);
    expect(recovered.tenantId).toBe(tenantA);
    expect(count() - beforeRecovery, "one token request to recover").toBe(1);
    expect(source(await app.acquireTokenForClient(graph))).toBe(TokenSource.Cache);
  }

  // Nothing lost: tenant B's cached token is still served, without a request, if still valid.
  const requestsNow = count();
  const stillB = await app.acquireTokenForClient(graph, { tenantId: tenantB });
  if (clock.now < cachedB.expiresOn.getTime() - 300_000) {
    expect(source(stillB)).toBe(TokenSource.Cache);
    expect(stillB.accessToken).toBe(cachedB.accessToken);
    expect(count()).toBe(requestsNow);
  }

  if (l2 !== undefined) {
    expect(events.length, "L2 failures are reported").toBeGreaterThan(0);
    expect(events).toContainEqual(expect.objectContaining({ operation: "get", reason: l2.reason }));
    for (const event of events) expect(event.reason).toBe(l2.reason);
  }
}

export { tenantA };
